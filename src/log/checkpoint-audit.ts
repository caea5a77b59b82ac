/**
 * Watching a log over time: each newly fetched checkpoint must be signed by the log's key, name
 * the expected origin, and extend every checkpoint seen before it (RFC 6962 consistency). A log
 * that shrinks, changes its root at the same size, or cannot prove consistency has rewritten its
 * history. Used by the `optout audit` command and by registries watching their peers.
 */
import { decodeBase64, encodeBase64 } from "../encoding/base64";
import { verifyCheckpoint } from "./checkpoint";
import { checkTree } from "./merkle";
import type { NoteVerifier } from "./note";

export interface SeenCheckpoint {
  size: number;
  /** base64 root hash */
  root: string;
  note: string;
  seenAt: string;
}

export type AuditOutcome =
  | { ok: true; checkpoint: SeenCheckpoint; grewBy: number }
  | { ok: false; reason: string; checkpoint?: SeenCheckpoint };

export async function auditCheckpoint(opts: {
  note: string;
  origin: string;
  verifier: NoteVerifier;
  previous: SeenCheckpoint | null;
  /** Fetches the consistency proof from `from` to `to` leaves. */
  consistency: (from: number, to: number) => Promise<Uint8Array[]>;
  now?: Date;
}): Promise<AuditOutcome> {
  let parsed;
  try {
    parsed = verifyCheckpoint(opts.note, [opts.verifier], { origin: opts.origin }).checkpoint;
  } catch (e) {
    return { ok: false, reason: `checkpoint does not verify: ${(e as Error).message}` };
  }
  const checkpoint: SeenCheckpoint = {
    size: parsed.size,
    root: encodeBase64(parsed.rootHash),
    note: opts.note,
    seenAt: (opts.now ?? new Date()).toISOString(),
  };
  const prev = opts.previous;
  if (!prev || prev.size === 0) return { ok: true, checkpoint, grewBy: checkpoint.size - (prev?.size ?? 0) };
  if (checkpoint.size < prev.size) return { ok: false, reason: `log shrank from ${prev.size} to ${checkpoint.size} entries`, checkpoint };
  if (checkpoint.size === prev.size) {
    return checkpoint.root === prev.root
      ? { ok: true, checkpoint, grewBy: 0 }
      : { ok: false, reason: `two different roots for tree size ${prev.size}`, checkpoint };
  }
  try {
    const proof = await opts.consistency(prev.size, checkpoint.size);
    checkTree(proof, checkpoint.size, parsed.rootHash, prev.size, decodeBase64(prev.root)!);
  } catch (e) {
    return { ok: false, reason: `no valid consistency proof from ${prev.size} to ${checkpoint.size}: ${(e as Error).message}`, checkpoint };
  }
  return { ok: true, checkpoint, grewBy: checkpoint.size - prev.size };
}
