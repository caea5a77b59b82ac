/**
 * JSON Canonicalization Scheme (RFC 8785).
 *
 * Signatures (ISCC-SIG) and digests are computed over these bytes, so every registry and every
 * client must produce the same string for the same value. Anything JSON cannot represent
 * unambiguously is rejected instead of being silently coerced the way JSON.stringify does
 * (NaN → null, undefined array slots → null, Date → string), because a silent coercion on one
 * side and not the other makes a valid signature fail to verify.
 */

export class CanonicalJsonError extends Error {
  /** JSON pointer to the offending value ("" for the root). */
  readonly pointer: string;
  constructor(pointer: string, message: string) {
    super(pointer === "" ? message : `${message} at ${pointer}`);
    this.name = "CanonicalJsonError";
    this.pointer = pointer;
  }
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function serializeString(s: string, pointer: string): string {
  // RFC 8785 §3.2.2.2: strings must be valid Unicode; a lone surrogate has no UTF-8 encoding.
  if (LONE_SURROGATE.test(s)) {
    throw new CanonicalJsonError(pointer, "string contains a lone UTF-16 surrogate");
  }
  // JSON.stringify's escaping is exactly the one RFC 8785 prescribes (§3.2.2.2): \b \t \n \f \r
  // \" \\ as short escapes, other controls as \u00xx lower-case, everything else literal.
  return JSON.stringify(s);
}

function serializeNumber(n: number, pointer: string): string {
  if (!Number.isFinite(n)) {
    throw new CanonicalJsonError(pointer, `number ${String(n)} is not representable in JSON`);
  }
  // ECMAScript Number-to-String is the serialization RFC 8785 §3.2.2.3 adopts; -0 becomes "0".
  return Object.is(n, -0) ? "0" : String(n);
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function serialize(value: unknown, pointer: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case "string":
      return serializeString(value, pointer);
    case "number":
      return serializeNumber(value, pointer);
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      throw new CanonicalJsonError(pointer, "undefined is not a JSON value");
    case "bigint":
      throw new CanonicalJsonError(pointer, "bigint is not a JSON value (convert it to a string or number first)");
    case "function":
    case "symbol":
      throw new CanonicalJsonError(pointer, `${typeof value} is not a JSON value`);
    case "object":
      break;
  }
  if (value === null) return "null";
  const obj = value as object;
  if (ancestors.has(obj)) throw new CanonicalJsonError(pointer, "value contains a cycle");
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      const parts: string[] = [];
      for (let i = 0; i < obj.length; i++) {
        parts.push(serialize(obj[i], `${pointer}/${i}`, ancestors));
      }
      return `[${parts.join(",")}]`;
    }
    if (!isPlainObject(obj)) {
      const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? "object";
      throw new CanonicalJsonError(pointer, `${name} is not a plain JSON object`);
    }
    // Properties whose value is undefined are skipped, as JSON.stringify does: in TypeScript an
    // absent optional field is routinely written as `field: undefined`, and both mean "absent".
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
    // Default sort compares UTF-16 code units, which is exactly RFC 8785 §3.2.3's order.
    keys.sort();
    const parts: string[] = [];
    for (const k of keys) {
      const childPointer = `${pointer}/${escapePointerToken(k)}`;
      parts.push(`${serializeString(k, childPointer)}:${serialize(obj[k], childPointer, ancestors)}`);
    }
    return `{${parts.join(",")}}`;
  } finally {
    ancestors.delete(obj);
  }
}

/** The RFC 8785 canonical JSON text of `value`. Throws CanonicalJsonError for non-JSON input. */
export function canonicalize(value: unknown): string {
  return serialize(value, "", new Set());
}

const encoder = new TextEncoder();

/** UTF-8 bytes of the canonical JSON text: what gets signed and hashed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalize(value));
}
