/**
 * Every store with inputs far past 100 values, against the real limit: local D1 and Durable Object
 * SQLite both refuse a statement with more than 100 bound parameters (`too many SQL variables`), so a
 * statement whose parameter count grows with its input fails here. Full log tiles (256 hashes) are
 * covered by log-full-tiles.test.ts; test/unit/bound-parameters.test.ts keeps lists out of SQL elsewhere.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { declaration, get, newKey, post } from "./helpers";
import { addTestPeer, deliverFrom, registeredAt } from "./peer-delivery";

const N = 150;

describe("statements stay within 100 bound parameters, whatever the input size", () => {
  it("the limit is real here: 101 parameters fail", async () => {
    const sql = `SELECT ${Array.from({ length: 101 }, () => "?").join(",")}`;
    await expect(env.DB.prepare(sql).bind(...Array(101).fill(1)).all()).rejects.toThrow(/too many SQL variables/);
  });

  it("lists by a URL whose host has 120 labels (one lookup key per parent domain)", async () => {
    const host = `${"a.".repeat(120)}example`;
    const key = newKey();
    expect((await post("/v1/declarations", await declaration(key, { urls: [`https://*.${host.split(".").slice(-2).join(".")}/*`] }))).status).toBe(201);
    const r = await get(`/v1/declarations?url=${encodeURIComponent(`https://${host}/x`)}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.declarations).toHaveLength(1);
  });

  it(`sequences a batch of ${N} updates naming ${N} targets, then the same batch again (known digests)`, async () => {
    const key = newKey();
    const targets = [];
    for (let i = 0; i < N; i++) targets.push(await declaration(key, { urls: [`https://bound.example/t/${i}`] }));
    const created = await post("/v1/declarations/batch", targets);
    expect(created.body.created).toBe(N);
    const updates = [];
    for (const [i, t] of created.body.results.entries())
      updates.push(await declaration(key, { intent: "update", supersedes: t.id, urls: [`https://bound.example/t/${i}`], preferences: { "train-ai": "y" } }));
    const first = await post("/v1/declarations/batch", updates);
    expect(first.status).toBe(200);
    expect([first.body.created, first.body.failed]).toEqual([N, 0]);
    const again = await post("/v1/declarations/batch", updates);
    expect([again.body.exists, again.body.failed]).toEqual([N, 0]);
    expect((await get(`/v1/declarations/${created.body.results[N - 1].id}`)).body.status).toBe("superseded");
  });

  it(`receives ${N} declarations from a peer in one delivery, revokes delivered before them, and the delivery again`, async () => {
    const peer = await addTestPeer("bound-peer.test", 33);
    const declarant = newKey();
    const items = [];
    for (let i = 0; i < N; i++) items.push(await registeredAt(peer, await declaration(declarant, { urls: [`https://bound-peer.example/${i}`] })));
    const revokes = [];
    for (const it of items) revokes.push(await registeredAt(peer, await declaration(declarant, { intent: "revoke", supersedes: it.receipt.id, preferences: undefined })));
    const early = await deliverFrom(peer, revokes);
    expect([early.status, early.body.created, early.body.failed]).toEqual([200, N, 0]);
    const res = await deliverFrom(peer, items);
    expect([res.status, res.body.created, res.body.failed]).toEqual([200, N, 0]);
    expect(res.body.results.every((r: { status: string }) => r.status === "revoked")).toBe(true);
    const again = await deliverFrom(peer, [...items, ...revokes]);
    expect([again.status, again.body.exists]).toEqual([200, 2 * N]);
  });
});
