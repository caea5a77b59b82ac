/**
 * The declarant's key file, as `optout keygen` writes it and the web app imports and exports it:
 * JSON { "secret": "z3u2…", "pubkey": "z6Mk…", "controller"?: "did:web:…" }, the secret as
 * iscc-crypto stores it, so one key works with the CLI, the web app and other ISCC-SIG tools.
 * Pure: reading and writing files is the caller's business.
 */
import { generateKeypair, keypairFromSecret, type Keypair } from "./iscc-sig";
import { encodeEd25519PublicMultikey, encodeEd25519SecretMultikey } from "./multikey";

export interface KeyFile {
  secret: string;
  pubkey: string;
  controller?: string;
}

export class KeyFileError extends Error {
  override name = "KeyFileError";
}

const DID_WEB = /^did:web:[^\s:/]+(:[^\s:/]+)*$/;

export function isDidWeb(controller: string): boolean {
  return DID_WEB.test(controller);
}

/** A new key, with its controller (a did:web) if given. */
export function newKeyFile(controller?: string): { file: KeyFile; keypair: Keypair } {
  if (controller !== undefined && !isDidWeb(controller)) throw new KeyFileError(`controller must be a did:web identifier such as did:web:example.com, got ${JSON.stringify(controller)}`);
  const keypair = generateKeypair(controller ? { controller } : undefined);
  return { file: keyFileOf(keypair), keypair };
}

/** The file content for a keypair. */
export function keyFileOf(keypair: Keypair): KeyFile {
  return {
    secret: encodeEd25519SecretMultikey(keypair.secretKey),
    pubkey: encodeEd25519PublicMultikey(keypair.publicKey),
    ...(keypair.controller ? { controller: keypair.controller } : {}),
  };
}

/** The text written to disk: indented JSON and a final newline, as the CLI writes it. */
export function serializeKeyFile(file: KeyFile): string {
  return JSON.stringify(file, null, 2) + "\n";
}

/** Reads a key file's text; the message of a KeyFileError says what is wrong in words a person can act on. */
export function parseKeyFile(text: string): { file: KeyFile; keypair: Keypair } {
  let file: KeyFile;
  try {
    file = JSON.parse(text) as KeyFile;
  } catch (e) {
    throw new KeyFileError(`not JSON: ${(e as Error).message}`);
  }
  if (typeof file !== "object" || file === null || Array.isArray(file) || typeof file.secret !== "string")
    throw new KeyFileError('no "secret" (expected {"secret": "z3u2…", "pubkey": "z6Mk…"})');
  if (file.controller !== undefined && (typeof file.controller !== "string" || !isDidWeb(file.controller)))
    throw new KeyFileError(`"controller" must be a did:web identifier, got ${JSON.stringify(file.controller)}`);
  let keypair: Keypair;
  try {
    keypair = keypairFromSecret(file.secret, file.controller ? { controller: file.controller } : undefined);
  } catch (e) {
    throw new KeyFileError(`bad secret: ${(e as Error).message}`);
  }
  if (file.pubkey !== undefined && file.pubkey !== encodeEd25519PublicMultikey(keypair.publicKey))
    throw new KeyFileError('"pubkey" does not belong to "secret"; the file is corrupt or was edited');
  return { file: keyFileOf(keypair), keypair };
}
