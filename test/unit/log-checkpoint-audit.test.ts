import { describe, expect, it } from "vitest";
import { generateKeypair } from "../../src/domain/iscc-sig";
import { signCheckpoint } from "../../src/log/checkpoint";
import { auditCheckpoint, type SeenCheckpoint } from "../../src/log/checkpoint-audit";
import { leafHash, proveTree, storedHashCount, storedHashesForRecord, treeHash } from "../../src/log/merkle";
import { ed25519Signer, ed25519Verifier } from "../../src/log/note";

const ORIGIN = "registry.test/log";
const key = generateKeypair();
const verifier = ed25519Verifier(ORIGIN, key.publicKey);

function log(entries: string[]) {
  const hashes: Uint8Array[] = [];
  const read = (ix: number[]) => ix.map((i) => hashes[i]!);
  entries.forEach((e, n) => {
    const start = storedHashCount(n);
    storedHashesForRecord(n, leafHash(new TextEncoder().encode(e)), read).forEach((h, i) => (hashes[start + i] = h));
  });
  return {
    note: (size: number, signer = ed25519Signer(ORIGIN, key.secretKey), origin = ORIGIN) =>
      signCheckpoint({ origin, size, rootHash: treeHash(size, read) }, signer),
    consistency: async (from: number, to: number) => proveTree(to, from, read),
  };
}

async function seen(l: ReturnType<typeof log>, size: number): Promise<SeenCheckpoint> {
  const r = await auditCheckpoint({ note: l.note(size), origin: ORIGIN, verifier, previous: null, consistency: l.consistency });
  if (!r.ok) throw new Error(r.reason);
  return r.checkpoint;
}

describe("auditCheckpoint", () => {
  const honest = log(["a", "b", "c", "d", "e", "f", "g"]);

  it("accepts a log that only grows, with a valid consistency proof", async () => {
    const r = await auditCheckpoint({ note: honest.note(7), origin: ORIGIN, verifier, previous: await seen(honest, 3), consistency: honest.consistency });
    expect(r).toMatchObject({ ok: true, grewBy: 4 });
  });

  it("refuses a log that shrank, or shows another root for a size it showed before", async () => {
    const shrank = await auditCheckpoint({ note: honest.note(3), origin: ORIGIN, verifier, previous: await seen(honest, 5), consistency: honest.consistency });
    expect(shrank).toMatchObject({ ok: false, reason: expect.stringContaining("shrank") });
    const forked = log(["a", "b", "X", "d", "e"]);
    const fork = await auditCheckpoint({ note: forked.note(5), origin: ORIGIN, verifier, previous: await seen(honest, 5), consistency: forked.consistency });
    expect(fork).toMatchObject({ ok: false, reason: expect.stringContaining("two different roots") });
  });

  it("refuses a rewritten history that has grown since (no consistency proof can exist)", async () => {
    const rewritten = log(["a", "b", "X", "d", "e", "f", "g"]);
    const r = await auditCheckpoint({ note: rewritten.note(7), origin: ORIGIN, verifier, previous: await seen(honest, 4), consistency: rewritten.consistency });
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining("no valid consistency proof") });
  });

  it("refuses a checkpoint signed by another key or for another origin", async () => {
    const other = generateKeypair();
    const wrongKey = await auditCheckpoint({ note: honest.note(4, ed25519Signer(ORIGIN, other.secretKey)), origin: ORIGIN, verifier, previous: null, consistency: honest.consistency });
    expect(wrongKey.ok).toBe(false);
    const wrongOrigin = await auditCheckpoint({ note: honest.note(4, ed25519Signer("elsewhere/log", key.secretKey), "elsewhere/log"), origin: ORIGIN, verifier, previous: null, consistency: honest.consistency });
    expect(wrongOrigin.ok).toBe(false);
  });
});
