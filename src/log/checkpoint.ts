/**
 * C2SP transparency-log checkpoints (c2sp.org/tlog-checkpoint): the signed tree head.
 *
 * The body of the signed note is the origin line, the tree size in decimal, the base64 root hash,
 * then optional non-empty extension lines, each line ending in a newline.
 */
import { decodeBase64, encodeBase64 } from "../encoding/base64";
import { HASH_SIZE } from "./merkle";
import { openNote, signNote, type Note, type NoteSigner, type NoteVerifier } from "./note";

export interface Checkpoint {
  origin: string;
  /** Number of leaves. Limited to 2^53 - 1, like every size in src/log. */
  size: number;
  rootHash: Uint8Array;
  extensions: string[];
}

/** A checkpoint body is malformed, or is not the one that was expected. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

const CONTROL = /[\u0000-\u001F]/;

export function formatCheckpoint(c: { origin: string; size: number; rootHash: Uint8Array; extensions?: string[] }): string {
  if (c.origin === "" || CONTROL.test(c.origin)) throw new CheckpointError("origin must be non-empty and free of control characters");
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new CheckpointError(`tree size must be a non-negative safe integer, got ${String(c.size)}`);
  if (c.rootHash.length !== HASH_SIZE) throw new CheckpointError(`root hash must be ${HASH_SIZE} bytes`);
  const ext = c.extensions ?? [];
  ext.forEach((line, i) => {
    if (line === "" || CONTROL.test(line)) throw new CheckpointError(`extension line ${i + 1} must be non-empty and free of control characters`);
  });
  return [c.origin, String(c.size), encodeBase64(c.rootHash), ...ext].map((l) => `${l}\n`).join("");
}

export function parseCheckpoint(body: string): Checkpoint {
  if (!body.endsWith("\n")) throw new CheckpointError("checkpoint must end with a newline");
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3) throw new CheckpointError(`checkpoint has ${lines.length} lines, needs origin, size and root hash`);
  const empty = lines.findIndex((l) => l === "");
  if (empty >= 0) throw new CheckpointError(`checkpoint line ${empty + 1} is empty`);
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (CONTROL.test(body.replaceAll("\n", ""))) throw new CheckpointError("checkpoint contains a control character");
  // Decimal without leading zeros, so each size has a single spelling.
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine)) throw new CheckpointError(`tree size ${JSON.stringify(sizeLine)} is not a decimal number without leading zeros`);
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw new CheckpointError(`tree size ${sizeLine} exceeds 2^53 - 1`);
  const rootHash = decodeBase64(rootLine);
  if (rootHash === null) throw new CheckpointError("root hash is not canonical base64");
  if (rootHash.length !== HASH_SIZE) throw new CheckpointError(`root hash is ${rootHash.length} bytes, expected ${HASH_SIZE}`);
  return { origin, size, rootHash, extensions };
}

export function signCheckpoint(
  c: { origin: string; size: number; rootHash: Uint8Array; extensions?: string[] },
  ...signers: NoteSigner[]
): string {
  return signNote(formatCheckpoint(c), ...signers);
}

/**
 * Opens a signed checkpoint (see openNote for the signature rules) and parses its body. Clients
 * should pass the origin they expect, since any log's key could otherwise vouch for any origin.
 */
export function verifyCheckpoint(
  msg: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  opts: { origin?: string } = {},
): { checkpoint: Checkpoint; note: Note } {
  const note = openNote(msg, verifiers);
  const checkpoint = parseCheckpoint(note.text);
  if (opts.origin !== undefined && checkpoint.origin !== opts.origin) {
    throw new CheckpointError(`checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the expected ${JSON.stringify(opts.origin)}`);
  }
  return { checkpoint, note };
}
