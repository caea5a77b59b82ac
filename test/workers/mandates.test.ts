import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { keypairFromSecret, signJson, type Keypair } from "../../src/domain/iscc-sig";
import { encodeUnit, MainType } from "../../src/iscc/index";
import { conflictsDetected, contentUnit, declaration, get, newKey, nonce, post, randomBody, flipBits, tableCounts } from "./helpers";

/** The society: the key the fake did:web host rights.example lists, so its controller is verified for rights.example. */
const society = keypairFromSecret(new Uint8Array(32).fill(0x42), { controller: "did:web:rights.example" });
const SOCIETY = "did:web:rights.example";
const pub = async (k: Keypair) => (await signJson({}, k)).signature.pubkey!;

async function mandate(key: Keypair, fields: Record<string, unknown>): Promise<Record<string, any>> {
  const m: Record<string, unknown> = {
    type: "OptOutMandate",
    version: 1,
    intent: "activate",
    member: await pub(key),
    agent: SOCIETY,
    scope: { all: true },
    valid_until: new Date(Date.now() + 86_400_000).toISOString(),
    timestamp: new Date().toISOString(),
    nonce: nonce(),
    ...fields,
  };
  for (const [k, v] of Object.entries(m)) if (v === undefined) delete m[k];
  return signJson(m, key);
}
const revoke = (key: Keypair, id: string) => mandate(key, { intent: "revoke", supersedes: id, member: undefined, agent: undefined, scope: undefined, valid_until: undefined });

async function counts() {
  // Detection of earlier tests' records runs beside the commits: let it finish before counting.
  await conflictsDetected();
  const out = await tableCounts();
  for (const t of ["mandates", "conflicts", "conflict_parties"]) out[t] = (await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  return out;
}

/** The label and agent of declaration `id` wherever it is cited: by id, in a lookup of `url`, in the agent listing. */
async function labelOf(id: string, url: string) {
  const one = await get(`/v1/declarations/${id}`);
  const look = await get(`/v1/lookup?url=${encodeURIComponent(url)}`);
  if (!look.body.declarations) throw new Error(JSON.stringify(look.body));
  const cited = look.body.declarations.find((d: { id: string }) => d.id === id);
  expect(cited.agent).toEqual(one.body.agent);
  return { label: one.body.agent?.label, verification: cited.verification, mandate: one.body.agent?.mandate, status: one.body.status };
}

describe("mandates: a society declares for its members", () => {
  it("granted, used, exceeded, revoked by the member and by the agent, expired: labels change, declarations stay", async () => {
    const m1 = newKey();
    const m2 = newKey();
    const grant = await post("/v1/mandates", await mandate(m1, { scope: { urls: ["https://m1.example/*"] } }));
    expect(grant.status).toBe(201);
    expect(grant.body.receipt.verification).toBeUndefined(); // the member signed without a controller
    const inScope = await post("/v1/declarations", await declaration(society, { urls: ["https://m1.example/a.jpg"], on_behalf_of: await pub(m1) }));
    const outOfScope = await post("/v1/declarations", await declaration(society, { urls: ["https://m1-other.example/a.jpg"], on_behalf_of: await pub(m1) }));
    const noMandate = await post("/v1/declarations", await declaration(society, { urls: ["https://m2.example/a.jpg"], on_behalf_of: await pub(m2) }));
    const unverifiedAgent = await post("/v1/declarations", await declaration(newKey(), { urls: ["https://m2.example/b.jpg"], on_behalf_of: await pub(m2) }));
    expect([inScope.status, outOfScope.status, noMandate.status, unverifiedAgent.status]).toEqual([201, 201, 201, 201]);
    // The registration's answer already says on what authority each speaks.
    expect([inScope, outOfScope, noMandate, unverifiedAgent].map((r) => [r.body.agent.label, r.body.agent.mandate])).toEqual([
      ["agent-mandated", grant.body.id],
      ["agent-asserted", null],
      ["agent-asserted", null],
      ["self-asserted", null],
    ]);
    const batch = await post("/v1/declarations/batch", [
      await declaration(society, { urls: ["https://m1.example/b.jpg"], on_behalf_of: await pub(m1) }),
      await declaration(society, { urls: ["https://society-own.example/"] }),
      await declaration(society, { urls: ["https://m2.example/c.jpg"], on_behalf_of: await pub(m2) }),
    ]);
    expect(batch.body.results.map((r: any) => [r.outcome, r.agent?.label, r.agent?.mandate])).toEqual([
      ["created", "agent-mandated", grant.body.id],
      ["created", undefined, undefined],
      ["created", "agent-asserted", null],
    ]);

    expect(await labelOf(inScope.body.id, "https://m1.example/a.jpg")).toEqual({ label: "agent-mandated", verification: "agent-mandated", mandate: grant.body.id, status: "active" });
    expect((await labelOf(outOfScope.body.id, "https://m1-other.example/a.jpg")).label).toBe("agent-asserted");
    expect((await labelOf(noMandate.body.id, "https://m2.example/a.jpg")).label).toBe("agent-asserted");
    expect((await labelOf(unverifiedAgent.body.id, "https://m2.example/b.jpg")).label).toBe("self-asserted");
    const listed = await get(`/v1/declarations?agent=${encodeURIComponent(SOCIETY)}&member=${encodeURIComponent(await pub(m1))}`);
    expect(listed.body.declarations.map((d: { id: string }) => d.id)).toEqual([inScope.body.id, outOfScope.body.id, batch.body.results[0].id]);
    expect((await get(`/v1/mandates?member=${encodeURIComponent(await pub(m1))}`)).body.mandates.map((m: { id: string; in_force: boolean }) => [m.id, m.in_force])).toEqual([[grant.body.id, true]]);

    // Revoked by the member: what it covered is agent-asserted now, and still there.
    expect((await post("/v1/mandates", await revoke(m1, grant.body.id))).status).toBe(201);
    expect(await labelOf(inScope.body.id, "https://m1.example/a.jpg")).toEqual({ label: "agent-asserted", verification: "agent-asserted", mandate: null, status: "active" });
    expect((await get(`/v1/mandates/${grant.body.id}`)).body).toMatchObject({ status: "revoked", in_force: false });

    // Granted again by m2, revoked by the agent.
    const g2 = await post("/v1/mandates", await mandate(m2, {}));
    expect((await labelOf(noMandate.body.id, "https://m2.example/a.jpg")).label).toBe("agent-mandated");
    expect((await post("/v1/mandates", await revoke(society, g2.body.id))).status).toBe(201);
    expect((await labelOf(noMandate.body.id, "https://m2.example/a.jpg")).label).toBe("agent-asserted");

    // A grant that ends: mandated until its end, agent-asserted after.
    const m3 = newKey();
    await post("/v1/mandates", await mandate(m3, { valid_until: new Date(Date.now() + 1500).toISOString() }));
    const d3 = await post("/v1/declarations", await declaration(society, { urls: ["https://m3.example/a.jpg"], on_behalf_of: await pub(m3) }));
    expect((await labelOf(d3.body.id, "https://m3.example/a.jpg")).label).toBe("agent-mandated");
    await new Promise((r) => setTimeout(r, 1600));
    expect((await labelOf(d3.body.id, "https://m3.example/a.jpg")).label).toBe("agent-asserted");
  }, 30_000);

  it("labels a match answer once: the match's verification is the declaration's agency label", async () => {
    const member = newKey();
    const code = contentUnit(randomBody());
    await post("/v1/mandates", await mandate(member, { scope: { iscc: [code] } }));
    const covered = await post("/v1/declarations", await declaration(society, { iscc: code, on_behalf_of: await pub(member) }));
    const other = contentUnit(randomBody());
    const outside = await post("/v1/declarations", await declaration(society, { iscc: other, on_behalf_of: await pub(member) }));
    const labels = async (q: string) =>
      (await post("/v1/match", { iscc: [q] })).body.results[0].matches.map((m: any) => [m.declaration.id, m.verification, m.declaration.verification, m.declaration.agent?.label]);
    expect(await labels(code)).toEqual([[covered.body.id, "agent-mandated", "agent-mandated", "agent-mandated"]]);
    expect(await labels(other)).toEqual([[outside.body.id, "agent-asserted", "agent-asserted", "agent-asserted"]]);
    const own = await post("/v1/declarations", await declaration(newKey(), { iscc: contentUnit(randomBody()) }));
    expect(await labels((await get(`/v1/declarations/${own.body.id}`)).body.declaration.iscc)).toEqual([[own.body.id, "self-asserted", "self-asserted", undefined]]);
  });

  it("refuses a mandate by the wrong key, expired, out of scope or naming itself, and a revoke by a stranger, changing nothing", async () => {
    const member = newKey();
    const granted = await post("/v1/mandates", await mandate(member, {}));
    const before = await counts();
    const cases: [Record<string, any>, number, string][] = [
      [await mandate(newKey(), { member: await pub(member) }), 403, "/member"],
      [await mandate(member, { valid_from: new Date(Date.now() - 7_200_000).toISOString(), valid_until: new Date(Date.now() - 3_600_000).toISOString() }), 422, "/valid_until"],
      [await mandate(member, { scope: {} }), 422, "/scope"],
      [await mandate(member, { scope: { urls: ["https://a.example/x*y"] } }), 422, "/scope/urls/0"],
      [await mandate(member, { agent: await pub(member) }), 422, "/agent"],
      [{ ...(await mandate(member, {})), agent: "did:web:other.example" }, 422, "/signature/proof"],
      [await revoke(newKey(), granted.body.id), 403, "/supersedes"],
      [await declaration(member, { urls: ["https://self.example/"], on_behalf_of: await pub(member) }), 422, "/on_behalf_of"],
    ];
    for (const [body, status, pointer] of cases) {
      const path = body.type === "OptOutMandate" ? "/v1/mandates" : "/v1/declarations";
      const res = await post(path, body);
      expect([res.status, res.type, res.body.errors?.map((e: { pointer: string }) => e.pointer)]).toEqual([status, "application/problem+json", [pointer]]);
    }
    expect(await counts()).toEqual(before);
  });
});

describe("conflicts", () => {
  it("are found at registration, listed for each party, and cited in lookup and match answers", async () => {
    const body = randomBody();
    const code = contentUnit(body);
    const near = contentUnit(flipBits(body, [1, 9, 30]));
    const owner = keypairFromSecret(new Uint8Array(32).fill(0x42), { controller: "did:web:photos.example" });
    const a = newKey();
    const b = newKey();
    const stranger = newKey();
    const verified = await post("/v1/declarations", await declaration(owner, { iscc: code, urls: ["https://photos.example/*"], preferences: { "train-ai": "n" } }));
    const yes = await post("/v1/declarations", await declaration(a, { iscc: near, preferences: { "train-ai": "y" } }));
    const claim = await post("/v1/declarations", await declaration(stranger, { iscc: near, urls: ["https://photos.example/sunset.jpg"], preferences: { "train-ai": "n" } }));
    expect([verified.status, yes.status, claim.status]).toEqual([201, 201, 201]);
    await conflictsDetected();

    const listed = (await get(`/v1/conflicts?declarant=${await pub(stranger)}`)).body.conflicts;
    expect(listed.map((c: any) => [c.kind, c.claim, c.counterpart]).sort()).toEqual(
      [
        ["domain-claim", claim.body.id, verified.body.id],
        ["opposite-preferences", claim.body.id, yes.body.id],
        ["unverified-claim", claim.body.id, verified.body.id],
      ].sort(),
    );
    const forOwner = (await get(`/v1/conflicts?declarant=${encodeURIComponent("did:web:photos.example")}`)).body.conflicts;
    // The owner also hears of a's unverified claim over its work.
    expect(forOwner.map((c: any) => c.kind).sort()).toEqual(["domain-claim", "opposite-preferences", "unverified-claim", "unverified-claim"]);
    expect(forOwner.find((c: any) => c.kind === "domain-claim").matched).toEqual({ url: "https://photos.example/sunset.jpg", domain: "photos.example" });
    void b;

    const look = await get(`/v1/lookup?url=${encodeURIComponent("https://photos.example/sunset.jpg")}`);
    // Both the owner's rule and the stranger's cover this URL: every conflict of either is cited, once.
    const cited = new Set(look.body.declarations.map((d: { id: string }) => d.id));
    expect(cited).toEqual(new Set([verified.body.id, claim.body.id]));
    expect(look.body.conflicts.map((c: any) => c.id).sort()).toEqual(
      [...new Map([...listed, ...forOwner].map((c: any) => [c.id, c])).values()].filter((c: any) => cited.has(c.claim) || cited.has(c.counterpart)).map((c: any) => c.id).sort(),
    );
    // A batch answers the same, in whichever of its chunks (one round trip, rules and conflicts) the URL falls.
    const urls = [look.body.url, ...Array.from({ length: 120 }, (_, i) => `https://photos.example/p${i}.jpg`), look.body.url];
    const batch = (await post("/v1/lookup", { urls })).body.results;
    expect(batch[0]).toEqual(look.body);
    expect(batch[urls.length - 1]).toEqual(look.body);
    const matched = await post("/v1/match", { iscc: [code] });
    expect(matched.body.results[0].conflicts.length).toBeGreaterThanOrEqual(3);
    // Revoking the stranger's claim ends the dispute in answers; the record stays listed.
    await post("/v1/declarations", await declaration(stranger, { intent: "revoke", supersedes: claim.body.id, preferences: undefined }));
    await conflictsDetected();
    const after = (await post("/v1/match", { iscc: [code] })).body.results[0].conflicts;
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((c: any) => c.claim !== claim.body.id && c.counterpart !== claim.body.id)).toBe(true);
    expect((await get(`/v1/conflicts?declarant=${await pub(stranger)}`)).body.conflicts.length).toBe(3);
  });
});

describe("conflicts on a work identifier", () => {
  it("two parties naming the same ISRC with opposite preferences conflict, whatever else they name", async () => {
    const label = newKey();
    const stranger = newKey();
    const isrc = `QZES8${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
    const mine = await post("/v1/declarations", await declaration(label, { identifiers: { isrc: [isrc] }, preferences: { "train-ai": "n" } }));
    const theirs = await post("/v1/declarations", await declaration(stranger, { identifiers: { isrc: [isrc] }, urls: ["https://elsewhere.example/x"], preferences: { "train-ai": "y" } }));
    expect([mine.status, theirs.status], JSON.stringify(mine.body)).toEqual([201, 201]);
    await conflictsDetected();
    const listed = (await get(`/v1/conflicts?declarant=${await pub(label)}`)).body.conflicts;
    expect(listed.map((c: any) => [c.kind, c.claim, c.counterpart, c.matched.work.subject, c.matched.work.claim])).toEqual([
      ["opposite-preferences", theirs.body.id, mine.body.id, "identifier", `isrc:${isrc}`],
    ]);
  });
});

describe("conflicts on the same bytes", () => {
  it("an Instance-Code arriving after the datahash of the bytes it starts is one work with it, for each of several such pairs in one pass", async () => {
    const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    const parties = [0, 1, 2].map(() => ({ hash: crypto.getRandomValues(new Uint8Array(32)), owner: newKey(), stranger: newKey() }));
    const mine = await Promise.all(parties.map(async (p) => post("/v1/declarations", await declaration(p.owner, { datahash: "1e20" + hex(p.hash), preferences: { "train-ai": "n" } }))));
    await conflictsDetected();
    // The Instance-Codes arrive later: only their search for datahashes they start can find the first ones.
    const theirs = await Promise.all(parties.map(async (p) => post("/v1/declarations", await declaration(p.stranger, { iscc: encodeUnit(MainType.INSTANCE, 0, 0, 64, p.hash), preferences: { "train-ai": "y" } }))));
    expect([...mine, ...theirs].map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    await conflictsDetected();
    for (const [i, p] of parties.entries()) {
      const listed = (await get(`/v1/conflicts?declarant=${await pub(p.owner)}`)).body.conflicts;
      expect(listed.map((c: any) => [c.kind, c.claim, c.counterpart])).toEqual([["opposite-preferences", theirs[i]!.body.id, mine[i]!.body.id]]);
    }
  });
});
