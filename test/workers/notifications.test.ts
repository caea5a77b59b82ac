import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { keypairFromSecret, signJson, type Keypair } from "../../src/domain/iscc-sig";
import { conflictsDetected, contentUnit, declaration, flipBits, get, newKey, nonce, post, randomBody, tableCounts } from "./helpers";

const RECEIVER = "https://hooks.receiver.test";
const pub = async (k: Keypair) => (await signJson({}, k)).signature.pubkey!;

async function subscription(key: Keypair, fields: Record<string, unknown> = {}): Promise<Record<string, any>> {
  return signJson(
    {
      type: "OptOutSubscription",
      version: 1,
      intent: "subscribe",
      subscriber: await pub(key),
      url: `${RECEIVER}/${nonce()}`,
      timestamp: new Date().toISOString(),
      nonce: nonce(),
      ...fields,
    },
    key,
  );
}

async function counts() {
  // Detection of earlier tests' records runs beside the commits: let it finish before counting.
  await conflictsDetected();
  const out = await tableCounts();
  for (const t of ["subscriptions", "notifications"]) out[t] = (await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  return out;
}

async function receiver(path: string) {
  return (await (await fetch(`${RECEIVER}/__deliveries/${path}`)).json()) as { id: string; status: number; verified: boolean; error: string | null; payload: any }[];
}

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("subscriptions: bad requests are refused and change nothing", () => {
  it("for a key you do not hold, a did:web that does not list the key, a bad signature, a stale or replayed request, unknown fields, a private URL", async () => {
    const me = newKey();
    const other = newKey();
    const before = await counts();
    const refused = async (body: unknown, status: number, slug: string, pointer?: string) => {
      const res = await post("/v1/subscriptions", body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.type).toMatch(new RegExp(`/problems/${slug}$`));
      if (pointer !== undefined) expect(res.body.errors.map((e: any) => e.pointer)).toContain(pointer);
    };
    await refused(await subscription(me, { subscriber: await pub(other) }), 403, "not-the-subscriber", "/subscriber");
    await refused(await subscription(newKey("did:web:rights.example"), { subscriber: "did:web:rights.example" }), 403, "not-the-subscriber", "/subscriber");
    const tampered = await subscription(me);
    tampered.url = `${RECEIVER}/elsewhere`;
    await refused(tampered, 422, "invalid-request");
    await refused(await subscription(me, { timestamp: new Date(Date.now() - 3600_000).toISOString() }), 422, "invalid-request", "/timestamp");
    await refused({ ...(await subscription(me)), events: ["all"] }, 422, "invalid-request", "/events");
    await refused(await subscription(me, { url: "https://10.1.2.3/hook" }), 422, "invalid-request", "/url");
    await refused(await subscription(me, { url: "http://hooks.receiver.test/plain" }), 422, "invalid-request", "/url");
    await refused(await subscription(me, { intent: "unsubscribe" }), 404, "not-found");
    expect(await counts()).toEqual(before);

    const once = await subscription(me);
    expect((await post("/v1/subscriptions", once)).status).toBe(201);
    const after = await counts();
    await refused(once, 409, "replayed-request");
    expect(await counts()).toEqual(after);
  });
});

describe("notifications", () => {
  it("a conflict and a near-duplicate reach the subscribed receiver, signed (Standard Webhooks v1), retried after a failure; the list says the same", async () => {
    const photographer = newKey();
    const path = `photographer-${nonce()}`;
    const sub = await post("/v1/subscriptions", await subscription(photographer, { url: `${RECEIVER}/${path}` }));
    expect(sub.status).toBe(201);
    expect(sub.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await fetch(`${RECEIVER}/__secret/${path}`, { method: "POST", body: sub.body.secret });
    await fetch(`${RECEIVER}/__fail/${path}?times=1`, { method: "POST" });

    const body = randomBody();
    const mine = await post("/v1/declarations", await declaration(photographer, { iscc: contentUnit(body), preferences: { "train-ai": "n" } }));
    const copy = await post("/v1/declarations", await declaration(newKey(), { iscc: contentUnit(flipBits(body, [3, 17])), preferences: { "train-ai": "y" } }));
    expect([mine.status, copy.status]).toEqual([201, 201]);

    const listed = await until(
      async () => (await get(`/v1/notifications?party=${await pub(photographer)}`)).body.notifications,
      (l: any[]) => l.length >= 2,
    );
    expect(listed.map((n: any) => n.type).sort()).toEqual(["conflict.found", "declaration.near-duplicate"]);
    const got = await until(
      () => receiver(path),
      (l) => l.filter((d) => d.status === 204).length >= 2,
    );
    const ok = got.filter((d) => d.status === 204);
    expect(got.every((d) => d.verified), JSON.stringify(got)).toBe(true);
    expect(ok.map((d) => d.id).sort()).toEqual(listed.map((n: any) => n.id).sort());
    // The failed attempt was retried with the same webhook-id.
    expect(got[0]!.status).toBe(500);
    expect(ok.map((d) => d.id)).toContain(got[0]!.id);
    const conflict = ok.find((d) => d.payload.type === "conflict.found")!.payload;
    expect(conflict.data.party).toBe(await pub(photographer));
    expect([conflict.data.conflict.claim, conflict.data.conflict.counterpart].sort()).toEqual([mine.body.id, copy.body.id].sort());
    const near = ok.find((d) => d.payload.type === "declaration.near-duplicate")!.payload;
    expect(near.data).toMatchObject({ declaration: copy.body.id, yours: mine.body.id });

    // Unsubscribed: ended, and nothing more is delivered.
    const end = await post("/v1/subscriptions", await subscription(photographer, { intent: "unsubscribe", url: `${RECEIVER}/${path}` }));
    expect(end.status).toBe(200);
    expect(end.body.ended).toEqual([sub.body.id]);
  });

  it("a did:web subscribes with a key its document lists", async () => {
    const society = keypairFromSecret(new Uint8Array(32).fill(0x42), { controller: "did:web:rights.example" });
    const res = await post("/v1/subscriptions", await subscription(society, { subscriber: "did:web:rights.example" }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.subscriber).toBe("did:web:rights.example");
  });
});
