/**
 * The sequencer → Vectorize path end to end, against FakeVectorize (test/fakes/vectorize-fake.ts)
 * in place of the binding: declarations registered through the real routes are indexed by the
 * sequencer, matched through POST /v1/match, and kept matchable through failures: a failing upsert
 * is redone from D1 (the "indexed up to seq" cursor), also when the object was evicted between the
 * D1 commit and the upsert; superseded and revoked declarations lose their vectors.
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { encodeUnit, genIsccCodeV0, MainType } from "../../src/iscc/index";
import { FakeVectorize } from "../fakes/vectorize-fake";
import { contentUnit, declaration, flipBits, get, newKey, post, randomBody } from "./helpers";
import { addTestPeer, deliverFrom, registeredAt } from "./peer-delivery";

const fake = new FakeVectorize({ dimensions: 64, metric: "cosine" });
Object.assign(env, { VECTORIZE: fake, SIMILARITY_BACKEND: "vectorize" });
const sequencer = () => env.SEQUENCER.get(env.SEQUENCER.idFromName("sequencer"));

const dataUnit = (body: Uint8Array) => encodeUnit(MainType.DATA, 0, 0, 64, body);

/** A declaration of one content unit; returns its id, seq and the body to query near. */
async function declare(key = newKey()): Promise<{ id: string; seq: number; body: Uint8Array }> {
  const body = randomBody();
  const r = await post("/v1/declarations", await declaration(key, { iscc: contentUnit(body) }));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.id, seq: r.body.seq, body };
}

/** The ids of the declarations POST /v1/match finds for a code 2 bits away from `body`. */
async function matched(body: Uint8Array): Promise<string[]> {
  const r = await post("/v1/match", { iscc: [contentUnit(flipBits(body, [3, 30]))] });
  expect(r.status).toBe(200);
  expect(r.body.backend).toBe("vectorize");
  return r.body.results[0].matches.map((m: { declaration: { id: string } }) => m.declaration.id);
}

const cursor = () => runInDurableObject(sequencer(), (_o, state) => Number(state.storage.sql.exec<{ value: string }>("SELECT value FROM similarity_state WHERE key = 'cursor'").one().value));

beforeEach(() => fake.heal());

describe("the sequencer keeps Vectorize in step with D1", () => {
  it("indexes every similarity unit of a new declaration (not instance units), and matches it", async () => {
    const [content, data] = [randomBody(), randomBody()];
    const iscc = genIsccCodeV0([contentUnit(content), dataUnit(data), encodeUnit(MainType.INSTANCE, 0, 0, 64, randomBody())]).iscc;
    const r = await post("/v1/declarations", await declaration(newKey(), { iscc }));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const seq = r.body.seq;
    expect(fake.ids.filter((id) => id.startsWith(`${seq}:`))).toEqual([`${seq}:0`, `${seq}:1`]);
    expect(await matched(content)).toEqual([r.body.id]);
    expect(await cursor()).toBe(seq);
  });

  it("after a failing upsert, the declaration is committed, then indexed from D1 by the catch-up", async () => {
    fake.failNext("upsert", Infinity);
    const d = await declare();
    expect(fake.ids).not.toContain(`${d.seq}:0`);
    expect(await matched(d.body)).toEqual([]);
    expect(await cursor()).toBe(d.seq - 1);
    // Still failing: the alarm tries, fails, and keeps the cursor.
    await runDurableObjectAlarm(sequencer());
    expect(await cursor()).toBe(d.seq - 1);
    fake.heal();
    expect(await runDurableObjectAlarm(sequencer())).toBe(true);
    expect(fake.ids).toContain(`${d.seq}:0`);
    expect(await matched(d.body)).toEqual([d.id]);
    expect(await cursor()).toBe(d.seq);
  });

  it("the next commit catches up what an earlier failed upsert missed", async () => {
    fake.failNext("upsert", 1);
    const missed = await declare();
    const next = await declare();
    expect(fake.ids).toEqual(expect.arrayContaining([`${missed.seq}:0`, `${next.seq}:0`]));
    expect(await matched(missed.body)).toEqual([missed.id]);
    expect(await cursor()).toBe(next.seq);
  });

  it("after an eviction between the D1 commit and the upsert, the restarted object re-indexes from D1", async () => {
    const d = await declare();
    // The state an eviction right after the D1 batch leaves: the rows are in D1, the index and the
    // cursor never heard of them.
    await fake.deleteByIds([`${d.seq}:0`]);
    await runInDurableObject(sequencer(), (_o, state) => {
      state.storage.sql.exec("UPDATE similarity_state SET value = ? WHERE key = 'cursor'", String(d.seq - 1));
    });
    await evictDurableObject(sequencer());
    expect(await matched(d.body)).toEqual([]);
    // Any call starts the object (here a read, so no commit catches up); on start it schedules the catch-up.
    expect((await get("/log/checkpoint")).status).toBe(200);
    await runDurableObjectAlarm(sequencer());
    expect(await matched(d.body)).toEqual([d.id]);
  });

  it("removes the vectors of revoked declarations and of what an update replaces", async () => {
    const key = newKey();
    const t = await declare(key);
    const u = await post("/v1/declarations", await declaration(key, { intent: "update", supersedes: t.id, iscc: contentUnit(t.body), preferences: { "train-ai": "y" } }));
    expect(u.status).toBe(201);
    expect(fake.ids).not.toContain(`${t.seq}:0`);
    expect(fake.ids).toContain(`${u.body.seq}:0`);
    expect(await matched(t.body)).toEqual([u.body.id]);
    const r = await post("/v1/declarations", await declaration(key, { intent: "revoke", supersedes: u.body.id, preferences: undefined }));
    expect(r.status).toBe(201);
    expect(fake.ids).not.toContain(`${u.body.seq}:0`);
    expect(await matched(t.body)).toEqual([]);
  });

  it("a revoke missed by a failing index is applied by the catch-up; a revoke delivered before its target leaves no vector", async () => {
    const key = newKey();
    const t = await declare(key);
    fake.failNext("deleteByIds", Infinity);
    expect((await post("/v1/declarations", await declaration(key, { intent: "revoke", supersedes: t.id, preferences: undefined }))).status).toBe(201);
    expect(fake.ids).toContain(`${t.seq}:0`);
    fake.heal();
    await runDurableObjectAlarm(sequencer());
    expect(fake.ids).not.toContain(`${t.seq}:0`);

    const peer = await addTestPeer("index-peer.test", 44);
    const body = randomBody();
    const target = await registeredAt(peer, await declaration(key, { iscc: contentUnit(body) }));
    const revoke = await registeredAt(peer, await declaration(key, { intent: "revoke", supersedes: target.receipt.id, preferences: undefined }));
    expect((await deliverFrom(peer, [revoke])).body.results[0].outcome).toBe("created");
    const res = await deliverFrom(peer, [target]);
    expect(res.body.results[0]).toMatchObject({ outcome: "created", status: "revoked" });
    expect(fake.ids).not.toContain(`${res.body.results[0].seq}:0`);
    expect(await matched(body)).toEqual([]);
  });
});
