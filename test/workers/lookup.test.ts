import { beforeAll, describe, expect, it } from "vitest";
import { keypairFromSecret } from "../../src/domain/iscc-sig";
import { encodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { encodeUnit, genIsccCodeV0, MainType } from "../../src/iscc/index";
import { call, contentUnit, declaration, flipBits, get, newKey, post, randomBody, tableCounts } from "./helpers";

beforeAll(async () => {
  // `a` owns photos.example and mixed.example: their DID documents list its key (test/fakes/did-hosts.ts),
  // so its URL rules are domain-verified and its "y" counts as consent (src/domain/consent.ts).
  const seed = new Uint8Array(32).fill(0x42);
  const a = keypairFromSecret(seed, { controller: "did:web:photos.example" });
  const aMixed = keypairFromSecret(seed, { controller: "did:web:mixed.example" });
  const b = newKey();
  for (const d of [
    await declaration(a, { urls: ["https://photos.example/art/*"], preferences: { "train-ai": "n", search: "y" } }),
    await declaration(a, { urls: ["https://photos.example/free.jpg"], preferences: { "train-ai": "y", "train-genai": "y" } }),
    await declaration(b, { urls: ["https://*.label.example/*"], preferences: { "train-genai": "n" } }),
    await declaration(b, { urls: ["https://photos.example/art/one.jpg"], preferences: { "train-ai": "y" } }),
    // Vocabulary 2 beside vocabulary 1 on one URL: both are answered in the current vocabulary.
    await declaration(aMixed, { urls: ["https://mixed.example/*"], preferences: { all: "n", search: "y" } }),
    await declaration(b, { vocabulary: 2, urls: ["https://mixed.example/free/*"], preferences: { "train-ai": "y", "draft-ai-use": "y" } }),
  ]) {
    expect((await post("/v1/declarations", d)).status).toBe(201);
  }
});

describe("GET /v1/lookup", () => {
  it("finds a URL under a prefix, with the Content-Usage value and header", async () => {
    const res = await get("/v1/lookup?url=" + encodeURIComponent("http://PHOTOS.example:80/art/2024/x.jpg#top"));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      normalized: "http://photos.example/art/2024/x.jpg",
      opted_out: true,
      preferences: { "train-ai": "n", "draft-ai-use": "unknown", search: "y" },
    });
    expect(res.body.content_usage).toBe("train-ai=n, search=y");
    expect(res.headers.get("content-usage")).toBe(res.body.content_usage);
    expect(res.body.declarations).toHaveLength(1);
    expect(res.body.declarations[0]).toMatchObject({
      kind: "prefix",
      pattern: "https://photos.example/art/*",
      verification: "domain-verified",
      vocabulary: 1,
      preferences: { "train-ai": "n", search: "y" },
    });
  });

  it("maps each declaration from its own vocabulary before combining", async () => {
    const onlyV1 = await get("/v1/lookup?url=https://mixed.example/a");
    expect(onlyV1.body).toMatchObject({ opted_out: true, preferences: { "train-ai": "n", "draft-ai-use": "n", search: "y" }, content_usage: "train-ai=n, search=y" });
    const both = await get("/v1/lookup?url=https://mixed.example/free/b");
    // -02 all=n reaches every category, and an n wins over the other declarant's y.
    expect(both.body.preferences).toEqual({ "train-ai": "n", "draft-ai-use": "n", search: "y" });
    expect(both.body.declarations.map((d: { vocabulary: number }) => d.vocabulary).sort()).toEqual([1, 2]);
    expect(both.body.declarations.find((d: { vocabulary: number }) => d.vocabulary === 2).preferences).toEqual({ "train-ai": "y", "draft-ai-use": "y" });
  });

  it("combines several declarations: any n wins", async () => {
    const res = await get("/v1/lookup?url=https://photos.example/art/one.jpg");
    expect(res.body.declarations).toHaveLength(2);
    expect(res.body.preferences["train-ai"]).toBe("n");
  });

  it("matches whole-host rules on subdomains and the domain itself, not lookalikes", async () => {
    expect((await get("/v1/lookup?url=https://cdn.music.label.example/t.mp3")).body.preferences["train-ai"]).toBe("n");
    expect((await get("/v1/lookup?url=https://label.example/")).body.opted_out).toBe(true);
    expect((await get("/v1/lookup?url=https://notlabel.example/")).body.declarations).toEqual([]);
  });

  it("answers not declared with unknown preferences", async () => {
    const res = await get("/v1/lookup?url=https://nobody.example/a");
    expect(res.body).toMatchObject({ opted_out: false, declarations: [], content_usage: "" });
    expect(res.body.preferences["train-ai"]).toBe("unknown");
  });

  it("refuses an invalid URL with a problem naming /url, and a missing subject naming the query", async () => {
    for (const [q, pointer] of [["?url=ftp://x.example/", "/url"], ["?url=not%20a%20url", "/url"], ["", ""]]) {
      const res = await get("/v1/lookup" + q);
      expect(res.status).toBe(422);
      expect(res.type).toBe("application/problem+json");
      expect(res.body.errors[0].pointer).toBe(pointer);
    }
  });
});

describe("POST /v1/lookup", () => {
  it("answers every URL in order, a bad one with its own error", async () => {
    const urls = ["https://photos.example/art/a", "bad url", "https://photos.example/free.jpg", "https://nobody.example/"];
    const res = await post("/v1/lookup", { urls });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { url: string }) => r.url)).toEqual(urls);
    expect(res.body.results[0].opted_out).toBe(true);
    expect(res.body.results[1].error.pointer).toBe("/urls/1");
    expect(res.body.results[2].opted_out).toBe(false);
    expect(res.body.results[2].preferences["train-ai"]).toBe("y");
  });

  it("takes 10,000 URLs and refuses 10,001", async () => {
    const urls = Array.from({ length: 10_000 }, (_, i) => `https://bulk${i % 97}.example/p/${i}`);
    urls[5000] = "https://photos.example/art/5000";
    const ok = await post("/v1/lookup", { urls });
    expect(ok.status).toBe(200);
    expect(ok.body.results).toHaveLength(10_000);
    expect(ok.body.results.filter((r: { opted_out: boolean }) => r.opted_out)).toHaveLength(1);
    const tooMany = await post("/v1/lookup", { urls: [...urls, "https://x.example/"] });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors[0].pointer).toBe("/urls");
  });

  it("refuses unknown fields and non-JSON", async () => {
    const a = await post("/v1/lookup", { urls: ["https://a.example/"], extra: 1 });
    expect(a.status).toBe(422);
    expect(a.body.errors[0]).toEqual({ pointer: "/extra", detail: "unknown field" });
    const b = await call("POST", "/v1/lookup", "{", { "content-type": "application/json" });
    expect(b.status).toBe(400);
  });
});

describe("POST /api/v2/query/urls/ (Spawning-compatible)", () => {
  it("answers text/plain, one URL a line, in request order", async () => {
    const body = "https://photos.example/art/x.jpg\r\nhttps://photos.example/free.jpg\n\nnot a url\nhttps://nobody.example/\n";
    const res = await call("POST", "/api/v2/query/urls/", body, { "content-type": "text/plain" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      urls: [
        { url: "https://photos.example/art/x.jpg", optOut: true, optIn: false },
        { url: "https://photos.example/free.jpg", optOut: false, optIn: true },
        { url: "", optOut: false, optIn: false },
        { url: "not a url", optOut: false, optIn: false },
        { url: "https://nobody.example/", optOut: false, optIn: false },
      ],
    });
  });

  it("refuses a body that is not text/plain with a problem", async () => {
    const res = await call("POST", "/api/v2/query/urls/", { urls: ["https://photos.example/"] });
    expect(res.status).toBe(415);
    expect(res.type).toBe("application/problem+json");
  });
});

describe("POST /v1/declarations/batch", () => {
  it("registers NDJSON items with per-item results, bad items failing alone", async () => {
    const key = newKey();
    const good = await declaration(key, { urls: ["https://batch.example/1"] });
    const dup = good;
    const bad = await declaration(key, { iscc: "ISCC:XYZ" });
    const body = [JSON.stringify(good), "{oops", JSON.stringify(bad), JSON.stringify(dup)].join("\n");
    const res = await call("POST", "/v1/declarations/batch", body, { "content-type": "application/x-ndjson" });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(["created", "invalid", "invalid", "exists"]);
    expect(res.body.results[1].problem.errors[0].pointer).toBe("/1");
    expect(res.body.results[2].problem.errors[0].pointer).toBe("/2/iscc");
    expect(res.body.results[3].id).toBe(res.body.results[0].id);
    expect(res.body).toMatchObject({ created: 1, exists: 1, failed: 2 });
  });

  it("takes a JSON array, and refuses more than 1,000 items whole", async () => {
    const key = newKey();
    const items = await Promise.all([1, 2, 3].map((i) => declaration(key, { urls: [`https://arr.example/${i}`] })));
    const res = await post("/v1/declarations/batch", items);
    expect(res.body.created).toBe(3);
    const before = await tableCounts();
    const big = Array.from({ length: 1001 }, () => items[0]);
    const tooMany = await post("/v1/declarations/batch", big);
    expect(tooMany.status).toBe(413);
    expect(tooMany.type).toBe("application/problem+json");
    expect(await tableCounts()).toEqual(before);
    expect((await post("/v1/declarations/batch", { not: "an array" })).status).toBe(422);
  });
});

describe("GET /v1/declarations (list)", () => {
  it("lists by declarant with cursor pages in registry order", async () => {
    const key = newKey();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post("/v1/declarations", await declaration(key, { urls: [`https://list.example/${i}`] }))).body.id);
    const declarant = encodeEd25519PublicMultikey(key.publicKey);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await get(`/v1/declarations?declarant=${declarant}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.declarations.map((d: { id: string }) => d.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it("lists by URL coverage and by ISCC unit", async () => {
    const byUrl = await get("/v1/declarations?url=" + encodeURIComponent("https://photos.example/art/one.jpg"));
    expect(byUrl.body.declarations).toHaveLength(2);
    expect((await get("/v1/declarations?iscc=ISCC:nonsense")).body.errors[0].pointer).toBe("/iscc");
    expect((await get("/v1/declarations?cursor=zzz")).body.errors[0].pointer).toBe("/cursor");
    expect((await get("/v1/declarations?limit=5000")).body.errors[0].pointer).toBe("/limit");
    expect((await get("/v1/declarations?colour=red")).body.errors[0].pointer).toBe("/colour");
  });

  it("lists by ISCC: the whole code or any one of its units, never a unit that only shares its type and first 16 bits", async () => {
    const body = randomBody();
    const content = contentUnit(body);
    const data = encodeUnit(MainType.DATA, 0, 0, 64, randomBody());
    const iscc = genIsccCodeV0([content, data, encodeUnit(MainType.INSTANCE, 0, 0, 64, randomBody())]).iscc;
    const created = await post<{ id: string }>("/v1/declarations", await declaration(newKey(), { iscc }));
    expect(created.status).toBe(201);
    const ids = async (code: string) => (await get(`/v1/declarations?iscc=${encodeURIComponent(code)}`)).body.declarations.map((d: { id: string }) => d.id);
    expect(await ids(iscc)).toEqual([created.body.id]);
    expect(await ids(content)).toEqual([created.body.id]);
    expect(await ids(data)).toEqual([created.body.id]);
    // Same type and first band (what the search seeks by), another code; the same body as another subtype.
    expect(await ids(contentUnit(flipBits(body, [40])))).toEqual([]);
    expect(await ids(contentUnit(body, 2))).toEqual([]);
  });
});

describe("descriptor, docs and errors", () => {
  it("describes the registry", async () => {
    const res = await get("/.well-known/opt-out-registry");
    expect(res.body).toMatchObject({ name: expect.any(String), hub_id: 1, public_key: expect.stringMatching(/^z6Mk/) });
    expect(res.body.vocabulary).toEqual({ current: 2, accepted: [1, 2], categories: ["train-ai", "draft-ai-use", "search"] });
  });

  it("publishes OpenAPI generated from the route schemas, and readable docs", async () => {
    const doc = await get("/openapi.json");
    expect(doc.body.openapi).toBe("3.1.0");
    for (const p of ["/v1/declarations", "/v1/declarations/batch", "/v1/declarations/{id}", "/v1/match", "/v1/lookup", "/api/v2/query/urls/", "/.well-known/opt-out-registry"])
      expect(Object.keys(doc.body.paths)).toContain(p);
    expect(doc.body.components.schemas.Declaration.required).toContain("signature");
    expect(Object.keys(doc.body.components.schemas.Declaration.properties.preferences.properties)).toEqual(
      expect.arrayContaining(["train-ai", "draft-ai-use", "search", "all", "train-genai", "ai-use"]),
    );
    expect(doc.body.components.schemas.Declaration.properties.vocabulary).toBeDefined();
    const html = await get("/docs");
    expect(html.type).toContain("text/html");
    expect(html.body).toContain("/v1/lookup");
  });

  it("answers unknown routes with a problem", async () => {
    const res = await get("/v2/nothing");
    expect(res.status).toBe(404);
    expect(res.type).toBe("application/problem+json");
  });

  it("healthz counts declarations", async () => {
    expect((await get("/healthz")).body).toMatchObject({ ok: true, declarations: expect.any(Number) });
  });
});
