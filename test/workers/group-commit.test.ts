/**
 * Group commit: concurrent registrations reach the sequencer together and are committed as one
 * group, each table's rows carried by ONE JSON parameter (store/bound-parameters insertJsonRows) and
 * the status changes of earlier declarations by one UPDATE … FROM json_each. These check that what
 * the JSON path stores reads back exactly as signed, and that an object dying between a group's D1
 * commit and its log append leaves, once restarted, the log equal to D1 with nothing half-written.
 */
import { env, runInDurableObject } from "cloudflare:test";
import type { Sequencer } from "../../src/durable/sequencer";
import { describe, expect, it } from "vitest";
import { verifyJson } from "../../src/domain/iscc-sig";
import { conflictsDetected, contentUnit, declaration, get, newKey, post, randomBody } from "./helpers";

const sequencer = () => env.SEQUENCER.get(env.SEQUENCER.idFromName("sequencer"));

/** The size the signed checkpoint states (second line of the note). */
async function logSize(): Promise<number> {
  const res = await get("/log/checkpoint");
  expect(res.status).toBe(200);
  return Number((res.body as string).split("\n")[1]);
}

async function d1Count(sql: string): Promise<number> {
  return (await env.DB.prepare(sql).first<{ n: number }>())!.n;
}

describe("group commit", () => {
  it("stores a concurrent group through JSON parameters exactly as signed: bodies, subjects, flags, Unicode", async () => {
    const [rules0, units0, size0] = [await d1Count("SELECT count(*) AS n FROM url_rules"), await d1Count("SELECT count(*) AS n FROM iscc_units"), await logSize()];
    const key = newKey();
    const ds = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        declaration(key, {
          urls: [`https://bücher-${i}.example/ë/${i}/*`, `https://plain-${i}.example/"quoted"\\path/${i}`],
          ...(i % 3 === 0 ? { iscc: contentUnit(randomBody()) } : {}),
          preferences: { "train-ai": "n", "search": "y" },
        }),
      ),
    );
    const results = await Promise.all(ds.map((d) => post("/v1/declarations", d)));
    expect(results.map((r) => r.status)).toEqual(ds.map(() => 201));
    // A group's receipts share its commit time: fewer distinct times than registrations means groups formed.
    expect(new Set(results.map((r) => r.body.receipt.registered_at)).size).toBeLessThan(ds.length);

    for (const [i, r] of results.entries()) {
      const stored = await get(`/v1/declarations/${encodeURIComponent(r.body.id)}`);
      expect(stored.status).toBe(200);
      expect(stored.body.declaration).toEqual(ds[i]);
      await expect(verifyJson(stored.body.declaration)).resolves.toBeTruthy();
      expect(stored.body.receipt).toEqual(r.body.receipt);
    }
    const row = await env.DB.prepare("SELECT controller_verified, typeof(controller_verified) AS t, typeof(seq) AS s, preferences FROM declarations WHERE id = ?")
      .bind(results[5]!.body.id)
      .first<{ controller_verified: number; t: string; s: string; preferences: string }>();
    expect(row).toEqual({ controller_verified: 0, t: "integer", s: "integer", preferences: JSON.stringify({ "train-ai": "n", search: "y" }) });
    expect(await d1Count("SELECT count(*) AS n FROM url_rules")).toBe(rules0 + 48);
    expect(await d1Count("SELECT count(*) AS n FROM iscc_units")).toBe(units0 + 8);
    const hit = await get(`/v1/lookup?url=${encodeURIComponent("https://BÜCHER-7.example/ë/7/page")}`);
    expect(hit.body.declarations.map((d: { id: string }) => d.id)).toEqual([results[7]!.body.id]);
    expect(await logSize()).toBe(size0 + 24);
  });

  it("a group of first registrations holding retries of stored declarations: they get their stored receipts, the others seqs without a gap", async () => {
    const key = newKey();
    const stored = await declaration(key, { urls: ["https://retry.example/stored"] });
    const first = await post("/v1/declarations", stored);
    expect(first.status).toBe(201);
    const [a, b] = [await declaration(key, { urls: ["https://retry.example/a"] }), await declaration(key, { urls: ["https://retry.example/b"] })];
    const size0 = await logSize();
    // One group: planned as if nothing were stored, its batch fails on the stored digest, and it is decided again from D1.
    const r = await post("/v1/declarations/batch", [a, stored, b, a]);
    expect(r.status).toBe(200);
    const results = r.body.results as { outcome: string; id: string; seq: number; receipt: unknown }[];
    expect(results.map((x) => x.outcome)).toEqual(["created", "exists", "created", "exists"]);
    expect(results[1]!.receipt).toEqual(first.body.receipt);
    expect(results[3]!.id).toBe(results[0]!.id);
    expect(results[2]!.seq).toBe(results[0]!.seq + 1);
    expect(await logSize()).toBe(size0 + 2);
    expect(await d1Count(`SELECT count(*) AS n FROM url_rules WHERE host = 'retry.example'`)).toBe(3);
  });

  it("writes status changes of a group in one statement: updates and revocations of earlier declarations", async () => {
    const size0 = await logSize();
    const keys = Array.from({ length: 6 }, () => newKey());
    const first = await Promise.all(keys.map((k, i) => declaration(k, { urls: [`https://status.example/${i}/*`] })));
    const created = await Promise.all(first.map((d) => post("/v1/declarations", d)));
    expect(created.map((r) => r.status)).toEqual(first.map(() => 201));
    const next = await Promise.all(
      keys.map((k, i) =>
        i % 2 === 0
          ? declaration(k, { intent: "update", supersedes: created[i]!.body.id, urls: [`https://status.example/${i}/v2/*`] })
          : declaration(k, { intent: "revoke", supersedes: created[i]!.body.id, preferences: undefined }),
      ),
    );
    const changed = await Promise.all(next.map((d) => post("/v1/declarations", d)));
    expect(changed.map((r) => r.status)).toEqual(next.map(() => 201));
    for (const [i, r] of created.entries()) {
      const row = await env.DB.prepare("SELECT status FROM declarations WHERE id = ?").bind(r.body.id).first<{ status: string }>();
      expect(row!.status).toBe(i % 2 === 0 ? "superseded" : "revoked");
    }
    expect(await logSize()).toBe(size0 + 12);
  });

  it("the object dies between a group's D1 commit and its log append: the log is repaired from D1, gapless, nothing half-written", async () => {
    const before = await d1Count("SELECT count(*) AS n FROM declarations");
    // The second group's log append aborts the object (as an eviction or a crash would, there):
    // its rows are in D1, its callers and everything queued behind it get an error.
    await runInDurableObject(sequencer(), (instance: Sequencer, state) => {
      const self = instance as unknown as { appendToLog(entries: Uint8Array[]): Promise<void> };
      const append = self.appendToLog.bind(instance);
      let groups = 0;
      self.appendToLog = async (entries) => {
        if (entries.length && ++groups === 2) state.abort("test: died between the D1 commit and the log append");
        return append(entries);
      };
    });
    const key = newKey();
    const ds = await Promise.all(Array.from({ length: 60 }, (_, i) => declaration(key, { urls: [`https://evict.example/${i}/*`, `https://evict-b.example/${i}`] })));
    // Two bursts, so that at least two groups form (concurrent arrivals may all gather into one).
    const results = [...(await Promise.all(ds.slice(0, 20).map((d) => post("/v1/declarations", d))))];
    results.push(...(await Promise.all(ds.slice(20).map((d) => post("/v1/declarations", d)))));
    const created = results.filter((r) => r.status === 201);
    for (const r of results) expect([201, 500]).toContain(r.status);
    expect(created.length).toBeGreaterThan(0);
    expect(created.length).toBeLessThan(60);

    // Every declaration D1 holds has all its subjects; every 201 is among them.
    const stored = await env.DB.prepare(
      "SELECT d.seq, d.id, (SELECT count(*) FROM url_rules u WHERE u.seq = d.seq) AS rules FROM declarations d WHERE d.seq > ?1 ORDER BY d.seq",
    )
      .bind(before)
      .all<{ seq: number; id: string; rules: number }>();
    stored.results.forEach((r, i) => {
      expect(r.seq).toBe(before + i + 1);
      expect(r.rules).toBe(2);
    });
    const ids = new Set(stored.results.map((r) => r.id));
    for (const r of created) expect(ids.has(r.body.id)).toBe(true);
    // More rows in D1 than answers 201: the aborted group committed. The sequencer's next start
    // appends to its log whatever D1 committed and it missed.
    expect(stored.results.length).toBeGreaterThan(created.length);
    expect(await logSize()).toBe(before + stored.results.length);

    // Sending everything again: what was stored answers 200 with its receipt, the rest is created; still gapless.
    const again = await Promise.all(ds.map((d) => post("/v1/declarations", d)));
    for (const r of again) expect([200, 201]).toContain(r.status);
    for (const r of created) expect(again.find((a) => a.body.id === r.body.id)!.status).toBe(200);
    expect(await d1Count("SELECT count(*) AS n FROM declarations")).toBe(before + 60);
    expect(await d1Count("SELECT max(seq) AS n FROM declarations")).toBe(before + 60);
    expect(await logSize()).toBe(before + 60);
  });

  it("conflict detection behind its cursor (an eviction mid-run, rows restored behind the object's back) resumes when the object starts, not at the next commit", async () => {
    const key = newKey();
    const ds = await Promise.all(Array.from({ length: 5 }, (_, i) => declaration(key, { urls: [`https://resume.example/${i}/*`] })));
    for (const r of await Promise.all(ds.map((d) => post("/v1/declarations", d)))) expect(r.status).toBe(201);
    await conflictsDetected();
    const last = await d1Count("SELECT max(seq) AS n FROM declarations");
    const back = last - 3;
    await env.DB.prepare("UPDATE registry_state SET value = ?1 WHERE key = 'conflicts_detected_seq'").bind(back).run();
    await expect(runInDurableObject(sequencer(), (_: Sequencer, state) => state.abort("test: evicted while detection was behind"))).rejects.toThrow(/evicted/);
    // No registration follows: the object's start alone (here a checkpoint read) detects from the cursor.
    expect(await logSize()).toBe(last);
    await conflictsDetected();
    expect(await d1Count("SELECT max(value) AS n FROM registry_state WHERE key = 'conflicts_detected_seq'")).toBe(last);
  });
});
