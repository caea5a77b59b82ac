import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { keypairFromSecret, signJson, verifyJson } from "../../src/domain/iscc-sig";
import { decodeEd25519SecretMultikey } from "../../src/domain/multikey";
import { genIsccIdV1, parseIsccIdV1 } from "../../src/iscc/index";
import { call, contentUnit, declaration, get, newKey, post, randomBody, tableCounts } from "./helpers";

/** A well-formed ISCC-ID v1 that no registration will ever produce (hub 4095, time 1). */
const UNKNOWN_ID = genIsccIdV1({ timestampMicros: 1n, hubId: 4095 });
const TEST_REGISTRY_KEY = keypairFromSecret(decodeEd25519SecretMultikey(env.REGISTRY_SECRET_KEY));

describe("POST /v1/declarations", () => {
  it("registers a declaration and returns a receipt signed by the registry", async () => {
    const key = newKey();
    const d = await declaration(key, { iscc: contentUnit(randomBody()), urls: ["https://Example.com:443/art/*"], name: "Sunset over Lisbon" });
    const res = await post("/v1/declarations", d);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ seq: expect.any(Number), status: "active", digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.body.id).toMatch(/^ISCC:MAI/);
    const id = parseIsccIdV1(res.body.id);
    expect(id.hubId).toBe(Number(env.HUB_ID));
    const receipt = res.body.receipt;
    expect(receipt).toMatchObject({ type: "OptOutReceipt", id: res.body.id, seq: res.body.seq, digest: res.body.digest, registry: env.REGISTRY_NAME });
    const verified = await verifyJson(receipt, { publicKey: TEST_REGISTRY_KEY.publicKey });
    expect(verified.pubkeyMultikey).toBe(receipt.signature.pubkey);
  });

  it("is idempotent: the same signed declaration gets the same receipt with 200", async () => {
    const d = await declaration(newKey(), { urls: ["https://idem.example/a.jpg"] });
    const first = await post("/v1/declarations", d);
    const before = await tableCounts();
    const again = await post("/v1/declarations", d);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await tableCounts()).toEqual(before);
  });

  it("normalizes URL patterns and stores them as declared subjects", async () => {
    const d = await declaration(newKey(), { urls: ["HTTPS://EXAMPLE.org:443/%7Euser/photos/*", "https://example.org/a.jpg#frag"] });
    const res = await post("/v1/declarations", d);
    const rows = await env.DB.prepare("SELECT kind, pattern, key, host FROM url_rules WHERE seq = ? ORDER BY pattern").bind(res.body.seq).all();
    expect(rows.results).toEqual([
      { kind: "exact", pattern: "https://example.org/a.jpg", key: "example.org/a.jpg", host: "example.org" },
      { kind: "prefix", pattern: "https://example.org/~user/photos/*", key: "example.org/~user/photos/", host: "example.org" },
    ]);
  });

  it("assigns gapless sequence numbers and strictly increasing ids under concurrency", async () => {
    const key = newKey();
    const ds = await Promise.all(Array.from({ length: 40 }, (_, i) => declaration(key, { urls: [`https://conc.example/${i}`] })));
    const results = await Promise.all(ds.map((d) => post("/v1/declarations", d)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const rows = await env.DB.prepare("SELECT seq, id FROM declarations ORDER BY seq").all<{ seq: number; id: string }>();
    rows.results.forEach((r, i) => expect(r.seq).toBe(i + 1));
    const micros = rows.results.map((r) => parseIsccIdV1(r.id).timestampMicros);
    for (let i = 1; i < micros.length; i++) expect(micros[i]! > micros[i - 1]!).toBe(true);
  });
});

describe("bad input gets a problem response and changes nothing", () => {
  const cases: [string, () => Promise<{ body: unknown; raw?: boolean; headers?: Record<string, string> }>, number, string][] = [
    ["malformed ISCC", async () => ({ body: await declaration(newKey(), { iscc: "ISCC:NOTACODE" }) }), 422, "/iscc"],
    ["an ISCC-ID as subject", async () => ({ body: await declaration(newKey(), { iscc: UNKNOWN_ID }) }), 422, "/iscc"],
    ["bad signature (tampered after signing)", async () => ({ body: { ...(await declaration(newKey(), { urls: ["https://x.example/a"] })), name: "changed" } }), 422, "/signature/proof"],
    ["missing signature", async () => {
      const { signature: _, ...rest } = await declaration(newKey(), { urls: ["https://x.example/a"] });
      return { body: rest };
    }, 422, "/signature"],
    ["signature by another key than pubkey says", async () => {
      const d = await declaration(newKey(), { urls: ["https://x.example/a"] });
      const other = await declaration(newKey(), { urls: ["https://x.example/a"] });
      return { body: { ...d, signature: { ...d.signature, pubkey: other.signature.pubkey } } };
    }, 422, "/signature/proof"],
    ["stale timestamp", async () => ({ body: await declaration(newKey(), { urls: ["https://x.example/a"], timestamp: new Date(Date.now() - 11 * 60_000).toISOString() }) }), 422, "/timestamp"],
    ["future timestamp", async () => ({ body: await declaration(newKey(), { urls: ["https://x.example/a"], timestamp: new Date(Date.now() + 11 * 60_000).toISOString() }) }), 422, "/timestamp"],
    ["unknown field", async () => ({ body: await declaration(newKey(), { urls: ["https://x.example/a"], colour: "red" }) }), 422, "/colour"],
    ["unknown preference", async () => ({ body: await declaration(newKey(), { urls: ["https://x.example/a"], preferences: { "train-everything": "n" } }) }), 422, "/preferences/train-everything"],
    ["a vocabulary 2 key in a vocabulary 1 declaration", async () => ({ body: await declaration(newKey(), { urls: ["https://x.example/a"], preferences: { "draft-ai-use": "n" } }) }), 422, "/preferences/draft-ai-use"],
    ["a vocabulary 1 key in a vocabulary 2 declaration", async () => ({ body: await declaration(newKey(), { vocabulary: 2, urls: ["https://x.example/a"], preferences: { "train-genai": "n" } }) }), 422, "/preferences/train-genai"],
    ["an unknown vocabulary", async () => ({ body: await declaration(newKey(), { vocabulary: 3, urls: ["https://x.example/a"] }) }), 422, "/vocabulary"],
    ["invalid URL", async () => ({ body: await declaration(newKey(), { urls: ["https://x.example/a", "ftp://x.example/b"] }) }), 422, "/urls/1"],
    ["star in the middle of a URL", async () => ({ body: await declaration(newKey(), { urls: ["https://x.example/*/b"] }) }), 422, "/urls/0"],
    ["no subject", async () => ({ body: await declaration(newKey(), {}) }), 422, ""],
    ["bad datahash", async () => ({ body: await declaration(newKey(), { datahash: "1e20abc" }) }), 422, "/datahash"],
    ["bad nonce", async () => ({ body: await declaration(newKey(), { urls: ["https://x.example/a"], nonce: "xyz" }) }), 422, "/nonce"],
    ["update without supersedes", async () => ({ body: await declaration(newKey(), { urls: ["https://x.example/a"], intent: "update" }) }), 422, "/supersedes"],
    ["malformed JSON", async () => ({ body: "{not json", raw: true, headers: { "content-type": "application/json" } }), 400, ""],
    ["oversize body", async () => ({ body: await declaration(newKey(), { urls: ["https://x.example/a"], name: "x".repeat(40_000) }) }), 413, ""],
  ];

  it.each(cases)("%s", async (_name, make, status, pointer) => {
    const before = await tableCounts();
    const { body, raw, headers } = await make();
    const res = await call("POST", "/v1/declarations", raw ? (body as string) : body, headers);
    expect(res.status).toBe(status);
    expect(res.type).toBe("application/problem+json");
    expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
    if (status === 422) expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    expect(await tableCounts()).toEqual(before);
  });
});

describe("update and revoke", () => {
  it("revokes by the same key; the original becomes revoked and lookups stop matching", async () => {
    const key = newKey();
    const d = await declaration(key, { urls: ["https://revoke.example/art/*"] });
    const reg = await post("/v1/declarations", d);
    expect((await get("/v1/lookup?url=https://revoke.example/art/1.jpg")).body.opted_out).toBe(true);
    const r = await post("/v1/declarations", await declaration(key, { intent: "revoke", supersedes: reg.body.id, preferences: undefined }));
    expect(r.status).toBe(201);
    expect((await get(`/v1/declarations/${reg.body.id}`)).body.status).toBe("revoked");
    const after = await get("/v1/lookup?url=https://revoke.example/art/1.jpg");
    expect(after.body).toMatchObject({ opted_out: false, declarations: [] });
  });

  it("refuses a revoke by another key (403) and changes nothing", async () => {
    const reg = await post("/v1/declarations", await declaration(newKey(), { urls: ["https://wrongkey.example/*"] }));
    const before = await tableCounts();
    const r = await post("/v1/declarations", await declaration(newKey(), { intent: "revoke", supersedes: reg.body.id, preferences: undefined }));
    expect(r.status).toBe(403);
    expect(r.type).toBe("application/problem+json");
    expect(r.body.errors[0].pointer).toBe("/supersedes");
    expect(await tableCounts()).toEqual(before);
    expect((await get(`/v1/declarations/${reg.body.id}`)).body.status).toBe("active");
  });

  it("lets the same verified did:web controller revoke with another key", async () => {
    const seedKey = keypairFromSecret(new Uint8Array(32).fill(0x42), { controller: "did:web:rights.example" });
    const reg = await post("/v1/declarations", await declaration(seedKey, { urls: ["https://rights.example/catalog/*", "https://other.example/x"] }));
    expect(reg.status).toBe(201);
    const shown = await get(`/v1/declarations/${reg.body.id}`);
    expect(shown.body.controller_verified).toBe(true);
    // Each URL subject with the label lookups cite it with: on the verified domain or not.
    expect(shown.body.url_subjects).toEqual([
      { pattern: "https://rights.example/catalog/*", kind: "prefix", verification: "domain-verified" },
      { pattern: "https://other.example/x", kind: "exact", verification: "self-asserted" },
    ]);
    const look = await get("/v1/lookup?url=https://www.rights.example/catalog/1");
    expect(look.body.declarations).toEqual([]); // www. is not under the prefix rule's host
    const look2 = await get("/v1/lookup?url=https://rights.example/catalog/1");
    expect(look2.body.declarations[0].verification).toBe("domain-verified");
    const look3 = await get("/v1/lookup?url=https://other.example/x");
    expect(look3.body.declarations[0].verification).toBe("self-asserted");
    // A second key of the same controller is not in the DID document: it cannot claim the controller.
    const otherKey = newKey("did:web:rights.example");
    const r = await post("/v1/declarations", await declaration(otherKey, { intent: "revoke", supersedes: reg.body.id, preferences: undefined }));
    expect(r.status).toBe(403);
  });

  it("updates: the old one is superseded, the new preferences answer", async () => {
    const key = newKey();
    const reg = await post("/v1/declarations", await declaration(key, { urls: ["https://update.example/a"], preferences: { all: "n" } }));
    const up = await post("/v1/declarations", await declaration(key, { intent: "update", supersedes: reg.body.id, urls: ["https://update.example/a"], preferences: { "train-genai": "n" } }));
    expect(up.status).toBe(201);
    expect((await get(`/v1/declarations/${reg.body.id}`)).body.status).toBe("superseded");
    const look = await get("/v1/lookup?url=https://update.example/a");
    expect(look.body.preferences).toEqual({ "train-ai": "n", "draft-ai-use": "unknown", search: "unknown" });
    // Updating a declaration that is no longer active is refused.
    const again = await post("/v1/declarations", await declaration(key, { intent: "update", supersedes: reg.body.id, urls: ["https://update.example/a"] }));
    expect(again.status).toBe(409);
  });

  it("refuses to supersede an unknown declaration", async () => {
    const r = await post("/v1/declarations", await declaration(newKey(), { intent: "revoke", supersedes: UNKNOWN_ID, preferences: undefined }));
    expect(r.status).toBe(404);
  });
});

describe("GET /v1/declarations/{id}", () => {
  it("finds by id and by digest; 404 for unknown", async () => {
    const reg = await post("/v1/declarations", await declaration(newKey(), { datahash: "1e20" + "ab".repeat(32) }));
    const byId = await get(`/v1/declarations/${reg.body.id}`);
    const byDigest = await get(`/v1/declarations/${reg.body.digest}`);
    expect(byId.status).toBe(200);
    expect(byDigest.body).toEqual(byId.body);
    expect(byId.body.declaration.datahash).toBe("1e20" + "ab".repeat(32));
    await verifyJson(byId.body.declaration);
    expect((await get(`/v1/declarations/${UNKNOWN_ID}`)).status).toBe(404);
    expect((await get("/v1/declarations/nonsense")).type).toBe("application/problem+json");
  });
});

describe("receipts are signed with the configured registry key", () => {
  it("a receipt altered after signing no longer verifies", async () => {
    const reg = await post("/v1/declarations", await declaration(newKey(), { urls: ["https://receipt.example/a"] }));
    await expect(verifyJson({ ...reg.body.receipt, seq: reg.body.receipt.seq + 1 })).rejects.toThrow();
    const resigned = await signJson({ a: 1 }, TEST_REGISTRY_KEY);
    expect(resigned.signature.pubkey).toBe(reg.body.receipt.signature.pubkey);
  });
});
