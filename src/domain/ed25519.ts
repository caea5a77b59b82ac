/**
 * Ed25519 signing and verification. Where the runtime's WebCrypto has Ed25519 (workerd, Node ≥ 20)
 * it is used: native code, more than ten times faster than pure JavaScript, and the registry checks
 * a signature on every declaration and signs every receipt. Elsewhere @noble/ed25519 does the work.
 * Ed25519 is deterministic and both follow RFC 8032 strictly (noble with zip215: false, like
 * OpenSSL and BoringSSL), so either path gives and accepts the same bytes.
 */
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";

if (!ed.hashes.sha512) ed.hashes.sha512 = sha512;

const ALG = { name: "Ed25519" } as const;
/** PKCS#8 wrapping of a 32-byte Ed25519 seed (RFC 8410): what WebCrypto imports private keys from. */
const PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);

let native: Promise<boolean> | undefined;
function hasNative(): Promise<boolean> {
  native ??= (async () => {
    try {
      await crypto.subtle.importKey("raw", ed.getPublicKey(new Uint8Array(32).fill(1)), ALG, false, ["verify"]);
      return true;
    } catch {
      return false;
    }
  })();
  return native;
}

/** Imported signing keys, per secret-key buffer (the registry signs with one key all day). */
const signingKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

/** The DOM's typings (the web app's build) want ArrayBuffer-backed views; the bytes are the same. */
const bytes = (b: Uint8Array) => b as Uint8Array<ArrayBuffer>;

export async function ed25519Sign(message: Uint8Array, secretKey: Uint8Array): Promise<Uint8Array> {
  if (!(await hasNative())) return ed.signAsync(message, secretKey);
  let key = signingKeys.get(secretKey);
  if (!key) {
    const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + 32);
    pkcs8.set(PKCS8_PREFIX);
    pkcs8.set(secretKey, PKCS8_PREFIX.length);
    key = crypto.subtle.importKey("pkcs8", pkcs8, ALG, false, ["sign"]);
    signingKeys.set(secretKey, key);
  }
  return new Uint8Array(await crypto.subtle.sign(ALG, await key, bytes(message)));
}

/**
 * Imported verification keys, by the key's bytes: a declarant signs many declarations, and importing
 * the key (decoding the point) took about an eighth of a verification's time in workerd's profile
 * of single POSTs. Bounded: the registry hears from any number of keys, so the cache is emptied
 * when it fills (a miss costs one import).
 */
const verifyKeys = new Map<string, Promise<CryptoKey>>();
const MAX_VERIFY_KEYS = 4096;

function verifyKey(publicKey: Uint8Array): Promise<CryptoKey> {
  const name = String.fromCharCode(...publicKey);
  let key = verifyKeys.get(name);
  if (!key) {
    if (verifyKeys.size >= MAX_VERIFY_KEYS) verifyKeys.clear();
    const imported = crypto.subtle.importKey("raw", bytes(publicKey), ALG, false, ["verify"]);
    verifyKeys.set(name, (key = imported));
    // A key that is not a point on the curve is not kept: it fails again on its next use.
    imported.catch(() => verifyKeys.get(name) === imported && verifyKeys.delete(name));
  }
  return key;
}

export async function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if (!(await hasNative())) return ed.verifyAsync(signature, message, publicKey, { zip215: false });
  try {
    return await crypto.subtle.verify(ALG, await verifyKey(publicKey), bytes(signature), bytes(message));
  } catch {
    // An encoding that is not a point on the curve: no signature can verify under it.
    return false;
  }
}
