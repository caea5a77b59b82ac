/**
 * C2SP signed notes (c2sp.org/signed-note), with Ed25519 keys: the envelope of checkpoints.
 *
 * A signed note is a text ending in a newline, a blank line, and one or more signature lines
 * `— <key name> <base64(4-byte key id || signature)>`. Keys are identified by name and key id,
 * key id = SHA-256(name || 0x0A || 0x01 || public key)[:4]; a verifier key is written
 * `<name>+<hex key id>+<base64(0x01 || public key)>` and a signer key
 * `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`, as Go's sumdb/note does.
 */
import * as ed from "@noble/ed25519";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { decodeBase64, encodeBase64 } from "../encoding/base64";

// The synchronous Ed25519 API needs a SHA-512; notes are signed inside synchronous sequencer code.
ed.hashes.sha512 = sha512;

/** Signature type byte of Ed25519 in signed notes. */
export const ALG_ED25519 = 0x01;

/** Verifiers must accept at least 16 signatures (C2SP); more than this is treated as abuse. */
const MAX_SIGNATURES = 100;

const EM_DASH_PREFIX = "\u2014 ";

export class NoteError extends Error {
  override name = "NoteError";
}

/** The message is not a well-formed signed note; the message says what is wrong. */
export class MalformedNoteError extends NoteError {
  override name = "MalformedNoteError";
  constructor(reason: string) {
    super(`malformed note: ${reason}`);
  }
}

/** A verifier or signer key string is malformed, or its key id does not match its key. */
export class NoteKeyError extends NoteError {
  override name = "NoteKeyError";
}

/** The note parsed, but none of its signatures is by a known key. */
export class UnverifiedNoteError extends NoteError {
  override name = "UnverifiedNoteError";
  constructor(readonly note: Note) {
    const keys = note.unverifiedSigs.map((s) => `${s.name}+${hexKeyId(s.keyId)}`).join(", ");
    super(`note has no signature by a known key (signed by: ${keys})`);
  }
}

/** A signature by a known key does not verify. */
export class InvalidSignatureError extends NoteError {
  override name = "InvalidSignatureError";
  constructor(
    readonly keyName: string,
    readonly keyId: number,
  ) {
    super(`invalid signature for key ${keyName}+${hexKeyId(keyId)}`);
  }
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(message: Uint8Array): Uint8Array;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature as written in the note: base64(key id || signature). */
  base64: string;
}

export interface Note {
  /** The signed text, including its final newline. */
  text: string;
  /** Signatures verified by a known key. */
  sigs: NoteSignature[];
  /** Signatures by keys not among the verifiers (kept, since C2SP says to ignore them). */
  unverifiedSigs: NoteSignature[];
}

const utf8 = new TextEncoder();

function hexKeyId(id: number): string {
  return id.toString(16).padStart(8, "0");
}

/** Key names are non-empty and contain neither Unicode white space nor "+". */
export function isValidKeyName(name: string): boolean {
  return name !== "" && !/[\s\u0085+]/u.test(name) && !LONE_SURROGATE.test(name);
}

// JavaScript's \s covers Unicode White_Space except U+0085, which Go's unicode.IsSpace also
// counts; a lone surrogate has no UTF-8 encoding.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /[\u0000-\u0009\u000B-\u001F]/;

/** SHA-256(name || "\n" || 0x01 || public key)[:4] as a big-endian uint32. */
export function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  const n = utf8.encode(name);
  const buf = new Uint8Array(n.length + 2 + publicKey.length);
  buf.set(n, 0);
  buf[n.length] = 0x0a;
  buf[n.length + 1] = ALG_ED25519;
  buf.set(publicKey, n.length + 2);
  const h = sha256(buf);
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

function requireName(name: string): void {
  if (!isValidKeyName(name)) throw new NoteKeyError(`invalid key name ${JSON.stringify(name)}`);
}

function requireKeyBytes(what: string, key: Uint8Array): void {
  if (key.length !== 32) throw new NoteKeyError(`${what} must be 32 bytes, got ${key.length}`);
}

function withAlg(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + key.length);
  out[0] = ALG_ED25519;
  out.set(key, 1);
  return out;
}

/** The verifier key string for an Ed25519 public key. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  requireName(name);
  requireKeyBytes("Ed25519 public key", publicKey);
  return `${name}+${hexKeyId(ed25519KeyId(name, publicKey))}+${encodeBase64(withAlg(publicKey))}`;
}

/** The signer key string for an Ed25519 seed (RFC 8032 32-byte secret key). Keep it secret. */
export function formatSignerKey(name: string, seed: Uint8Array): string {
  requireName(name);
  requireKeyBytes("Ed25519 seed", seed);
  const id = ed25519KeyId(name, ed.getPublicKey(seed));
  return `PRIVATE+KEY+${name}+${hexKeyId(id)}+${encodeBase64(withAlg(seed))}`;
}

export function ed25519Verifier(name: string, publicKey: Uint8Array): NoteVerifier {
  requireName(name);
  requireKeyBytes("Ed25519 public key", publicKey);
  const key = publicKey.slice();
  return {
    name,
    keyId: ed25519KeyId(name, key),
    verify(message, signature) {
      if (signature.length !== 64) return false;
      try {
        // RFC 8032 rules rather than ZIP-215, like Go's crypto/ed25519 that wrote the vectors.
        return ed.verify(signature, message, key, { zip215: false });
      } catch {
        return false;
      }
    },
  };
}

export function ed25519Signer(name: string, seed: Uint8Array): NoteSigner {
  requireName(name);
  requireKeyBytes("Ed25519 seed", seed);
  const secret = seed.slice();
  return {
    name,
    keyId: ed25519KeyId(name, ed.getPublicKey(secret)),
    sign: (message) => ed.sign(message, secret),
  };
}

/** Splits `<name>+<hex key id>+<base64 key>` and checks everything but the key id. */
function splitKey(what: string, s: string): { name: string; keyId: number; key: Uint8Array } {
  // Base64 may itself contain "+", so only the first two separate fields.
  const first = s.indexOf("+");
  const second = first < 0 ? -1 : s.indexOf("+", first + 1);
  if (second < 0) throw new NoteKeyError(`malformed ${what}: expected <name>+<key id>+<key>`);
  const name = s.slice(0, first);
  const hex = s.slice(first + 1, second);
  const b64 = s.slice(second + 1);
  requireName(name);
  if (!/^[0-9a-f]{8}$/.test(hex)) throw new NoteKeyError(`malformed ${what}: key id must be 8 lower-case hex digits`);
  const raw = decodeBase64(b64);
  if (raw === null || raw.length === 0) throw new NoteKeyError(`malformed ${what}: key is not canonical base64`);
  if (raw[0] !== ALG_ED25519) throw new NoteKeyError(`unsupported ${what} algorithm 0x${raw[0]!.toString(16).padStart(2, "0")}`);
  const key = raw.subarray(1);
  if (key.length !== 32) throw new NoteKeyError(`malformed ${what}: Ed25519 key must be 32 bytes, got ${key.length}`);
  return { name, keyId: parseInt(hex, 16), key };
}

export function parseVerifierKey(vkey: string): NoteVerifier {
  const { name, keyId, key } = splitKey("verifier key", vkey);
  const v = ed25519Verifier(name, key);
  if (v.keyId !== keyId) throw new NoteKeyError(`verifier key id ${hexKeyId(keyId)} does not match its key (${hexKeyId(v.keyId)})`);
  return v;
}

export function parseSignerKey(skey: string): NoteSigner {
  if (!skey.startsWith("PRIVATE+KEY+")) throw new NoteKeyError("malformed signer key: must start with PRIVATE+KEY+");
  const { name, keyId, key } = splitKey("signer key", skey.slice("PRIVATE+KEY+".length));
  const s = ed25519Signer(name, key);
  // The key id names the public key, so it can only be checked after deriving it from the seed.
  if (s.keyId !== keyId) throw new NoteKeyError(`signer key id ${hexKeyId(keyId)} does not match its key (${hexKeyId(s.keyId)})`);
  return s;
}

/** A fresh Ed25519 key pair, as signer and verifier key strings. */
export function generateNoteKey(name: string): { signerKey: string; verifierKey: string } {
  const seed = ed.utils.randomSecretKey();
  return { signerKey: formatSignerKey(name, seed), verifierKey: formatVerifierKey(name, ed.getPublicKey(seed)) };
}

/** Why `s` cannot appear in a signed note, or null if it can. */
function textProblem(s: string): string | null {
  if (LONE_SURROGATE.test(s)) return "not valid Unicode (lone surrogate)";
  const c = CONTROL.exec(s);
  if (c) return `control character U+${c[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()} at offset ${c.index}`;
  return null;
}

/** Signs `text` (which must end in a newline) with each signer, in order. */
export function signNote(text: string, ...signers: NoteSigner[]): string {
  const message = noteMessage(text, signers.length);
  return `${text}\n` + signers.map((s) => signatureLine(s, s.sign(message))).join("");
}

/** A signer whose signature comes asynchronously (e.g. WebCrypto's native Ed25519). */
export interface AsyncNoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** signNote for asynchronous signers; the note is the same. */
export async function signNoteAsync(text: string, ...signers: AsyncNoteSigner[]): Promise<string> {
  const message = noteMessage(text, signers.length);
  const sigs = await Promise.all(signers.map((s) => s.sign(message)));
  return `${text}\n` + signers.map((s, i) => signatureLine(s, sigs[i]!)).join("");
}

/** Checks the text and the signer count, and returns the bytes every signer signs. */
function noteMessage(text: string, signers: number): Uint8Array {
  if (!text.endsWith("\n")) throw new MalformedNoteError("text must end with a newline");
  const problem = textProblem(text);
  if (problem) throw new MalformedNoteError(`text contains ${problem}`);
  if (signers === 0) throw new NoteError("signNote needs at least one signer");
  return utf8.encode(text);
}

function signatureLine(s: { name: string; keyId: number }, sig: Uint8Array): string {
  requireName(s.name);
  if (!Number.isInteger(s.keyId) || s.keyId < 0 || s.keyId > 0xffffffff) throw new NoteKeyError(`invalid key id ${s.keyId}`);
  const raw = new Uint8Array(4 + sig.length);
  new DataView(raw.buffer).setUint32(0, s.keyId);
  raw.set(sig, 4);
  return `${EM_DASH_PREFIX}${s.name} ${encodeBase64(raw)}\n`;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Parses a signed note and verifies the signatures by known keys.
 *
 * Signatures by unknown keys are returned unverified; a signature by a known key that fails throws
 * InvalidSignatureError; a note without any verified signature throws UnverifiedNoteError.
 */
export function openNote(msg: string | Uint8Array, verifiers: readonly NoteVerifier[]): Note {
  let s: string;
  if (typeof msg === "string") {
    s = msg;
  } else {
    try {
      s = strictUtf8.decode(msg);
    } catch {
      throw new MalformedNoteError("not valid UTF-8");
    }
  }
  const problem = textProblem(s);
  if (problem) throw new MalformedNoteError(`contains ${problem}`);

  // The text may itself contain blank lines; the signatures follow the last one.
  const split = s.lastIndexOf("\n\n");
  if (split < 0) throw new MalformedNoteError("no blank line before the signatures");
  const text = s.slice(0, split + 1);
  const block = s.slice(split + 2);
  if (block === "") throw new MalformedNoteError("no signature lines");
  if (!block.endsWith("\n")) throw new MalformedNoteError("last signature line does not end with a newline");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) throw new MalformedNoteError(`more than ${MAX_SIGNATURES} signatures`);

  const message = utf8.encode(text);
  const note: Note = { text, sigs: [], unverifiedSigs: [] };
  const verified = new Set<string>();
  const unverifiedLines = new Set<string>();
  lines.forEach((line, i) => {
    const where = `signature line ${i + 1}`;
    if (!line.startsWith(EM_DASH_PREFIX)) throw new MalformedNoteError(`${where} does not start with "\u2014 "`);
    const rest = line.slice(EM_DASH_PREFIX.length);
    const space = rest.indexOf(" ");
    if (space < 0) throw new MalformedNoteError(`${where} has no space between key name and signature`);
    const name = rest.slice(0, space);
    const b64 = rest.slice(space + 1);
    if (!isValidKeyName(name)) throw new MalformedNoteError(`${where} has an invalid key name`);
    const raw = decodeBase64(b64);
    if (raw === null) throw new MalformedNoteError(`${where} signature is not canonical base64`);
    if (raw.length < 5) throw new MalformedNoteError(`${where} signature is too short`);
    const keyId = new DataView(raw.buffer, raw.byteOffset).getUint32(0);
    const sig: NoteSignature = { name, keyId, base64: b64 };

    const matches = verifiers.filter((v) => v.name === name && v.keyId === keyId);
    if (matches.length === 0) {
      if (!unverifiedLines.has(line)) note.unverifiedSigs.push(sig);
      unverifiedLines.add(line);
      return;
    }
    if (matches.length > 1) throw new NoteKeyError(`ambiguous key ${name}+${hexKeyId(keyId)}: several verifiers share it`);
    // A key signs once; a repeated signature line by the same key adds nothing (Go does the same).
    const id = `${name}+${keyId}`;
    if (verified.has(id)) return;
    verified.add(id);
    if (!matches[0]!.verify(message, raw.subarray(4))) throw new InvalidSignatureError(name, keyId);
    note.sigs.push(sig);
  });
  if (note.sigs.length === 0) throw new UnverifiedNoteError(note);
  return note;
}
