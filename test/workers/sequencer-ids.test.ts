/**
 * Ids in our hub are ours alone, and one bad item never stops the writes of others (issue 9): a peer
 * delivering an id in our hub, or one dated at the end of time, must not make local registrations
 * fail, now or after the sequencer restarts; rows of our hub that a peer wrote (before such ids were
 * refused) never move our counter; and an item whose write fails takes only itself down.
 */
import { env, evictDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { genIsccIdV1, parseIsccIdV1 } from "../../src/iscc/index";
import { declaration, get, newKey, post } from "./helpers";
import { addTestPeer, deliverFrom, digestOf, registeredAt, type TestPeer } from "./peer-delivery";

const OUR_HUB = Number(env.HUB_ID);
const END_OF_TIME = (1n << 52n) - 1n;
const sequencer = () => env.SEQUENCER.get(env.SEQUENCER.idFromName("sequencer"));

async function registerLocally(tag: string): Promise<{ status: number; id: string; micros: bigint }> {
  const r = await post("/v1/declarations", await declaration(newKey(), { urls: [`https://ids.example/${tag}`] }));
  return { status: r.status, id: r.body.id, micros: r.status === 201 ? parseIsccIdV1(r.body.id).timestampMicros : -1n };
}

/** A row as if a peer's delivery had been stored before ids in our hub were refused. */
async function storeForeignRow(peer: TestPeer, id: string): Promise<void> {
  const item = await registeredAt(peer, await declaration(newKey(), { urls: [`https://ids.example/foreign/${id}`] }), { id });
  const seq = ((await env.DB.prepare("SELECT max(seq) AS s FROM declarations").first<{ s: number }>())?.s ?? 0) + 1;
  await env.DB.prepare(
    `INSERT INTO declarations (seq, id, digest, hub_id, intent, supersedes, status, declarant, controller, controller_verified, timestamp,
       registered_at, received_at, origin, received_from, preferences, body, receipt)
     VALUES (?1, ?2, ?3, ?4, 'activate', NULL, 'active', ?5, NULL, 0, ?6, ?6, ?6, ?7, ?7, '{"train-ai":"n"}', ?8, ?9)`,
  )
    .bind(seq, id, digestOf(item.declaration), OUR_HUB, (item.declaration.signature as { pubkey: string }).pubkey, item.declaration.timestamp, peer.name, JSON.stringify(item.declaration), JSON.stringify(item.receipt))
    .run();
}

const nowMicros = () => BigInt(Date.now()) * 1000n;

afterEach(async () => {
  await env.DB.prepare("DROP TRIGGER IF EXISTS fail_one").run();
});

describe("ids in our hub", () => {
  it("refuses a delivered id in our hub dated 2^52−1; local registrations go on, also after a restart", async () => {
    const peer = await addTestPeer("hub-thief.test", 34);
    const stolen = await registeredAt(peer, await declaration(newKey(), { urls: ["https://ids.example/stolen"] }), { id: genIsccIdV1({ timestampMicros: END_OF_TIME, hubId: OUR_HUB }) });
    const res = await deliverFrom(peer, [stolen]);
    expect(res.status).toBe(200);
    expect(res.body.results[0].outcome).not.toBe("created");
    expect(res.body.results[0].problem.status).toBeGreaterThanOrEqual(400);
    expect((await get(`/v1/declarations/${encodeURIComponent(stolen.receipt.id)}`)).status).toBe(404);

    const before = await registerLocally("after-theft");
    expect(before.status).toBe(201);
    await evictDurableObject(sequencer());
    const after = await registerLocally("after-restart");
    expect(after.status).toBe(201);
    expect(after.micros).toBeGreaterThan(before.micros);
    expect(after.micros).toBeLessThan(nowMicros() + 1_000_000n);
    expect(parseIsccIdV1(after.id).hubId).toBe(OUR_HUB);
  });

  it("refuses a delivered id of another hub dated beyond the clock and its skew", async () => {
    const peer = await addTestPeer("future.test", 35);
    const future = await registeredAt(peer, await declaration(newKey(), { urls: ["https://ids.example/future"] }), {
      id: genIsccIdV1({ timestampMicros: nowMicros() + 3_600_000_000n, hubId: 35 }),
    });
    const res = await deliverFrom(peer, [future, await registeredAt(peer, await declaration(newKey(), { urls: ["https://ids.example/present"] }))]);
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(["rejected", "created"]);
    expect(res.body.results[0].problem).toMatchObject({ status: 422, errors: [{ pointer: "/receipt/id" }] });
  });

  it("never moves our counter for rows of our hub a peer wrote, and skips the ids they hold", async () => {
    const peer = await addTestPeer("legacy-thief.test", 36);
    // Our clock ran ahead once: our newest own id is a minute ahead. A peer holds the id right after it.
    await evictDurableObject(sequencer());
    const ahead = nowMicros() + 60_000_000n;
    await storeForeignRow(peer, genIsccIdV1({ timestampMicros: ahead + 1n, hubId: OUR_HUB }));
    const own = await post("/v1/declarations", await declaration(newKey(), { urls: ["https://ids.example/own"] }));
    expect(own.status).toBe(201);
    // Pretend that one was issued a minute ahead: rewrite its id (our own row, origin ours).
    const ownId = genIsccIdV1({ timestampMicros: ahead, hubId: OUR_HUB });
    await env.DB.prepare("UPDATE declarations SET id = ?1 WHERE id = ?2").bind(ownId, own.body.id).run();
    // And the newest row of our hub, by seq, is a peer's at the end of time.
    await storeForeignRow(peer, genIsccIdV1({ timestampMicros: END_OF_TIME, hubId: OUR_HUB }));
    await evictDurableObject(sequencer());

    const next = await registerLocally("next");
    expect(next.status).toBe(201);
    expect(next.micros).toBe(ahead + 2n);
    const again = await registerLocally("again");
    expect(again.micros).toBe(ahead + 3n);
  });
});

describe("one bad item never fails a whole group", () => {
  it("a write that fails for one item of a batch refuses that item alone; the others are registered", async () => {
    const key = newKey();
    const items = [];
    for (let i = 0; i < 7; i++) items.push(await declaration(key, { urls: [`https://ids.example/group/${i}`] }));
    // The store refuses the fourth row, as a constraint would (the sequencer cannot foresee it).
    await env.DB.prepare(`CREATE TRIGGER fail_one BEFORE INSERT ON declarations WHEN NEW.digest = '${digestOf(items[3])}' BEGIN SELECT RAISE(ABORT, 'injected constraint failure'); END`).run();
    const r = await post("/v1/declarations/batch", items);
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { outcome: string }) => x.outcome)).toEqual(["created", "created", "created", "rejected", "created", "created", "created"]);
    expect(r.body.results[3].problem).toMatchObject({ status: 409, type: expect.stringContaining("write-conflict") });
    const seqs = r.body.results.filter((x: { seq?: number }) => x.seq).map((x: { seq: number }) => x.seq);
    expect(seqs).toEqual(Array.from({ length: 6 }, (_, i) => seqs[0] + i));
    await env.DB.prepare("DROP TRIGGER fail_one").run();
    expect((await post("/v1/declarations", items[3])).status).toBe(201);
  });
});
