import { env, evictDurableObject, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { decodeBase64 } from "../../src/encoding/base64";
import { logEntry } from "../../src/log/entry";
import { checkRecord, checkTree, leafHash, nodeHash, storedHashCount } from "../../src/log/merkle";
import { decodeEntryBundle } from "../../src/log/tiles";
import { declaration, get, newKey, post } from "./helpers";

const b64 = (s: string) => decodeBase64(s)!;

/**
 * Parses a C2SP checkpoint by hand and checks its Ed25519 note signature with WebCrypto, not with
 * the project's note code: key id = SHA-256(name || 0x0A || 0x01 || pubkey)[:4].
 */
async function verifyCheckpoint(note: string, publicKey: Uint8Array) {
  const [body, sigs] = note.split("\n\n") as [string, string];
  const [origin, size, root] = body.split("\n") as [string, string, string];
  const line = sigs.split("\n").find((l) => l.startsWith("— "))!;
  const [, name, sigB64] = line.split(" ") as [string, string, string];
  expect(name).toBe(origin);
  const raw = b64(sigB64);
  const keyIdInput = new Uint8Array([...new TextEncoder().encode(name), 0x0a, 0x01, ...publicKey]);
  const keyId = new Uint8Array(await crypto.subtle.digest("SHA-256", keyIdInput)).slice(0, 4);
  expect([...raw.slice(0, 4)]).toEqual([...keyId]);
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, raw.slice(4), new TextEncoder().encode(body + "\n"));
  return { ok, origin, size: Number(size), root: b64(root) };
}

async function registryKey(): Promise<Uint8Array> {
  return decodeEd25519PublicMultikey((await get("/.well-known/opt-out-registry")).body.public_key);
}

async function registerSome(n: number, tag: string): Promise<string[]> {
  const key = newKey();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await post("/v1/declarations", await declaration(key, { urls: [`https://log.example/${tag}/${i}`] }))).body.id);
  return ids;
}

/** Registrations sent at once, so the sequencer appends them to the log in groups of several leaves. */
async function registerConcurrently(n: number, tag: string): Promise<void> {
  const key = newKey();
  const ds = await Promise.all(Array.from({ length: n }, (_, i) => declaration(key, { urls: [`https://log.example/${tag}/${i}`] })));
  for (const r of await Promise.all(ds.map((d) => post("/v1/declarations", d)))) expect(r.status).toBe(201);
}

describe("transparency log", () => {
  it("publishes a signed checkpoint covering every registered declaration", async () => {
    await registerSome(5, "a");
    const note = (await get("/log/checkpoint")).body as string;
    const cp = await verifyCheckpoint(note, await registryKey());
    expect(cp.ok).toBe(true);
    expect(cp.size).toBe(5);
    const tampered = note.replace(/\n5\n/, "\n6\n");
    expect((await verifyCheckpoint(tampered, await registryKey())).ok).toBe(false);
  });

  it("proves inclusion of each declaration; the leaf is recomputed from the declaration and receipt", async () => {
    const ids = await registerSome(7, "b");
    const cp = await verifyCheckpoint((await get("/log/checkpoint")).body, await registryKey());
    for (const id of ids) {
      const p = (await get(`/v1/declarations/${id}/proof`)).body;
      const shown = (await get(`/v1/declarations/${id}`)).body;
      const leaf = leafHash(logEntry(shown.declaration, shown.receipt));
      expect([...leaf]).toEqual([...b64(p.leaf_hash)]);
      expect(p.tree_size).toBe(cp.size);
      expect(() => checkRecord(p.proof.map(b64), p.tree_size, cp.root, p.leaf_index, leaf)).not.toThrow();
      if (p.proof.length) {
        const bad = p.proof.map(b64);
        bad[0]![0]! ^= 1;
        expect(() => checkRecord(bad, p.tree_size, cp.root, p.leaf_index, leaf)).toThrow();
      }
      expect(() => checkRecord(p.proof.map(b64), p.tree_size, cp.root, p.leaf_index, leafHash(new Uint8Array([1])))).toThrow();
    }
  });

  it("proves consistency between checkpoints, and inclusion against an earlier size", async () => {
    const [first] = await registerSome(3, "c");
    const old = await verifyCheckpoint((await get("/log/checkpoint")).body, await registryKey());
    await registerSome(4, "d");
    const now = await verifyCheckpoint((await get("/log/checkpoint")).body, await registryKey());
    const c = (await get(`/v1/log/consistency?from=${old.size}&to=${now.size}`)).body;
    expect(() => checkTree(c.proof.map(b64), now.size, now.root, old.size, old.root)).not.toThrow();
    expect(() => checkTree(c.proof.map(b64), now.size, now.root, old.size, now.root)).toThrow();
    const p = (await get(`/v1/declarations/${first}/proof?tree_size=${old.size}`)).body;
    expect(p.tree_size).toBe(old.size);
    expect(() => checkRecord(p.proof.map(b64), old.size, old.root, p.leaf_index, b64(p.leaf_hash))).not.toThrow();
  });

  it("refuses proofs for sizes the log does not have", async () => {
    const [id] = await registerSome(1, "e");
    const r = await get(`/v1/declarations/${id}/proof?tree_size=999999`);
    expect(r.status).toBe(422);
    expect(r.body.errors[0].pointer).toBe("/tree_size");
    expect((await get("/v1/log/consistency?from=0")).status).toBe(422);
    expect((await get("/v1/log/consistency?from=5&to=999999")).body.errors[0].pointer).toBe("/to");
  });

  it("survives a Durable Object restart, and repairs a log that missed a committed group", async () => {
    await registerSome(4, "f");
    const atKeep = (await get("/log/checkpoint")).body as string;
    const keep = (await verifyCheckpoint(atKeep, await registryKey())).size;
    await registerSome(2, "f2");
    const before = await verifyCheckpoint((await get("/log/checkpoint")).body, await registryKey());
    expect(before.size).toBe(keep + 2);
    const stub = env.SEQUENCER.get(env.SEQUENCER.idFromName("sequencer"));
    await evictDurableObject(stub);
    const after = await verifyCheckpoint((await get("/log/checkpoint")).body, await registryKey());
    expect(after.size).toBe(before.size);
    expect([...after.root]).toEqual([...before.root]);

    // Forget the last two leaves, as if the object died between the D1 commit and the log append:
    // the log is back at `keep` leaves with the checkpoint it had signed then.
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("DELETE FROM log_hashes WHERE idx >= ?", storedHashCount(keep));
      sql.exec("UPDATE log_state SET value = ? WHERE key = 'size'", String(keep));
      sql.exec("UPDATE log_state SET value = ? WHERE key = 'checkpoint'", atKeep);
      expect(sql.exec<{ n: number }>("SELECT count(*) AS n FROM log_hashes").one().n).toBe(storedHashCount(keep));
    });
    await evictDurableObject(stub);
    // On start the two committed declarations are appended again from D1: the very same tree.
    const repaired = await verifyCheckpoint((await get("/log/checkpoint")).body, await registryKey());
    expect(repaired.size).toBe(before.size);
    expect([...repaired.root]).toEqual([...before.root]);
    expect((await SELF.fetch(`http://registry.test/log/tile/entries/000.p/${before.size}`)).status).toBe(200);

    await registerSome(1, "g");
    const grown = await verifyCheckpoint((await get("/log/checkpoint")).body, await registryKey());
    expect(grown.size).toBe(before.size + 1);
    const c = (await get(`/v1/log/consistency?from=${keep}&to=${grown.size}`)).body;
    const old = await verifyCheckpoint(atKeep, await registryKey());
    expect(() => checkTree(c.proof.map(b64), grown.size, grown.root, keep, old.root)).not.toThrow();
  });
});

describe("tiles (C2SP tlog-tiles)", () => {
  it("serves hash tiles and entry bundles that rebuild the checkpoint's root", async () => {
    await registerSome(10, "tiles");
    // Appended in groups: the interior hashes a group completes from its own leaves must be the tree's.
    await registerConcurrently(40, "tiles-group");
    const cp = await verifyCheckpoint((await get("/log/checkpoint")).body, await registryKey());
    const w = cp.size % 256;
    expect(cp.size).toBeLessThan(256);
    const res = await SELF.fetch(`http://registry.test/log/tile/0/000.p/${w}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("max-age=60");
    const level0 = new Uint8Array(await res.arrayBuffer());
    expect(level0.length).toBe(32 * w);
    const leaves = Array.from({ length: w }, (_, i) => level0.subarray(i * 32, i * 32 + 32));
    expect([...mth(leaves)]).toEqual([...cp.root]);

    const bundle = new Uint8Array(await (await SELF.fetch(`http://registry.test/log/tile/entries/000.p/${w}`)).arrayBuffer());
    const entries = decodeEntryBundle(bundle);
    expect(entries).toHaveLength(w);
    entries.forEach((e, i) => expect([...leafHash(e)]).toEqual([...leaves[i]!]));

    expect((await SELF.fetch(`http://registry.test/log/tile/0/000.p/${w + 1}`)).status).toBe(404);
    expect((await SELF.fetch("http://registry.test/log/tile/0/000")).status).toBe(404);
    expect((await SELF.fetch("http://registry.test/log/tile/0/0")).status).toBe(404);
  });
});

/** RFC 6962 MTH computed directly from leaf hashes (independent of the stored-hash layout). */
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
