/**
 * ISCC-SIG v1.0 JSON signatures, wire-compatible with iscc/iscc-crypto (`sign_json` /
 * `verify_json`).
 *
 * Format: the signed object gains a `signature` member
 *   { version: "ISCC-SIG v1.0", controller?, keyid?, pubkey?, proof }
 * The Ed25519 signature is computed over the RFC 8785 canonical UTF-8 bytes of the *whole* object
 * with `signature` present and only `proof` missing (so version, controller, keyid and pubkey are
 * all covered). `proof` is multibase base58btc ("z…") of the 64 signature bytes; `pubkey` is an
 * Ed25519 public multikey ("z6Mk…").
 *
 * Our signer always embeds `pubkey` (iscc-crypto's default AUTO mode with controller/keyid when
 * the keypair has them), because the registry attributes declarations by key.
 *
 * Deliberate differences from iscc-crypto's verifier, all stricter:
 * - An externally supplied public key must equal the embedded `pubkey` when both are present;
 *   iscc-crypto verifies against the embedded key and only compares the two during identity
 *   verification. Accepting a document whose embedded key differs from the one the caller expects
 *   would let a caller believe it was signed by a key that did not sign it.
 * - `controller`, `keyid`, `pubkey` and `proof` must be strings; `proof` must decode to exactly
 *   64 bytes and `pubkey` to exactly 34 (prefix + 32).
 * - Verification uses RFC 8032 semantics (noble's `zip215: false`), which is what OpenSSL and
 *   Python `cryptography` implement; ZIP-215 would accept some signatures they reject, and every
 *   registry in a federation must agree on what is valid.
 * Identity (DID) checks are not done here: they need I/O. `controller` and `keyid` are returned
 * for the caller to resolve.
 */
import * as ed from "@noble/ed25519";
import { base58btcDecode, base58btcEncode } from "../encoding/base58.js";
import { canonicalBytes, canonicalize, canonicalMembers, CanonicalJsonError } from "../encoding/canonical-json.js";

import { ed25519Sign, ed25519Verify } from "./ed25519.js";
import {
  decodeEd25519PublicMultikey,
  decodeEd25519SecretMultikey,
  encodeEd25519PublicMultikey,
  MultikeyError,
} from "./multikey.js";

const encoder = new TextEncoder();

// Key derivation uses noble's synchronous API; ./ed25519.js configures its sha512 on import.

export const ISCC_SIG_VERSION = "ISCC-SIG v1.0";

export class SignatureError extends Error {
  /** JSON pointer to the member that is wrong ("" for the document itself). */
  readonly pointer: string;
  constructor(pointer: string, message: string) {
    super(message);
    this.name = "SignatureError";
    this.pointer = pointer;
  }
}

export interface Keypair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /** A URI for the key's controller (e.g. did:web:example.com), written to `signature.controller`. */
  controller?: string;
  /** The key's id within the controller document, written to `signature.keyid`. */
  keyid?: string;
}

export interface SignatureObject {
  version: string;
  controller?: string;
  keyid?: string;
  pubkey?: string;
  proof: string;
}

export type Signed<T> = T & { signature: SignatureObject };

export interface VerifiedSignature {
  pubkey: Uint8Array;
  pubkeyMultikey: string;
  /** The RFC 8785 text of the whole signed document, proof included: what a digest of it covers. */
  canonical: string;
  controller?: string;
  keyid?: string;
}

type KeyMeta = { controller?: string; keyid?: string };

function withMeta(secretKey: Uint8Array, publicKey: Uint8Array, meta?: KeyMeta): Keypair {
  const kp: Keypair = { secretKey, publicKey };
  if (meta?.controller !== undefined) kp.controller = meta.controller;
  if (meta?.keyid !== undefined) kp.keyid = meta.keyid;
  return kp;
}

export function generateKeypair(meta?: KeyMeta): Keypair {
  const { secretKey, publicKey } = ed.keygen();
  return withMeta(secretKey, publicKey, meta);
}

/** A keypair from a 32-byte Ed25519 seed or its secret multikey ("z3u2…", as iscc-crypto stores it). */
export function keypairFromSecret(secret: Uint8Array | string, meta?: KeyMeta): Keypair {
  const secretKey = typeof secret === "string" ? decodeEd25519SecretMultikey(secret) : secret;
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new MultikeyError("Ed25519 secret key must be 32 bytes");
  }
  return withMeta(Uint8Array.from(secretKey), ed.getPublicKey(secretKey), meta);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Signs a JSON object. Returns a new object (the input is not modified) with `signature` last.
 * Throws if the object already has a `signature` member or is not canonicalizable JSON.
 */
/**
 * A signature made with a public key that does not belong to the secret key would never verify;
 * deriving the public key costs a scalar multiplication, so each keypair object is checked once.
 */
const checkedKeypairs = new WeakSet<Keypair>();
function checkKeypair(keypair: Keypair): void {
  if (checkedKeypairs.has(keypair)) return;
  if (!bytesEqual(ed.getPublicKey(keypair.secretKey), keypair.publicKey)) {
    throw new MultikeyError("keypair.publicKey does not belong to keypair.secretKey");
  }
  checkedKeypairs.add(keypair);
}

export async function signJson<T extends object>(obj: T, keypair: Keypair): Promise<Signed<T>> {
  if (!isJsonObject(obj)) throw new TypeError("only a JSON object can be signed");
  if (Object.prototype.hasOwnProperty.call(obj, "signature")) {
    throw new SignatureError("/signature", "input must not contain a 'signature' field");
  }
  checkKeypair(keypair);
  // Insertion order mirrors iscc-crypto's output; JCS sorts keys anyway, so it only affects display.
  const signature: Record<string, string> = { version: ISCC_SIG_VERSION };
  if (keypair.controller) signature.controller = keypair.controller;
  if (keypair.keyid) signature.keyid = keypair.keyid;
  signature.pubkey = encodeEd25519PublicMultikey(keypair.publicKey);
  // Canonicalizing first reports non-JSON input with a pointer (structuredClone would fail with a
  // vaguer error or copy things JSON cannot hold); the clone keeps the caller's key order and makes
  // the result independent of later mutation of `obj`.
  canonicalBytes(obj);
  const copy = structuredClone(obj) as Record<string, unknown>;
  copy.signature = signature;
  const sig = await ed25519Sign(canonicalBytes(copy), keypair.secretKey);
  signature.proof = "z" + base58btcEncode(sig);
  return copy as Signed<T>;
}

function optionalString(sig: Record<string, unknown>, field: string): string | undefined {
  const v = sig[field];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new SignatureError(`/signature/${field}`, `${field} must be a string`);
  return v;
}

/**
 * Verifies an ISCC-SIG v1.0 signed object. With `publicKey`, the signature must have been made
 * by that key (and an embedded `pubkey`, if any, must be that key); without, the embedded
 * `pubkey` is used. Resolves to the verified key and the (unverified) controller/keyid claims;
 * throws SignatureError otherwise.
 */
export async function verifyJson(obj: unknown, opts?: { publicKey?: Uint8Array }): Promise<VerifiedSignature> {
  if (!isJsonObject(obj)) throw new SignatureError("", "signed document must be a JSON object");
  if (!Object.prototype.hasOwnProperty.call(obj, "signature")) {
    throw new SignatureError("/signature", "missing signature");
  }
  const sig = obj.signature;
  if (!isJsonObject(sig)) throw new SignatureError("/signature", "signature must be an object");

  if (sig.version === undefined) throw new SignatureError("/signature/version", "missing signature version");
  if (sig.version !== ISCC_SIG_VERSION) {
    throw new SignatureError(
      "/signature/version",
      `unsupported signature version: expected '${ISCC_SIG_VERSION}', got ${JSON.stringify(sig.version)}`,
    );
  }

  if (sig.proof === undefined) throw new SignatureError("/signature/proof", "missing proof");
  if (typeof sig.proof !== "string") throw new SignatureError("/signature/proof", "proof must be a string");
  if (!sig.proof.startsWith("z")) {
    throw new SignatureError("/signature/proof", "proof is not multibase base58btc (must start with 'z')");
  }
  let proof: Uint8Array;
  try {
    proof = base58btcDecode(sig.proof.slice(1));
  } catch (e) {
    throw new SignatureError("/signature/proof", `proof is not valid base58btc: ${(e as Error).message}`);
  }
  if (proof.length !== 64) {
    throw new SignatureError("/signature/proof", `proof must be a 64-byte Ed25519 signature, got ${proof.length} bytes`);
  }

  const controller = optionalString(sig, "controller");
  const keyid = optionalString(sig, "keyid");
  const embedded = optionalString(sig, "pubkey");

  let embeddedKey: Uint8Array | undefined;
  if (embedded !== undefined) {
    try {
      embeddedKey = decodeEd25519PublicMultikey(embedded);
    } catch (e) {
      if (e instanceof MultikeyError) throw new SignatureError("/signature/pubkey", `bad pubkey: ${e.message}`);
      throw e;
    }
  }
  let key: Uint8Array;
  if (opts?.publicKey !== undefined) {
    if (!(opts.publicKey instanceof Uint8Array) || opts.publicKey.length !== 32) {
      throw new TypeError("opts.publicKey must be a 32-byte Ed25519 public key");
    }
    if (embeddedKey && !bytesEqual(embeddedKey, opts.publicKey)) {
      throw new SignatureError("/signature/pubkey", "key mismatch: signature pubkey is not the expected public key");
    }
    key = opts.publicKey;
  } else if (embeddedKey) {
    key = embeddedKey;
  } else {
    throw new SignatureError("/signature/pubkey", "missing pubkey and no public key supplied: cannot verify");
  }

  // The payload is the document without `proof`; the whole document's text (what digests cover)
  // differs only in the signature member, so the other members are serialized once for both.
  let members: { keys: string[]; parts: string[] };
  try {
    members = canonicalMembers(obj);
  } catch (e) {
    if (e instanceof CanonicalJsonError) throw new SignatureError(e.pointer, `cannot canonicalize: ${e.message}`);
    throw e;
  }
  const canonical = `{${members.parts.join(",")}}`;
  const { proof: _omitted, ...sigWithoutProof } = sig;
  const payloadParts = [...members.parts];
  // Every value of sigWithoutProof is one of sig's, which canonicalMembers accepted.
  payloadParts[members.keys.indexOf("signature")] = `"signature":${canonicalize(sigWithoutProof)}`;
  const payload = encoder.encode(`{${payloadParts.join(",")}}`);

  if (!(await ed25519Verify(proof, payload, key))) throw new SignatureError("/signature/proof", "signature does not verify");

  const result: VerifiedSignature = { pubkey: key, pubkeyMultikey: key === embeddedKey ? embedded! : encodeEd25519PublicMultikey(key), canonical };
  if (controller !== undefined) result.controller = controller;
  if (keyid !== undefined) result.keyid = keyid;
  return result;
}
