/**
 * Standard base64 (RFC 4648 §4, padded), strictly decoded.
 *
 * Signed notes and checkpoints are compared and signed as text, so one value must have exactly one
 * spelling: atob alone would also accept missing padding, embedded whitespace and non-zero
 * trailing bits, and two checkpoints differing only in such details would both verify.
 */

const CANONICAL_SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** The decoded bytes, or null unless `text` is the one canonical encoding of them. */
export function decodeBase64(text: string): Uint8Array | null {
  if (!CANONICAL_SHAPE.test(text)) return null;
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  // Unused low bits of the last character must be zero, or the encoding is not canonical.
  return encodeBase64(out) === text ? out : null;
}

/** The runtime's native base64 of typed arrays (workerd has it; Node 22 does not). */
const native = Uint8Array as unknown as {
  fromBase64?: (text: string) => Uint8Array;
  prototype: { toBase64?: () => string; setFromBase64?: (text: string) => { read: number; written: number } };
};

/**
 * Base64 of bulk data no signature covers (the index snapshots isolates share, megabytes each):
 * native where the runtime has it, and without the canonical-form check, whose regular expression
 * alone cost ~0.9 s per 16 MB in workerd. Same encoding as encodeBase64.
 */
export function encodeBase64Bulk(bytes: Uint8Array): string {
  return native.prototype.toBase64 ? (bytes as unknown as { toBase64(): string }).toBase64() : encodeBase64(bytes);
}

/** The decoded bytes of base64 from encodeBase64Bulk, or null when it is not base64. */
export function decodeBase64Bulk(text: string): Uint8Array | null {
  try {
    if (native.fromBase64) return native.fromBase64(text);
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/**
 * Decodes base64 from encodeBase64Bulk into `into` (from its start), natively where the runtime can
 * write in place: a snapshot of many parts is decoded into one buffer, with no copy per part. The
 * number of bytes written, or null when `text` is not base64 or does not fit.
 */
export function decodeBase64BulkInto(text: string, into: Uint8Array): number | null {
  if (native.prototype.setFromBase64) {
    try {
      const { read, written } = (into as unknown as { setFromBase64(text: string): { read: number; written: number } }).setFromBase64(text);
      return read === text.length ? written : null;
    } catch {
      return null;
    }
  }
  const bytes = decodeBase64Bulk(text);
  if (!bytes || bytes.length > into.length) return null;
  into.set(bytes);
  return bytes.length;
}
