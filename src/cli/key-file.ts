/**
 * The declarant's key file on disk. Its format, { secret: "z3u2…", pubkey: "z6Mk…", controller?:
 * "did:web:…" }, is src/domain/key-file.ts, shared with the web app (which imports and exports the
 * same file); this module adds the file system: where it lives, 0600, never overwritten.
 */
import { constants as fsConstants } from "node:fs";
import { mkdir, open, readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { Keypair } from "../domain/iscc-sig";
import { KeyFileError, newKeyFile, parseKeyFile, serializeKeyFile, type KeyFile } from "../domain/key-file";
import { CliError } from "./errors";

export type { KeyFile };

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
  const content = newKeyFile(controller).file;
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
    await handle.writeFile(serializeKeyFile(content));
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
  let parsed: { file: KeyFile; keypair: Keypair };
  try {
    parsed = parseKeyFile(text);
  } catch (e) {
    if (e instanceof KeyFileError) throw new CliError(`${path}: ${e.message}`);
    throw e;
  }
  const { file, keypair } = parsed;
  const mode = (await stat(path)).mode & 0o777;
  const warning =
    process.platform !== "win32" && mode & 0o077
      ? `warning: ${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 ${path}`
      : undefined;
  return { file, keypair, ...(warning ? { warning } : {}) };
}
