/**
 * Matching ISCC codes against registered declarations, with the same cases on both similarity
 * backends: `d1` and `vectorize` over FakeVectorize (an exact in-memory fake of the binding, see
 * test/fakes/vectorize-fake.ts). Declarations are registered through the real route, and the
 * sequencer indexes them into the fake as it would into Vectorize (SIMILARITY_BACKEND=vectorize).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { matchIscc, type MatchResult } from "../../src/flows/match-iscc";
import { encodeUnit, genIsccCodeV0, MainType } from "../../src/iscc/index";
import { DEFAULT_MAX_DISTANCE, MAX_DISTANCE } from "../../src/similarity/bands";
import { D1SimilarityIndex } from "../../src/similarity/d1-index";
import type { SimilarityIndex } from "../../src/similarity/similarity-index";
import { VectorizeSimilarityIndex } from "../../src/similarity/vectorize-index";
import { FakeVectorize } from "../fakes/vectorize-fake";
import { contentUnit, declaration, flipBits, newKey, post, randomBody } from "./helpers";

const metaUnit = (body: Uint8Array) => encodeUnit(MainType.META, 0, 0, 64, body);
const dataUnit = (body: Uint8Array) => encodeUnit(MainType.DATA, 0, 0, 64, body);
const instanceUnit = (body: Uint8Array, bits = 64) => encodeUnit(MainType.INSTANCE, 0, 0, bits, body);
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

async function register(fields: Record<string, unknown>, key = newKey()): Promise<{ id: string; seq: number }> {
  const res = await post("/v1/declarations", await declaration(key, fields));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const fake = new FakeVectorize({ dimensions: 64, metric: "cosine" });
Object.assign(env, { VECTORIZE: fake, SIMILARITY_BACKEND: "vectorize" });

interface Backend {
  name: string;
  make(): Promise<SimilarityIndex>;
}

const backends: Backend[] = [
  { name: "d1", make: async () => new D1SimilarityIndex(env.DB) },
  { name: "vectorize (FakeVectorize, filled by the sequencer)", make: async () => new VectorizeSimilarityIndex(fake, env.DB) },
];

type Ok = Extract<MatchResult, { matches: unknown }>;
function ok(r: MatchResult | undefined): Ok {
  expect(r).toBeDefined();
  expect(r, JSON.stringify(r)).not.toHaveProperty("error");
  return r as Ok;
}

describe.each(backends)("matchIscc with the $name backend", ({ make }) => {
  const match = async (codes: string[], maxDistance = DEFAULT_MAX_DISTANCE) => matchIscc(env.DB, await make(), codes, maxDistance);

  it("matches a content unit 3 bits away, with its distance and similarity, and resolves its preferences", async () => {
    const body = randomBody();
    const declared = contentUnit(body);
    const reg = await register({ iscc: declared, preferences: { "train-ai": "n" } });
    const query = contentUnit(flipBits(body, [1, 20, 40]));
    const [r] = await match([query]);
    const m = ok(r);
    expect(m.iscc).toBe(query);
    expect(m.matches).toHaveLength(1);
    expect(m.matches[0]).toMatchObject({
      declaration: { id: reg.id, status: "active", preferences: { "train-ai": "n" } },
      decides: true,
      verification: "self-asserted",
      units: [{ unit_type: "CONTENT-IMAGE-V0", query, declared, distance: 3, similarity: 1 - 3 / 64 }],
    });
    expect(m.opted_out).toBe(true);
    expect(m.content_usage).toBe("train-ai=n");
  });

  it("does not match 20 bits away at the default distance, nor at the maximum; 13 bits away only above the default", async () => {
    const body = randomBody();
    await register({ iscc: contentUnit(body) });
    const far = contentUnit(flipBits(body, Array.from({ length: 20 }, (_, i) => i * 3)));
    const mid = contentUnit(flipBits(body, Array.from({ length: 13 }, (_, i) => i * 4 + 1)));
    const [rFar, rMid] = await match([far, mid]);
    expect(ok(rFar).matches).toEqual([]);
    expect(ok(rFar).opted_out).toBe(false);
    expect(ok(rFar).preferences["train-ai"]).toBe("unknown");
    expect(ok(rMid).matches).toEqual([]);
    const [rFarMax, rMidMax] = await match([far, mid], MAX_DISTANCE);
    expect(ok(rFarMax).matches).toEqual([]);
    expect(ok(rMidMax).matches.map((x) => x.units[0]!.distance)).toEqual([13]);
  });

  it("reports a meta unit alone with decides: false, without changing the effective preferences", async () => {
    const metaBody = randomBody();
    const contentBody = randomBody();
    const metaOnly = await register({ iscc: metaUnit(metaBody), preferences: { "train-ai": "n" } });
    const content = await register({ iscc: contentUnit(contentBody), preferences: { "train-ai": "y" } });

    const [alone] = await match([metaUnit(flipBits(metaBody, [7, 8]))]);
    const a = ok(alone);
    expect(a.matches).toHaveLength(1);
    expect(a.matches[0]).toMatchObject({ declaration: { id: metaOnly.id }, decides: false, units: [{ unit_type: "META-NONE-V0", distance: 2 }] });
    expect(a.preferences["train-ai"]).toBe("unknown");
    expect(a.opted_out).toBe(false);
    expect(a.content_usage).toBe("");

    // With a deciding content match alongside, the meta-only "n" still does not decide. The content
    // "y" is cited but is not consent (nobody can verify who holds rights to content, see
    // src/domain/consent.ts), so train-ai stays unknown: neither the meta "n" nor the content "y".
    const code = genIsccCodeV0([metaUnit(metaBody), contentUnit(contentBody), dataUnit(randomBody()), instanceUnit(randomBody())]).iscc;
    const [both] = await match([code]);
    const b = ok(both);
    const byId = new Map(b.matches.map((x) => [x.declaration.id, x]));
    expect(byId.get(metaOnly.id)?.decides).toBe(false);
    expect(byId.get(content.id)?.decides).toBe(true);
    expect(byId.get(content.id)?.declaration.preferences["train-ai"]).toBe("y");
    expect(b.preferences["train-ai"]).toBe("unknown");
    expect(b.opted_out).toBe(false);
  });

  it("decomposes an ISCC-CODE query into its units and matches each against its own type", async () => {
    const contentBody = randomBody();
    const dataBody = randomBody();
    const instanceBody = randomBody(16);
    const byContent = await register({ iscc: contentUnit(contentBody), preferences: { "train-genai": "n" } });
    const byData = await register({ iscc: dataUnit(dataBody) });
    const byInstance = await register({ iscc: instanceUnit(instanceBody, 128) });
    // Query: content 2 bits off, data 5 bits off, instance equal on the first 64 bits.
    const code = genIsccCodeV0([contentUnit(flipBits(contentBody, [3, 60])), dataUnit(flipBits(dataBody, [0, 9, 18, 27, 36])), instanceUnit(instanceBody)]).iscc;
    const [r] = await match([code]);
    const m = ok(r);
    const got = Object.fromEntries(m.matches.map((x) => [x.declaration.id, x.units.map((u) => [u.unit_type, u.distance])]));
    expect(got).toEqual({
      [byContent.id]: [["CONTENT-IMAGE-V0", 2]],
      [byData.id]: [["DATA-NONE-V0", 5]],
      [byInstance.id]: [["INSTANCE-NONE-V0", 0]],
    });
    expect(m.matches.every((x) => x.decides)).toBe(true);
    expect(m.opted_out).toBe(true);
    // The query's content body, declared as a data unit, would be within range but is another type.
    const [cross] = await match([dataUnit(contentBody)]);
    expect(ok(cross).matches).toEqual([]);
  });

  it("matches instance units exactly on their common prefix, never by distance", async () => {
    const body = randomBody(16);
    const reg = await register({ iscc: instanceUnit(body, 128) });
    const [short, exact, oneBitOff] = await match([instanceUnit(body), instanceUnit(body, 128), instanceUnit(flipBits(body, [5]))], MAX_DISTANCE);
    expect(ok(short).matches.map((x) => [x.declaration.id, x.units[0]!.distance, x.units[0]!.declared])).toEqual([[reg.id, 0, instanceUnit(body, 128)]]);
    expect(ok(exact).matches.map((x) => x.declaration.id)).toEqual([reg.id]);
    expect(ok(oneBitOff).matches).toEqual([]);
  });

  it("matches a datahash declaration by an instance unit (its first 64 bits)", async () => {
    const hash = randomBody(32);
    const datahash = "1e20" + hex(hash);
    const reg = await register({ datahash, preferences: { "train-ai": "n" } });
    const [r, miss] = await match([instanceUnit(hash), instanceUnit(flipBits(hash, [63]))]);
    expect(ok(r).matches).toEqual([
      expect.objectContaining({ declaration: expect.objectContaining({ id: reg.id }), decides: true, units: [expect.objectContaining({ unit_type: "INSTANCE-NONE-V0", declared: datahash, distance: 0, similarity: 1 })] }),
    ]);
    expect(ok(r).opted_out).toBe(true);
    expect(ok(miss).matches).toEqual([]);
  });

  it("reports an instance unit once when the declaration has both the unit and its datahash", async () => {
    const hash = randomBody(32);
    const reg = await register({ iscc: instanceUnit(hash), datahash: "1e20" + hex(hash), preferences: { "train-ai": "n" } });
    const [r] = await match([instanceUnit(hash)]);
    const mine = ok(r).matches.filter((x) => x.declaration.id === reg.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.units).toHaveLength(1);
  });

  it("does not match revoked declarations", async () => {
    const key = newKey();
    const body = randomBody();
    const reg = await register({ iscc: contentUnit(body), preferences: { "train-ai": "n" } }, key);
    const query = contentUnit(flipBits(body, [0]));
    expect(ok((await match([query]))[0]).matches.map((x) => x.declaration.id)).toEqual([reg.id]);
    const revoke = await post("/v1/declarations", await declaration(key, { intent: "revoke", supersedes: reg.id, preferences: undefined }));
    expect(revoke.status, JSON.stringify(revoke.body)).toBe(201);
    // The unit is still indexed (both backends return hits whatever the status); the flow drops it.
    const [after] = await match([query]);
    expect(ok(after).matches).toEqual([]);
    expect(ok(after).opted_out).toBe(false);
  });

  it("reports a malformed code as an error for that item only", async () => {
    const body = randomBody();
    const reg = await register({ iscc: contentUnit(body) });
    const results = await match([contentUnit(body), "ISCC:NOTACODE", contentUnit(flipBits(body, [2]))]);
    expect(results).toHaveLength(3);
    expect(ok(results[0]).matches.map((x) => x.declaration.id)).toEqual([reg.id]);
    expect(results[1]).toEqual({ iscc: "ISCC:NOTACODE", error: { pointer: "/iscc/1", detail: expect.any(String) } });
    expect(ok(results[2]).matches.map((x) => x.units[0]!.distance)).toEqual([1]);
  });
});

describe("POST /v1/match (d1, the configured backend)", () => {
  it("matches over HTTP with the default distance, on the configured backend", async () => {
    const body = randomBody();
    const reg = await register({ iscc: contentUnit(body), preferences: { "train-ai": "n" } });
    const query = contentUnit(flipBits(body, [10, 11, 12]));
    const res = await post("/v1/match", { iscc: [query, "ISCC:NOTACODE"] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ max_distance: DEFAULT_MAX_DISTANCE, backend: "vectorize" });
    // Vectorize indexes asynchronously: its answers vouch for no registry version (the d1 backend's do, test/e2e/optout-scan.test.ts)
    expect(res.body).not.toHaveProperty("registry_version");
    expect(res.body.results[0]).toMatchObject({
      iscc: query,
      opted_out: true,
      content_usage: "train-ai=n",
      matches: [{ declaration: { id: reg.id }, decides: true, units: [{ distance: 3 }] }],
    });
    expect(res.body.results[1]).toMatchObject({ iscc: "ISCC:NOTACODE", error: { pointer: "/iscc/1" } });
  });

  it("takes max_distance up to the maximum", async () => {
    const body = randomBody();
    await register({ iscc: contentUnit(body) });
    const query = contentUnit(flipBits(body, Array.from({ length: MAX_DISTANCE }, (_, i) => i * 4)));
    expect((await post("/v1/match", { iscc: [query] })).body.results[0].matches).toEqual([]);
    const res = await post("/v1/match", { iscc: [query], max_distance: MAX_DISTANCE });
    expect(res.body.max_distance).toBe(MAX_DISTANCE);
    expect(res.body.results[0].matches[0].units[0].distance).toBe(MAX_DISTANCE);
  });

  const bad: [string, unknown, string][] = [
    ["more than 1,000 codes", { iscc: Array.from({ length: 1001 }, () => contentUnit(randomBody())) }, "/iscc"],
    ["no codes", { iscc: [] }, "/iscc"],
    ["max_distance over the maximum", { iscc: [contentUnit(randomBody())], max_distance: MAX_DISTANCE + 1 }, "/max_distance"],
    ["negative max_distance", { iscc: [contentUnit(randomBody())], max_distance: -1 }, "/max_distance"],
    ["unknown field", { iscc: [contentUnit(randomBody())], colour: "red" }, "/colour"],
  ];
  it.each(bad)("refuses %s with 422 naming the field", async (_name, payload, pointer) => {
    const res = await post("/v1/match", payload);
    expect(res.status).toBe(422);
    expect(res.type).toContain("application/problem+json");
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
  });
});
