import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { encodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { call, declaration, get, newKey, post, tableCounts } from "./helpers";
import { addPeer, deliver, digestOf, fakePeer, op, registeredAt, statusOf, type Delivery } from "./peer-delivery";

describe("operator routes /v1/peers", () => {
  it("refuse requests without the operator token, in constant-time comparison's terms (401 problem)", async () => {
    for (const headers of [{} as Record<string, string>, { authorization: "Bearer wrong-token" }, { authorization: `Basic ${env.OPERATOR_TOKEN}` }, { authorization: `Bearer ${env.OPERATOR_TOKEN}x` }]) {
      const res = await call("GET", "/v1/peers", undefined, headers);
      expect(res.status).toBe(401);
      expect(res.type).toContain("application/problem+json");
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    }
    const before = await tableCounts();
    const res = await call("POST", "/v1/peers", { name: "sneaky.test", url: "https://sneaky.test", public_key: encodeEd25519PublicMultikey(newKey().publicKey) });
    expect(res.status).toBe(401);
    expect((await op("GET", "/v1/peers")).body.peers.map((p: any) => p.name)).not.toContain("sneaky.test");
    expect(await call("DELETE", "/v1/peers/x", undefined, { authorization: "Bearer nope" })).toMatchObject({ status: 401 });
    expect(await call("POST", "/v1/peers/x/replay", undefined, {})).toMatchObject({ status: 401 });
    expect(await tableCounts()).toEqual(before);
  });

  it("validate the peer: URL, key, name, and explicit values when its descriptor is unreachable", async () => {
    const key = encodeEd25519PublicMultikey(newKey().publicKey);
    const bad = await op("POST", "/v1/peers", { name: "p.test", url: "ftp://p.test", public_key: "z6MkNOPE", extra: 1 });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: any) => e.pointer).sort()).toEqual(["/extra", "/public_key", "/url"]);
    // unreachable descriptor (the test network answers 404) and no explicit key: nothing to trust
    const noKey = await op("POST", "/v1/peers", { name: "p.test", url: "https://p.test" });
    expect(noKey.status).toBe(422);
    expect(noKey.body.errors).toEqual([{ pointer: "/public_key", detail: expect.stringContaining("not reachable") }]);
    const self = await op("POST", "/v1/peers", { name: env.REGISTRY_NAME, url: "https://self.test", public_key: key });
    expect(self.status).toBe(422);
    expect(self.body.errors[0].pointer).toBe("/name");
    expect((await op("GET", "/v1/peers")).body.peers.map((p: any) => p.name)).not.toContain("p.test");
  });

  it("add (201), update (200), list with link state, replay, delete (204, then 404)", async () => {
    const k1 = encodeEd25519PublicMultikey(newKey().publicKey);
    const k2 = encodeEd25519PublicMultikey(newKey().publicKey);
    const added = await op("POST", "/v1/peers", { name: "crud.test", url: "https://crud.test/", public_key: k1 });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ name: "crud.test", url: "https://crud.test", public_key: k1, state: { cursor: 0, dead_letter: false, attempts: 0 } });
    const updated = await op("POST", "/v1/peers", { name: "crud.test", url: "https://crud2.test", public_key: k2 });
    expect(updated.status).toBe(200);
    const list = await op("GET", "/v1/peers");
    expect(list.status).toBe(200);
    const mine = list.body.peers.find((p: any) => p.name === "crud.test");
    expect(mine).toMatchObject({ url: "https://crud2.test", public_key: k2 });
    expect(Object.keys(mine.state).sort()).toEqual(
      ["attempts", "backlog", "cursor", "dead_letter", "dead_lettered_at", "last_error", "last_error_at", "last_pull", "last_pull_error", "last_refusal", "last_success", "log", "next_pull", "next_retry", "pulled", "pulled_after", "pushed", "refused"].sort(),
    );
    expect(mine.state.backlog).toBe(list.body.local_max_seq - mine.state.cursor);
    expect((await op("POST", "/v1/peers/crud.test/replay")).status).toBe(200);
    expect((await op("POST", "/v1/peers/nobody.test/replay")).status).toBe(404);
    expect((await op("DELETE", "/v1/peers/crud.test")).status).toBe(204);
    expect((await op("DELETE", "/v1/peers/crud.test")).status).toBe(404);
    expect((await op("GET", "/v1/peers")).body.peers.map((p: any) => p.name)).not.toContain("crud.test");
  });

  it("are described in /openapi.json with bearer security", async () => {
    const doc = (await get("/openapi.json")).body;
    expect(doc.components.securitySchemes.operatorToken).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.paths["/v1/peers"].post.security).toEqual([{ operatorToken: [] }]);
    expect(doc.paths["/v1/webhooks/declarations"].post).toBeDefined();
    expect(doc.paths["/v1/feed"].get).toBeDefined();
  });
});

describe("POST /v1/webhooks/declarations", () => {
  const alpha = fakePeer("alpha.test", 21);
  const declarant = newKey();

  it("registers a peer's declaration with the origin's id and receipt, checked again", async () => {
    await addPeer(alpha);
    const item = await registeredAt(alpha, await declaration(declarant, { urls: ["https://alpha.example/art/*"] }));
    const res = await deliver(alpha, [item]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ duplicate: false, created: 1, exists: 0, failed: 0, results: [{ index: 0, outcome: "created", id: item.receipt.id, status: "active" }] });
    const stored = await get(`/v1/declarations/${encodeURIComponent(item.receipt.id)}`);
    expect(stored.body).toMatchObject({ id: item.receipt.id, origin: "alpha.test", receipt: item.receipt, declaration: item.declaration });
    const row = await env.DB.prepare("SELECT received_from FROM declarations WHERE id = ?").bind(item.receipt.id).first<{ received_from: string }>();
    expect(row!.received_from).toBe("alpha.test");
    const lookup = await get(`/v1/lookup?url=${encodeURIComponent("https://alpha.example/art/x.jpg")}`);
    expect(lookup.body.opted_out).toBe(true);
  });

  it("accepts a declaration signed hours ago (the ±10 min window is for first registration only)", async () => {
    const old = await declaration(declarant, { urls: ["https://old.example/"], timestamp: new Date(Date.now() - 6 * 3600_000).toISOString() });
    expect((await post("/v1/declarations", old)).status).toBe(422);
    const res = await deliver(alpha, [await registeredAt(alpha, old)]);
    expect(res.body.results[0].outcome).toBe("created");
  });

  it("ignores a replayed webhook-id and a re-delivered declaration: nothing changes", async () => {
    const item = await registeredAt(alpha, await declaration(declarant, { urls: ["https://replay.example/"] }));
    expect((await deliver(alpha, [item], { id: "replay-1" })).body.created).toBe(1);
    const before = await tableCounts();
    const replay = await deliver(alpha, [item], { id: "replay-1" });
    expect(replay).toMatchObject({ status: 200, body: { duplicate: true, created: 0 } });
    const again = await deliver(alpha, [item, item], { id: "replay-2" });
    expect(again.body).toMatchObject({ duplicate: false, created: 0, exists: 2 });
    expect(await tableCounts()).toEqual(before);
  });

  it("refuses tampered, wrongly signed, unknown, stale and unsigned deliveries with problems, changing nothing", async () => {
    const item = await registeredAt(alpha, await declaration(declarant, { urls: ["https://refused.example/"] }));
    const before = await tableCounts();
    const stranger = fakePeer("stranger.test", 22);
    const cases: [string, Delivery, number, string][] = [
      ["tampered", await deliver(alpha, [item], { tamper: (b) => b.replace("refused.example", "refusex.example") }), 401, "webhook-bad-signature"],
      ["wrong key", await deliver(alpha, [item], { signer: stranger.key }), 401, "webhook-bad-signature"],
      ["unknown peer", await deliver(stranger, [item]), 403, "unknown-peer"],
      ["stale", await deliver(alpha, [item], { timestamp: Math.floor(Date.now() / 1000) - 301 }), 401, "webhook-stale"],
      ["future", await deliver(alpha, [item], { timestamp: Math.floor(Date.now() / 1000) + 400 }), 401, "webhook-stale"],
      ["unsigned", await deliver(alpha, [item], { omit: "webhook-signature" }), 401, "webhook-unsigned"],
      ["no source", await deliver(alpha, [item], { omit: "webhook-source" }), 401, "webhook-unsigned"],
    ];
    for (const [what, res, status, type] of cases) {
      expect(res.status, what).toBe(status);
      expect(res.type, what).toContain("application/problem+json");
      expect(res.body.type, what).toMatch(new RegExp(`/${type}$`));
    }
    expect(await tableCounts()).toEqual(before);
    expect(await statusOf(item.receipt.id)).toBe("HTTP 404");
  });

  it("checks every item again: a forged declarant signature, a foreign receipt, a wrong digest fail alone", async () => {
    const good = await registeredAt(alpha, await declaration(declarant, { urls: ["https://mixed.example/ok"] }));
    const forged = await declaration(declarant, { urls: ["https://mixed.example/forged"] });
    forged.urls = ["https://mixed.example/other"]; // changed after signing
    const forgedItem = await registeredAt(alpha, forged);
    const otherRegistry = await registeredAt(alpha, await declaration(declarant, { urls: ["https://mixed.example/r"] }), { signer: newKey() }); // receipt not by alpha's key
    const wrongDigest = await registeredAt(alpha, await declaration(declarant, { urls: ["https://mixed.example/d"] }), { receipt: { digest: "0".repeat(64) } });
    const res = await deliver(alpha, [good, forgedItem, otherRegistry, wrongDigest]);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.outcome)).toEqual(["created", "invalid", "invalid", "invalid"]);
    expect(res.body.results[1].problem.errors[0].pointer).toBe("/declarations/1/declaration/signature/proof");
    expect(res.body.results[2].problem.type).toMatch(/bad-receipt$/);
    expect(res.body.results[3].problem.errors[0].pointer).toBe("/declarations/3/receipt/digest");
    for (const bad of [forgedItem, otherRegistry, wrongDigest]) expect(await statusOf(bad.receipt.id)).toBe("HTTP 404");
  });

  it("trusts a receipt of a registry it does not peer with on its own key, relayed by a peer", async () => {
    const faraway = fakePeer("faraway.test", 23);
    const relayed = await registeredAt(faraway, await declaration(declarant, { urls: ["https://relay.example/"] }));
    const res = await deliver(alpha, [relayed]);
    expect(res.body.results[0].outcome).toBe("created");
    expect((await get(`/v1/declarations/${encodeURIComponent(relayed.receipt.id)}`)).body.origin).toBe("faraway.test");
    // but a receipt claiming to come from a known peer must carry that peer's key
    const beta = fakePeer("beta.test", 24);
    await addPeer(beta);
    const impostor = await registeredAt(beta, await declaration(declarant, { urls: ["https://impostor.example/"] }), { signer: alpha.key });
    expect((await deliver(alpha, [impostor])).body.results[0].outcome).toBe("invalid");
  });

  it("applies a revoke delivered before its target, and an update after it, whatever the order", async () => {
    const target = await registeredAt(alpha, await declaration(declarant, { urls: ["https://order.example/a"] }));
    const revoke = await registeredAt(alpha, await declaration(declarant, { intent: "revoke", supersedes: target.receipt.id, preferences: undefined }));
    expect((await deliver(alpha, [revoke])).body.results[0]).toMatchObject({ outcome: "created", status: "active" });
    expect((await deliver(alpha, [target])).body.results[0]).toMatchObject({ outcome: "created", status: "revoked" });
    expect(await statusOf(target.receipt.id)).toBe("revoked");

    const v1 = await registeredAt(alpha, await declaration(declarant, { urls: ["https://order.example/b"] }));
    const v2 = await registeredAt(alpha, await declaration(declarant, { intent: "update", supersedes: v1.receipt.id, urls: ["https://order.example/b"], preferences: { "train-ai": "y" } }));
    const v3 = await registeredAt(alpha, await declaration(declarant, { intent: "revoke", supersedes: v1.receipt.id, preferences: undefined }));
    // update and revoke of the same target, reordered and duplicated across two deliveries
    await deliver(alpha, [v3, v2]);
    await deliver(alpha, [v2, v1, v3]);
    expect(await statusOf(v1.receipt.id)).toBe("revoked");
    expect(await statusOf(v2.receipt.id)).toBe("active");
  });

  it("applies supersessions that precede their targets within one delivery", async () => {
    const t = await registeredAt(alpha, await declaration(declarant, { urls: ["https://one-batch.example/t"] }));
    const up = await registeredAt(alpha, await declaration(declarant, { intent: "update", supersedes: t.receipt.id, urls: ["https://one-batch.example/t"], preferences: { "train-ai": "y" } }));
    const rev = await registeredAt(alpha, await declaration(declarant, { intent: "revoke", supersedes: up.receipt.id, preferences: undefined }));
    const res = await deliver(alpha, [rev, up, t]);
    expect(res.body.results.map((r: any) => [r.outcome, r.status])).toEqual([
      ["created", "active"],
      ["created", "revoked"],
      ["created", "superseded"],
    ]);
    expect([await statusOf(t.receipt.id), await statusOf(up.receipt.id), await statusOf(rev.receipt.id)]).toEqual(["superseded", "revoked", "active"]);
  });

  it("refuses a body that is not a delivery (422) after the signature checks out", async () => {
    const before = await tableCounts();
    const res = await deliver(alpha, [{ declaration: "nope" }]);
    expect(res.status).toBe(422);
    // An item is a declaration or a mandate (README, Mandates): one that is neither is named whole.
    expect(res.body.errors.map((e: any) => e.pointer)).toEqual(["/declarations/0"]);
    expect(await tableCounts()).toEqual(before);
  });
});

describe("GET /v1/feed", () => {
  it("lists every declaration in registry order with its receipt, paged by seq", async () => {
    const key = newKey();
    for (let i = 0; i < 3; i++) expect((await post("/v1/declarations", await declaration(key, { urls: [`https://feed.example/${i}`] }))).status).toBe(201);
    const all = await get("/v1/feed?after=0&limit=1000");
    expect(all.status).toBe(200);
    const seqs = all.body.items.map((i: any) => i.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(all.body.next_after).toBe(seqs.at(-1));
    const page = await get(`/v1/feed?after=${seqs[0]}&limit=2`);
    expect(page.body.items.map((i: any) => i.seq)).toEqual(seqs.slice(1, 3));
    expect(page.body.next_after).toBe(seqs[2]);
    const item = all.body.items.at(-1);
    expect(item.receipt).toMatchObject({ type: "OptOutReceipt", seq: item.seq, digest: digestOf(item.declaration) });
    const end = await get(`/v1/feed?after=${seqs.at(-1)}`);
    expect(end.body).toEqual({ items: [], next_after: seqs.at(-1) });
    expect((await get("/v1/feed?after=-1")).status).toBe(422);
    expect((await get("/v1/feed?limit=1001")).status).toBe(422);
  });

  it("is announced by the descriptor with the webhook endpoint", async () => {
    const d = (await get("/.well-known/opt-out-registry")).body;
    expect(d.endpoints.feed).toMatch(/\/v1\/feed$/);
    expect(d.endpoints.webhooks).toMatch(/\/v1\/webhooks\/declarations$/);
  });
});
