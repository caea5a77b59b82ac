/**
 * Trust between registries, and peers that misbehave (issue 9): decisions from signed data only,
 * ids in our hub, consent that nobody verified, bounded reading of everything a peer sends, and
 * did:web resolution that reaches only public hosts. Peers are played by the test (signed
 * webhooks into SELF) or by the hostile fake registry (test/fakes/hostile-peer.ts) that the
 * Worker's own fetches reach.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { keypairFromSecret, signJson } from "../../src/domain/iscc-sig";
import { encodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { genIsccIdV1 } from "../../src/iscc/index";
import { SEED_42_PUBKEY } from "../fakes/did-hosts";
import { HOSTILE_PEER, HOSTILE_PEER_KEY, HOSTILE_PEER_PUBLIC_KEY } from "../fakes/hostile-peer";
import { call, contentUnit, declaration, get, newKey, post, randomBody, tableCounts } from "./helpers";
import { addPeer, deliver, digestOf, fakePeer, op, registeredAt, statusOf } from "./peer-delivery";

const seed42 = (controller: string) => keypairFromSecret(new Uint8Array(32).fill(0x42), { controller });
const lookup = (url: string) => get(`/v1/lookup?url=${encodeURIComponent(url)}`);
const labelsOf = async (url: string) => (await lookup(url)).body.declarations.map((d: any) => d.verification);

describe("authorization and labels come from the origin's signed receipt, never from resolving again", () => {
  const alpha = fakePeer("trust-alpha.test", 31);

  it("the origin signs what it verified at registration into the receipt", async () => {
    const verified = await post("/v1/declarations", await declaration(seed42("did:web:rights.example"), { urls: ["https://rights.example/signed/*"] }));
    expect(verified.status).toBe(201);
    expect(verified.body.receipt.verification).toEqual({ controller: "did:web:rights.example", pubkey: SEED_42_PUBKEY, verified: true, domain: "rights.example" });
    const key = newKey("did:web:rights.example"); // not in the DID document
    const claimed = await post("/v1/declarations", await declaration(key, { urls: ["https://rights.example/claimed/*"] }));
    expect(claimed.body.receipt.verification).toMatchObject({ controller: "did:web:rights.example", verified: false, domain: null });
    const plain = await post("/v1/declarations", await declaration(newKey(), { urls: ["https://plain.example/"] }));
    expect(plain.body.receipt.verification).toBeUndefined();
    expect(await labelsOf("https://rights.example/signed/1")).toEqual(["domain-verified"]);
    expect(await labelsOf("https://rights.example/claimed/1")).toEqual(["self-asserted"]);
  }, 30_000);

  it("a controller-authorised update accepted at its origin is accepted here although this registry cannot reach the DID document", async () => {
    await addPeer(alpha);
    // flaky.example's DID document is unreachable from here (the fake network answers 404)
    const k1 = newKey("did:web:flaky.example");
    const k2 = newKey("did:web:flaky.example");
    const v1d = await declaration(k1, { urls: ["https://flaky.example/art/*"], preferences: { all: "y" } });
    const v1 = await registeredAt(alpha, v1d, { receipt: { verification: { controller: "did:web:flaky.example", pubkey: v1d.signature.pubkey, verified: true, domain: "flaky.example" } } });
    const v2d = await declaration(k2, { intent: "update", supersedes: v1.receipt.id, urls: ["https://flaky.example/art/*"], preferences: { "train-ai": "n" } });
    const v2 = await registeredAt(alpha, v2d, { receipt: { verification: { controller: "did:web:flaky.example", pubkey: v2d.signature.pubkey, verified: true, domain: "flaky.example" } } });
    const res = await deliver(alpha, [v1, v2]);
    expect(res.body.results.map((r: any) => [r.outcome, r.status])).toEqual([
      ["created", "superseded"],
      ["created", "active"],
    ]);
    expect(await statusOf(v1.receipt.id)).toBe("superseded");
    const shown = await get(`/v1/declarations/${encodeURIComponent(v2.receipt.id)}`);
    expect(shown.body).toMatchObject({ controller_verified: true, receipt: { verification: { verified: true } } });
    // the same labels as at the origin: domain-verified, from the signed domain
    expect(await labelsOf("https://flaky.example/art/1")).toEqual(["domain-verified"]);
  }, 30_000);

  it("a receipt that does not say verified is not verified here, even when this registry could verify the DID", async () => {
    // rights.example lists seed 0x42 here, but the origin signed no verification (an older receipt)
    const old = await registeredAt(alpha, await declaration(seed42("did:web:rights.example"), { urls: ["https://rights.example/old-receipt/*"] }));
    expect((await deliver(alpha, [old])).body.results[0]).toMatchObject({ outcome: "created" });
    expect((await get(`/v1/declarations/${encodeURIComponent(old.receipt.id)}`)).body.controller_verified).toBe(false);
    expect(await labelsOf("https://rights.example/old-receipt/1")).toEqual(["self-asserted"]);
    // so another key of that controller may not revoke it, whatever its own receipt says
    const other = newKey("did:web:rights.example");
    const revd = await declaration(other, { intent: "revoke", supersedes: old.receipt.id, preferences: undefined });
    const rev = await registeredAt(alpha, revd, { receipt: { verification: { controller: "did:web:rights.example", pubkey: revd.signature.pubkey, verified: true, domain: "rights.example" } } });
    // (a peer's revoke that may not act is kept and changes nothing: domain/sequencer-decisions.ts)
    const res = await deliver(alpha, [rev]);
    expect(res.body.results[0]).toMatchObject({ outcome: "created" });
    expect(await statusOf(old.receipt.id)).toBe("active");
  }, 30_000);

  it("refuses a verification that contradicts its declaration, for that item only, changing nothing", async () => {
    const k = newKey("did:web:flaky.example");
    const d1 = await declaration(k, { urls: ["https://flaky.example/lie/1"] });
    const wrongKey = await registeredAt(alpha, d1, { receipt: { verification: { controller: "did:web:flaky.example", pubkey: SEED_42_PUBKEY, verified: true, domain: "flaky.example" } } });
    const d2 = await declaration(k, { urls: ["https://victim.example/lie/2"] });
    const wrongDomain = await registeredAt(alpha, d2, { receipt: { verification: { controller: "did:web:flaky.example", pubkey: d2.signature.pubkey, verified: true, domain: "victim.example" } } });
    const before = await tableCounts();
    const res = await deliver(alpha, [wrongKey, wrongDomain]);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => [r.outcome, r.problem.type.split("/").pop(), r.problem.errors[0].pointer])).toEqual([
      ["invalid", "bad-receipt", "/declarations/0/receipt/verification/pubkey"],
      ["invalid", "bad-receipt", "/declarations/1/receipt/verification/domain"],
    ]);
    expect(await tableCounts()).toEqual(before);
  }, 30_000);
  it("migration 0002: rows verified before receipts carried the result become unverified, as a peer sees them now", async () => {
    const res = await post("/v1/declarations", await declaration(seed42("did:web:rights.example"), { urls: ["https://rights.example/migrated/*"] }));
    const legacy = await post("/v1/declarations", await declaration(seed42("did:web:rights.example"), { urls: ["https://rights.example/legacy/*"] }));
    // what the legacy row looked like: verified by resolution, its receipt silent about it
    await env.DB.prepare("UPDATE declarations SET receipt = json_remove(receipt, '$.verification') WHERE seq = ?1").bind(legacy.body.seq).run();
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.includes("signed_verification"))!;
    for (const q of migration.queries) await env.DB.prepare(q).run();
    expect((await get(`/v1/declarations/${res.body.id}`)).body.controller_verified).toBe(true);
    expect(await labelsOf("https://rights.example/migrated/1")).toEqual(["domain-verified"]);
    expect((await get(`/v1/declarations/${legacy.body.id}`)).body.controller_verified).toBe(false);
    expect(await labelsOf("https://rights.example/legacy/1")).toEqual(["self-asserted"]);
  }, 30_000);
});

describe("ids in our hub are ours only when the receipt verifies with our key", () => {
  const beta = fakePeer("trust-beta.test", 32);
  const ours = keypairFromSecret(env.REGISTRY_SECRET_KEY);
  const hub = Number(env.HUB_ID);

  it("refuses a peer's receipt minting an id in our hub, or naming us in another spelling, item by item", async () => {
    await addPeer(beta);
    const good = await registeredAt(beta, await declaration(newKey(), { urls: ["https://hub.example/good"] }));
    const minted = await registeredAt({ ...beta, hubId: hub }, await declaration(newKey(), { urls: ["https://hub.example/minted"] }));
    // relayed "from us" in another spelling, signed by a key embedded in the receipt
    const stranger = newKey();
    const spoofed = await registeredAt(fakePeer(env.REGISTRY_NAME.toUpperCase(), 77, stranger), await declaration(newKey(), { urls: ["https://hub.example/spoofed"] }));
    const dotted = await registeredAt(fakePeer(env.REGISTRY_NAME.replace(":", ".:"), 78, stranger), await declaration(newKey(), { urls: ["https://hub.example/dotted"] }));
    const before = await tableCounts();
    const res = await deliver(beta, [minted, good, spoofed, dotted]);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.outcome)).toEqual(["invalid", "created", "invalid", "invalid"]);
    expect(res.body.results[0].problem.detail).toMatch(new RegExp(`hub ${hub}.*not signed by this registry's key`));
    expect(res.body.results[2].problem.detail).toContain("names this registry");
    const after = await tableCounts();
    expect(after.declarations).toBe(before.declarations! + 1);
    for (const bad of [minted, spoofed, dotted]) expect(await statusOf(bad.receipt.id)).toBe("HTTP 404");
    // and our own registrations keep working
    expect((await post("/v1/declarations", await declaration(newKey(), { urls: ["https://hub.example/after"] }))).status).toBe(201);
  }, 30_000);

  it("refuses an id minted in the future (2^52 − 1 µs), for that item only", async () => {
    const future = { ...beta, micros: 2n ** 52n - 2n };
    const item = await registeredAt(future, await declaration(newKey(), { urls: ["https://hub.example/future"] }));
    const before = await tableCounts();
    const res = await deliver(beta, [item]);
    expect(res.body.results[0]).toMatchObject({ outcome: "rejected", problem: { type: expect.stringMatching(/id-in-the-future$/) } });
    expect(await tableCounts()).toEqual(before);
  }, 30_000);

  it("takes a receipt in our hub that our key signed (ours, relayed back)", async () => {
    const d = await declaration(newKey(), { urls: ["https://hub.example/ours"] });
    const id = genIsccIdV1({ timestampMicros: 1_700_000_000_000_000n, hubId: hub });
    const receipt = await signJson({ type: "OptOutReceipt", id, seq: 999_999, digest: digestOf(d), registered_at: new Date().toISOString(), registry: env.REGISTRY_NAME }, { ...ours, controller: `did:web:${env.REGISTRY_NAME.replace(":", "%3A")}` });
    expect((await deliver(beta, [{ declaration: d, receipt }])).body.results[0]).toMatchObject({ outcome: "created", id });
  }, 30_000);
});

describe("a y is consent only from a declarant verified for the subject", () => {
  it("the attack: a key claiming did:web:victim.example declares *.victim.example all=y; nothing is allowed", async () => {
    const attacker = newKey("did:web:victim.example");
    const res = await post("/v1/declarations", await declaration(attacker, { urls: ["https://*.victim.example/*"], preferences: { all: "y" } }));
    expect(res.status).toBe(201);
    expect(res.body.receipt.verification).toMatchObject({ verified: false });

    const spawning = await call("POST", "/api/v2/query/urls/", "https://www.victim.example/page\nhttps://victim.example/\n", { "content-type": "text/plain" });
    expect(spawning.body.urls).toEqual([
      { url: "https://www.victim.example/page", optOut: false, optIn: false },
      { url: "https://victim.example/", optOut: false, optIn: false },
    ]);
    const one = await lookup("https://www.victim.example/page");
    expect(one.body.content_usage).toBe("");
    expect(one.headers.get("content-usage")).toBe("");
    expect(one.body.preferences).toEqual({ "train-ai": "unknown", "draft-ai-use": "unknown", search: "unknown" });
    // cited, with its label and its own words
    expect(one.body.declarations).toEqual([expect.objectContaining({ verification: "self-asserted", preferences: { all: "y" } })]);
    const many = await post("/v1/lookup", { urls: ["https://www.victim.example/page"] });
    expect(many.body.results[0]).toMatchObject({ content_usage: "", preferences: { "train-ai": "unknown" } });

    // listing by the claimed DID shows only verified claims; by key, what the key signed
    const byDid = await get(`/v1/declarations?declarant=${encodeURIComponent("did:web:victim.example")}`);
    expect(byDid.body.declarations).toEqual([]);
    const byKey = await get(`/v1/declarations?declarant=${encodeURIComponent(encodeEd25519PublicMultikey(attacker.publicKey))}`);
    expect(byKey.body.declarations.map((d: any) => d.id)).toEqual([res.body.id]);
  }, 30_000);

  it("the domain owner's y allows; anyone's n still reserves", async () => {
    const owner = await post("/v1/declarations", await declaration(seed42("did:web:rights.example"), { urls: ["https://rights.example/free/*"], preferences: { all: "y" } }));
    expect(owner.status).toBe(201);
    const spawning = await call("POST", "/api/v2/query/urls/", "https://rights.example/free/a.jpg", { "content-type": "text/plain" });
    expect(spawning.body.urls[0]).toEqual({ url: "https://rights.example/free/a.jpg", optOut: false, optIn: true });
    expect((await lookup("https://rights.example/free/a.jpg")).headers.get("content-usage")).toBe("train-ai=y, search=y");
    const byDid = await get(`/v1/declarations?declarant=${encodeURIComponent("did:web:rights.example")}`);
    expect(byDid.body.declarations.map((d: any) => d.id)).toContain(owner.body.id);
    expect(byDid.body.declarations.every((d: any) => d.controller_verified)).toBe(true);

    await post("/v1/declarations", await declaration(newKey(), { urls: ["https://rights.example/free/b.jpg"], preferences: { "train-ai": "n" } }));
    const b = await lookup("https://rights.example/free/b.jpg");
    expect(b.body).toMatchObject({ opted_out: true, preferences: { "train-ai": "n", "draft-ai-use": "y", search: "y" } });
  }, 30_000);

  it("match: a content y is cited but never consent; a content n reserves", async () => {
    const body = randomBody();
    await post("/v1/declarations", await declaration(seed42("did:web:rights.example"), { iscc: contentUnit(body), preferences: { all: "y" } }));
    const res = await post("/v1/match", { iscc: [contentUnit(body)] });
    expect(res.body.results[0].matches[0].declaration.preferences).toEqual({ all: "y" });
    expect(res.body.results[0]).toMatchObject({ preferences: { "train-ai": "unknown", search: "unknown" }, content_usage: "", opted_out: false });
    await post("/v1/declarations", await declaration(newKey(), { iscc: contentUnit(body), preferences: { "train-ai": "n" } }));
    expect((await post("/v1/match", { iscc: [contentUnit(body)] })).body.results[0]).toMatchObject({ opted_out: true, content_usage: "train-ai=n" });
  }, 30_000);
});

describe("peers: never ourselves, in any spelling", () => {
  it("refuses our own name, address and hub id when a peer is added, naming the field; nothing is stored", async () => {
    const key = HOSTILE_PEER_PUBLIC_KEY;
    const peersBefore = (await op("GET", "/v1/peers")).body.peers.length;
    const me = env.REGISTRY_NAME; // localhost:8787
    const cases: [Record<string, unknown>, string][] = [
      [{ name: me.toUpperCase(), url: "https://other.test", public_key: key }, "/name"],
      [{ name: me.replace(":", ".:"), url: "https://other.test", public_key: key }, "/name"],
      [{ name: "other.test", url: `http://${me.toUpperCase()}/`, public_key: key }, "/url"],
      [{ name: "other.test", url: "https://other.test", public_key: key, hub_id: Number(env.HUB_ID) }, "/hub_id"],
    ];
    for (const [body, pointer] of cases) {
      const res = await op("POST", "/v1/peers", body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.type).toBe("application/problem+json");
      expect(res.body.errors.map((e: any) => e.pointer), JSON.stringify(res.body)).toContain(pointer);
    }
    // the same, learnt from a peer's descriptor
    for (const [descriptor, pointer] of [
      [{ name: "LOCALHOST.:8787", hub_id: 9, public_key: key }, "/name"],
      [{ name: HOSTILE_PEER, hub_id: Number(env.HUB_ID), public_key: key }, "/hub_id"],
    ] as const) {
      await fetch(`https://${HOSTILE_PEER}/__set`, { method: "POST", body: JSON.stringify({ descriptor: { raw: JSON.stringify(descriptor) } }) });
      const res = await op("POST", "/v1/peers", { url: `https://${HOSTILE_PEER}` });
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: any) => e.pointer)).toContain(pointer);
    }
    expect((await op("GET", "/v1/peers")).body.peers.length).toBe(peersBefore);
  }, 30_000);
});

/** The hostile peer, added once; each test sets its behaviour and runs one round of the link. */
const hostile = fakePeer(HOSTILE_PEER, 9, HOSTILE_PEER_KEY);
const link = () => env.PEER_LINK.get(env.PEER_LINK.idFromName(HOSTILE_PEER));
async function behave(b: Record<string, unknown>) {
  await fetch(`https://${HOSTILE_PEER}/__set`, { method: "POST", body: JSON.stringify(b) });
}
async function linkRound() {
  await link().replay();
  await runDurableObjectAlarm(link());
  return (await op("GET", "/v1/peers")).body.peers.find((p: any) => p.name === HOSTILE_PEER).state;
}
/** A receipt of the hostile peer, as JSON text with `extra` spliced in before its end. */
const withExtra = (item: { declaration: unknown; receipt: unknown }, extra: string) => {
  const receipt = JSON.stringify(item.receipt);
  return `{"declaration":${JSON.stringify(item.declaration)},"receipt":${receipt.slice(0, -1)},${extra}}}`;
};
const deep = (n: number) => "[".repeat(n) + "]".repeat(n);

describe("hostile peers cannot exhaust us", () => {
  beforeAll(async () => {
    await behave({ descriptor: { raw: JSON.stringify({ name: HOSTILE_PEER, hub_id: 9, public_key: HOSTILE_PEER_PUBLIC_KEY }) } });
    const added = await op("POST", "/v1/peers", { url: `https://${HOSTILE_PEER}` });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }, 30_000);

  it("a receipt nested 20,000 levels deep fails alone in a webhook; the good items are taken", async () => {
    const good = await registeredAt(hostile, await declaration(newKey(), { urls: ["https://hostile.example/good-1"] }));
    const bad = await registeredAt(hostile, await declaration(newKey(), { urls: ["https://hostile.example/deep-1"] }));
    const res = await deliver(hostile, [good], { rawItems: [withExtra(bad, `"deep":${deep(20_000)}`)] });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.outcome)).toEqual(["created", "invalid"]);
    expect(res.body.results[1].problem.errors[0].pointer).toMatch(/^\/declarations\/1\/receipt\/deep(\/0)+$/);
    expect(res.body.results[1].problem.detail).toContain("nested deeper than");
    expect(await statusOf(good.receipt.id)).toBe("active");
    expect(await statusOf(bad.receipt.id)).toBe("HTTP 404");
  }, 30_000);

  it("...and in a pulled feed page", async () => {
    const good = await registeredAt(hostile, await declaration(newKey(), { urls: ["https://hostile.example/good-2"] }));
    const bad = await registeredAt(hostile, await declaration(newKey(), { urls: ["https://hostile.example/deep-2"] }));
    await behave({ feed: { raw: `{"items":[${JSON.stringify({ seq: 1, ...good })},${withExtra(bad, `"deep":${deep(20_000)}`).replace(/^\{/, '{"seq":2,')}],"next_after":2}` } });
    const state = await linkRound();
    expect(state.last_pull_error).toBeNull();
    expect(state.pulled_after).toBe(2);
    expect(state.last_refusal).toContain("nested deeper than");
    expect(await statusOf(good.receipt.id)).toBe("active");
    expect(await statusOf(bad.receipt.id)).toBe("HTTP 404");
  }, 30_000);

  it("a page of 100,000 items is refused unworked; an oversize page or checkpoint is not read", async () => {
    const before = await tableCounts();
    const { pulled_after } = await linkRound();
    const many = Array.from({ length: 100_000 }, (_, i) => `{"seq":${i + 10}}`).join(",");
    await behave({ feed: { raw: `{"items":[${many}],"next_after":100009}` } });
    let state = await linkRound();
    expect(state.last_pull_error).toMatch(/100000 items; 500 were asked for/);
    expect(state.pulled_after).toBe(pulled_after);
    await behave({ feed: { oversize: 24_000_000 } });
    state = await linkRound();
    expect(state.last_pull_error).toMatch(/longer than \d+ bytes/);
    await behave({ checkpoint: { oversize: 1_000_000 } });
    state = await linkRound();
    expect(state.log.last_error).toMatch(/checkpoint: the answer is longer than 65536 bytes/);
    expect(await tableCounts()).toEqual(before);
  }, 30_000);

  it("an oversize descriptor counts as unreachable; an oversize webhook answer is a failed delivery", async () => {
    await behave({ descriptor: { oversize: 1_000_000 } });
    const res = await op("POST", "/v1/peers", { url: `https://${HOSTILE_PEER}`, name: "other-name.test" });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ pointer: "/public_key", detail: expect.stringContaining("not reachable") }]);
    await post("/v1/declarations", await declaration(newKey(), { urls: ["https://hostile.example/to-push"] }));
    await behave({ webhook: { oversize: 5_000_000 } });
    const state = await linkRound();
    expect(state.last_error).toMatch(/longer than \d+ bytes/);
    expect(state.attempts).toBeGreaterThanOrEqual(1);
    expect(state.dead_letter).toBe(false);
  }, 30_000);

  it("delivered items obey the local size limits: a receipt over 8 KiB, a declaration over 32 KiB", async () => {
    const bigReceipt = await registeredAt(hostile, await declaration(newKey(), { urls: ["https://hostile.example/big-receipt"] }), { receipt: { note: "x".repeat(9000) } });
    const longUrls = Array.from({ length: 100 }, (_, i) => `https://hostile.example/${i}/${"p".repeat(330)}`);
    const bigDeclaration = await declaration(newKey(), { urls: longUrls });
    const bigItem = await registeredAt(hostile, bigDeclaration);
    const before = await tableCounts();
    const res = await deliver(hostile, [bigReceipt, bigItem]);
    expect(res.body.results.map((r: any) => [r.outcome, r.problem.errors[0].pointer])).toEqual([
      ["invalid", "/declarations/0/receipt"],
      ["invalid", "/declarations/1/declaration"],
    ]);
    // the same declaration is refused in a local batch too (a single POST is over its body limit), so no registry
    // holds what its peers refuse
    const batch = await post("/v1/declarations/batch", [bigDeclaration]);
    expect(batch.body.results[0]).toMatchObject({ outcome: "invalid", problem: { errors: [{ pointer: "/0", detail: expect.stringContaining("at most 32768") }] } });
    expect(await tableCounts()).toEqual(before);
  }, 30_000);

  it("push batches are cut by bytes: 9 MB of receipts do not make an honest peer answer 413 forever", async () => {
    // Rows stored before receipts had a size limit (D1 holds up to 2 MB a value), inflated in place.
    const seqs: number[] = [];
    for (let i = 0; i < 6; i++) seqs.push((await post("/v1/declarations", await declaration(newKey(), { urls: [`https://push.example/${i}`] }))).body.seq);
    for (const seq of seqs) await env.DB.prepare("UPDATE declarations SET receipt = json_set(receipt, '$.legacy', ?1) WHERE seq = ?2").bind("x".repeat(1_500_000), seq).run();
    await behave({ webhook: { limitBytes: 8 * 1024 * 1024 } });
    let state = await linkRound();
    for (let i = 0; i < 5 && state.cursor < seqs.at(-1)!; i++) state = await linkRound();
    expect(state, JSON.stringify(state)).toMatchObject({ dead_letter: false, attempts: 0, next_retry: null });
    expect(state.cursor).toBeGreaterThanOrEqual(seqs.at(-1)!);
    const received = (await (await fetch(`https://${HOSTILE_PEER}/__received`)).json()) as { bytes: number; items: number }[];
    expect(received.every((r) => r.bytes <= 8 * 1024 * 1024)).toBe(true);
    // the six inflated items reached the peer, in more than one delivery
    expect(received.filter((r) => r.bytes > 1_500_000).length).toBeGreaterThan(1);
    expect(received.reduce((n, r) => n + Math.floor(r.bytes / 1_500_000), 0)).toBeGreaterThanOrEqual(6);
    await env.DB.prepare("UPDATE declarations SET receipt = json_remove(receipt, '$.legacy') WHERE seq >= ?1 AND seq <= ?2").bind(seqs[0], seqs.at(-1)).run();
  }, 60_000);
});

describe("did:web resolution reaches public hosts only, and not without bound", () => {
  const requested = async (host: string) => (await (await fetch(`https://outbound-log.test/__requests?host=${host}`)).json()) as string[];

  it("never fetches loopback, private, link-local or intranet controllers; the declaration is registered unverified", async () => {
    const internal = ["127.0.0.1%3A8798", "2130706433", "0x7f000001", "localhost", "localhost%3A8787", "169.254.169.254", "10.0.0.1", "192.168.0.10", "intranet", "db.internal"];
    const items = await Promise.all(internal.map((host) => declaration(newKey(`did:web:${host}`), { urls: [`https://internal.example/${encodeURIComponent(host)}`] })));
    const res = await post("/v1/declarations/batch", items);
    expect(res.body.created).toBe(internal.length);
    for (const r of res.body.results) expect(r.receipt.verification.verified).toBe(false);
    const seen = (await (await fetch("https://outbound-log.test/__requests")).json()) as string[];
    const hosts = seen.filter((u) => u.endsWith("/.well-known/did.json")).map((u) => new URL(u).hostname);
    for (const h of ["127.0.0.1", "localhost", "169.254.169.254", "10.0.0.1", "192.168.0.10", "intranet", "db.internal"]) expect(hosts, h).not.toContain(h);
  }, 30_000);

  it("follows no redirect and does not read an oversize document", async () => {
    const r = await post("/v1/declarations", await declaration(seed42("did:web:redirect.example"), { urls: ["https://redirect.example/x"] }));
    expect(r.body.receipt.verification.verified).toBe(false);
    expect((await requested("rights.example")).filter((u) => u.includes("/redirected/"))).toEqual([]);
    const e = await post("/v1/declarations", await declaration(seed42("did:web:huge.example"), { urls: ["https://huge.example/x"] }));
    expect(e.status).toBe(201);
    expect(e.body.receipt.verification.verified).toBe(false);
  }, 30_000);

  it("a batch naming 200 documents opens a handful of connections at a time, and verifies them all", async () => {
    await fetch("https://did-hosts.test/__stats"); // reset
    const items = await Promise.all(Array.from({ length: 200 }, (_, i) => declaration(seed42(`did:web:d${i}.many.example`), { urls: [`https://d${i}.many.example/*`] })));
    const res = await post("/v1/declarations/batch", items);
    expect(res.body.created).toBe(200);
    expect(res.body.results.every((r: any) => r.receipt.verification.verified)).toBe(true);
    const { maxOpen } = (await (await fetch("https://did-hosts.test/__stats")).json()) as { maxOpen: number };
    expect(maxOpen).toBeGreaterThan(0);
    expect(maxOpen).toBeLessThanOrEqual(6);
  }, 60_000);
});
