/**
 * Multikey (W3C Controlled Identifiers) encodings of Ed25519 keys, as iscc-crypto writes them:
 * multibase `z` (base58btc) over a varint multicodec prefix and the 32 raw key bytes.
 *   public:  0xed 0x01 (ed25519-pub, 0xed)    → "z6Mk…"
 *   secret:  0x80 0x26 (ed25519-priv, 0x1300) → "z3u2…"
 */
import { base58btcDecode, base58btcEncode, Base58Error } from "../encoding/base58.js";

export const ED25519_PUB_PREFIX = Uint8Array.of(0xed, 0x01);
export const ED25519_PRIV_PREFIX = Uint8Array.of(0x80, 0x26);

export class MultikeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MultikeyError";
  }
}

function encode(prefix: Uint8Array, key: Uint8Array, what: string): string {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new MultikeyError(`${what} must be 32 bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`);
  }
  const buf = new Uint8Array(34);
  buf.set(prefix, 0);
  buf.set(key, 2);
  return "z" + base58btcEncode(buf);
}

function decode(s: string, prefix: Uint8Array, what: string, codecName: string): Uint8Array {
  if (typeof s !== "string") throw new MultikeyError(`${what} must be a string`);
  if (!s.startsWith("z")) {
    throw new MultikeyError(`${what} is not multibase base58btc (must start with 'z')`);
  }
  let raw: Uint8Array;
  try {
    raw = base58btcDecode(s.slice(1));
  } catch (e) {
    if (e instanceof Base58Error) throw new MultikeyError(`${what}: ${e.message}`);
    throw e;
  }
  if (raw.length < 2 || raw[0] !== prefix[0] || raw[1] !== prefix[1]) {
    const got = Array.from(raw.subarray(0, 2), (b) => b.toString(16).padStart(2, "0")).join("");
    throw new MultikeyError(
      `${what} has the wrong multicodec prefix: expected ${codecName} (0x${Array.from(prefix, (b) => b.toString(16).padStart(2, "0")).join("")}), got 0x${got || "(empty)"}`,
    );
  }
  if (raw.length !== 34) {
    throw new MultikeyError(`${what} has the wrong length: expected 32 key bytes, got ${raw.length - 2}`);
  }
  return raw.slice(2);
}

export function encodeEd25519PublicMultikey(pub: Uint8Array): string {
  return encode(ED25519_PUB_PREFIX, pub, "Ed25519 public key");
}

export function decodeEd25519PublicMultikey(s: string): Uint8Array {
  return decode(s, ED25519_PUB_PREFIX, "public multikey", "ed25519-pub");
}

export function encodeEd25519SecretMultikey(secret: Uint8Array): string {
  return encode(ED25519_PRIV_PREFIX, secret, "Ed25519 secret key");
}

export function decodeEd25519SecretMultikey(s: string): Uint8Array {
  return decode(s, ED25519_PRIV_PREFIX, "secret multikey", "ed25519-priv");
}
