/**
 * The declarant's key file: JSON { secret: "z3u2…", pubkey: "z6Mk…", controller?: "did:web:…" },
 * the secret as iscc-crypto stores it, so the same key works with other ISCC-SIG tools.
 */
import { constants as fsConstants } from "node:fs";
import { mkdir, open, readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { generateKeypair, keypairFromSecret, type Keypair } from "../domain/iscc-sig";
import { encodeEd25519PublicMultikey, encodeEd25519SecretMultikey } from "../domain/multikey";
import { CliError } from "./errors";

export interface KeyFile {
  secret: string;
  pubkey: string;
  controller?: string;
}

export function defaultKeyPath(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "optout", "key.json");
}

export function checkController(controller: string): string {
  if (!/^did:web:[^\s:/]+(:[^\s:/]+)*$/.test(controller)) {
    throw new CliError(`--controller must be a did:web identifier such as did:web:example.com, got ${JSON.stringify(controller)}`, 2);
  }
  return controller;
}

/** Creates a new key file; never replaces an existing one, since that would lose the only way to update or revoke. */
export async function writeNewKeyFile(path: string, controller?: string): Promise<KeyFile> {
  const kp = generateKeypair();
  const content: KeyFile = {
    secret: encodeEd25519SecretMultikey(kp.secretKey),
    pubkey: encodeEd25519PublicMultikey(kp.publicKey),
    ...(controller ? { controller } : {}),
  };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let handle;
  try {
    // O_EXCL makes "refuse to overwrite" atomic, and the mode is set at creation so the secret is
    // never readable by others, not even for a moment.
    handle = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") {
      throw new CliError(`${path} already exists; not overwriting it (use --key to choose another file)`);
    }
    throw new CliError(`cannot create ${path}: ${(e as Error).message}`);
  }
  try {
    await handle.writeFile(JSON.stringify(content, null, 2) + "\n");
    // The umask may have narrowed the creation mode; make it exactly 0600 either way.
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
  return content;
}

export async function readKeyFile(path: string): Promise<{ file: KeyFile; keypair: Keypair; warning?: string }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CliError(`no key file at ${path}; create one with \`optout keygen\` or pass --key FILE`);
    }
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
  }
  let file: KeyFile;
  try {
    file = JSON.parse(text) as KeyFile;
  } catch (e) {
    throw new CliError(`${path} is not JSON: ${(e as Error).message}`);
  }
  if (typeof file !== "object" || file === null || typeof file.secret !== "string") {
    throw new CliError(`${path} has no "secret" (expected {"secret": "z3u2…", "pubkey": "z6Mk…"})`);
  }
  let keypair: Keypair;
  try {
    keypair = keypairFromSecret(file.secret, file.controller ? { controller: file.controller } : undefined);
  } catch (e) {
    throw new CliError(`${path}: bad secret: ${(e as Error).message}`);
  }
  if (file.pubkey !== undefined && file.pubkey !== encodeEd25519PublicMultikey(keypair.publicKey)) {
    throw new CliError(`${path}: "pubkey" does not belong to "secret"; the file is corrupt or was edited`);
  }
  const mode = (await stat(path)).mode & 0o777;
  const warning =
    process.platform !== "win32" && mode & 0o077
      ? `warning: ${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 ${path}`
      : undefined;
  return { file, keypair, ...(warning ? { warning } : {}) };
}
