/**
 * JSON Canonicalization Scheme (RFC 8785).
 *
 * Signatures (ISCC-SIG) and digests are computed over these bytes, so every registry and every
 * client must produce the same string for the same value. Anything JSON cannot represent
 * unambiguously is rejected instead of being silently coerced the way JSON.stringify does
 * (NaN → null, undefined array slots → null, Date → string), because a silent coercion on one
 * side and not the other makes a valid signature fail to verify.
 *
 * Nesting is bounded (MAX_JSON_DEPTH): the serializer recurses, and a document from a hostile
 * peer nested 20,000 levels deep must be refused with a pointer like any other bad value, not
 * exhaust the stack. Every document the registry signs is a few levels deep.
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

/** String.prototype.isWellFormed (ES2024) where the runtime has it: native, far cheaper than the regular expression. */
const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function"
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !LONE_SURROGATE.test(s);

function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * The path from the root to the value being serialized, as tokens. Its JSON pointer is only
 * written out when a value is refused: building one string per member cost the write path, which
 * canonicalizes every declaration and its receipt, more than the serialization itself.
 */
type Path = (string | number)[];
const pointerOf = (path: Path) => path.map((t) => `/${escapePointerToken(String(t))}`).join("");

function serializeString(s: string, path: Path): string {
  // RFC 8785 §3.2.2.2: strings must be valid Unicode; a lone surrogate has no UTF-8 encoding.
  if (!isWellFormed(s)) {
    throw new CanonicalJsonError(pointerOf(path), "string contains a lone UTF-16 surrogate");
  }
  // JSON.stringify's escaping is exactly the one RFC 8785 prescribes (§3.2.2.2): \b \t \n \f \r
  // \" \\ as short escapes, other controls as \u00xx lower-case, everything else literal.
  return JSON.stringify(s);
}

function serializeNumber(n: number, path: Path): string {
  if (!Number.isFinite(n)) {
    throw new CanonicalJsonError(pointerOf(path), `number ${String(n)} is not representable in JSON`);
  }
  // ECMAScript Number-to-String is the serialization RFC 8785 §3.2.2.3 adopts; -0 becomes "0".
  return Object.is(n, -0) ? "0" : String(n);
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Deepest nesting canonicalize accepts: the root object is depth 1, its members' values depth 2. */
export const MAX_JSON_DEPTH = 64;

/** `path` is the value's place (pushed and popped around each member); `ancestors` the objects enclosing it. */
function serialize(value: unknown, path: Path, ancestors: Set<object>): string {
  switch (typeof value) {
    case "string":
      return serializeString(value, path);
    case "number":
      return serializeNumber(value, path);
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      throw new CanonicalJsonError(pointerOf(path), "undefined is not a JSON value");
    case "bigint":
      throw new CanonicalJsonError(pointerOf(path), "bigint is not a JSON value (convert it to a string or number first)");
    case "function":
    case "symbol":
      throw new CanonicalJsonError(pointerOf(path), `${typeof value} is not a JSON value`);
    case "object":
      break;
  }
  if (value === null) return "null";
  const obj = value as object;
  if (ancestors.has(obj)) throw new CanonicalJsonError(pointerOf(path), "value contains a cycle");
  // `ancestors` holds exactly the objects enclosing this one, so its size is the depth.
  if (ancestors.size >= MAX_JSON_DEPTH) throw new CanonicalJsonError(pointerOf(path), `nested deeper than ${MAX_JSON_DEPTH} levels`);
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      const parts: string[] = [];
      for (let i = 0; i < obj.length; i++) {
        path.push(i);
        parts.push(serialize(obj[i], path, ancestors));
        path.pop();
      }
      return `[${parts.join(",")}]`;
    }
    if (!isPlainObject(obj)) {
      const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? "object";
      throw new CanonicalJsonError(pointerOf(path), `${name} is not a plain JSON object`);
    }
    return `{${serializeMembers(obj, path, ancestors).parts.join(",")}}`;
  } finally {
    ancestors.delete(obj);
  }
}

/** An object's members in RFC 8785's order: their keys, and each member's text (`"key":value`). */
interface Members {
  keys: string[];
  parts: string[];
}

function serializeMembers(obj: Record<string, unknown>, path: Path, ancestors: Set<object>): Members {
  // Properties whose value is undefined are skipped, as JSON.stringify does: in TypeScript an
  // absent optional field is routinely written as `field: undefined`, and both mean "absent".
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  // Default sort compares UTF-16 code units, which is exactly RFC 8785 §3.2.3's order.
  keys.sort();
  const parts: string[] = [];
  for (const k of keys) {
    path.push(k);
    parts.push(`${serializeString(k, path)}:${serialize(obj[k], path, ancestors)}`);
    path.pop();
  }
  return { keys, parts };
}

/**
 * The members of a JSON object as canonicalize writes them (same checks, pointers and nesting
 * limit): `{${parts.join(",")}}` is canonicalize(obj). For a caller that needs the texts of two
 * variants of one object, such as a signed object with and without its proof (the signature
 * payload and the digest), so that the members they share are serialized once.
 */
export function canonicalMembers(obj: Record<string, unknown>): Members {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj) || !isPlainObject(obj)) throw new CanonicalJsonError("", "not a plain JSON object");
  return serializeMembers(obj, [], new Set([obj]));
}

/** The RFC 8785 canonical JSON text of `value`. Throws CanonicalJsonError for non-JSON input. */
export function canonicalize(value: unknown): string {
  return serialize(value, [], new Set());
}

/**
 * Throws CanonicalJsonError (pointing at the first too-deep value) when `value` nests deeper than
 * `maxDepth` objects and arrays. Iterative, so it is safe on any input JSON.parse returns.
 */
export function checkJsonDepth(value: unknown, maxDepth = MAX_JSON_DEPTH): void {
  const stack: { v: unknown; depth: number; path: string[] }[] = [{ v: value, depth: 0, path: [] }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth >= maxDepth) {
      throw new CanonicalJsonError(path.map((t) => `/${escapePointerToken(t)}`).join(""), `nested deeper than ${maxDepth} levels`);
    }
    for (const [k, child] of Object.entries(v)) if (typeof child === "object" && child !== null) stack.push({ v: child, depth: depth + 1, path: [...path, k] });
  }
}

const encoder = new TextEncoder();

/** UTF-8 bytes of the canonical JSON text: what gets signed and hashed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalize(value));
}
