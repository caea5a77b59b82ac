/**
 * The techniques that make lookups and matching fast must not change a single answer: the URL key
 * filter, the chunked batch SQL, the versioned cache keys, the bookmark path, the in-memory band
 * index and the offline snapshot.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { hostOfNormalized, matchKey, normalizeUrl } from "../../src/domain/url-normalize";
import { declaredUrls, versionTag } from "../../src/filter/declared-urls";
import { coveringRulesCache } from "../../src/filter/covering-rules-cache";
import { decodeSnapshot, SnapshotError } from "../../src/filter/snapshot-format";
import { probeUrl } from "../../src/filter/url-keys";
import { lookupUrls } from "../../src/flows/lookup-urls";
import { createApp } from "../../src/app";
import { queryRules, URLS_PER_STATEMENT } from "../../src/store/url-rules-lookup";
import { encodeUnit, genIsccCodeV0, MainType } from "../../src/iscc/index";
import { DEFAULT_MAX_DISTANCE } from "../../src/similarity/bands";
import { D1SimilarityIndex } from "../../src/similarity/d1-index";
import { memoryUnitIndex } from "../../src/similarity/memory-index";
import type { UnitQuery } from "../../src/similarity/similarity-index";
import { BASE, conflictsDetected, contentUnit, declaration, flipBits, get, newKey, post, randomBody } from "./helpers";

const key = newKey();

async function register(fields: Record<string, unknown>): Promise<{ id: string; headers: Headers }> {
  const res = await post("/v1/declarations", await declaration(key, fields));
  expect(res.status).toBe(201);
  return { id: res.body.id, headers: res.headers };
}

describe("URL key filter and batch chunking", () => {
  it("batch answers equal the single-URL answers, across chunk boundaries, with and without the filter", async () => {
    await register({ urls: ["https://chunk.example/a/*", "https://*.chunkhost.example/*", "https://chunk.example/exact.jpg"], preferences: { "train-ai": "n" } });
    await register({ urls: ["https://chunk.example/a/b/*"], preferences: { "train-genai": "n", search: "y" } });
    const urls: string[] = [];
    for (let i = 0; i < 3 * URLS_PER_STATEMENT + 7; i++) {
      const kind = i % 5;
      urls.push(
        kind === 0 ? `https://chunk.example/a/${i}` : kind === 1 ? `http://x${i}.chunkhost.example/p` : kind === 2 ? `https://chunk.example/a/b/${i}` : kind === 3 ? `https://chunk.example/exact.jpg` : `https://nope${i}.example/`,
      );
    }
    urls[URLS_PER_STATEMENT] = "not a url";
    const ptr = (i: number) => ["urls", i];
    const filtered = await lookupUrls(env.DB, urls, ptr, { filter: true, freshnessMs: 0 });
    const unfiltered = await lookupUrls(env.DB, urls, ptr, { filter: false, freshnessMs: 0 });
    expect(filtered).toEqual(unfiltered);
    // ...and each equals the answer of GET /v1/lookup for that URL alone.
    for (const i of [0, 1, 2, 3, 4, URLS_PER_STATEMENT - 1, URLS_PER_STATEMENT + 1, 2 * URLS_PER_STATEMENT + 2, urls.length - 1]) {
      const single = await get("/v1/lookup?url=" + encodeURIComponent(urls[i]!));
      expect(single.body, urls[i]).toEqual(filtered[i]);
    }
    expect(filtered.filter((r) => "opted_out" in r && r.opted_out).length).toBeGreaterThan(200);
    expect(filtered[2 * 5 + 2]).toMatchObject({ declarations: [{ kind: "prefix" }, { kind: "prefix" }] });
    // rules of each URL are in registry order, as the single-statement query returned them
    const rules = await queryRules(env.DB, [{ key: "chunk.example/a/b/1", host: "chunk.example" }]);
    expect(rules[0]!.map((r) => r.pattern)).toEqual(["https://chunk.example/a/*", "https://chunk.example/a/b/*"]);
  });

  it("the filter answers undeclared URLs without storage, and never hides a declared one", async () => {
    await register({ urls: ["https://filtered.example/photos/*"] });
    await declaredUrls.refresh(env.DB, 0);
    const covered = normalizeUrl("https://filtered.example/photos/2024/x.jpg");
    expect(declaredUrls.mayCover(matchKey(covered), hostOfNormalized(covered))).toBe(true);
    let misses = 0;
    for (let i = 0; i < 500; i++) {
      const u = normalizeUrl(`https://unknown${i}.example/p/${i}`);
      if (!declaredUrls.mayCover(matchKey(u), hostOfNormalized(u))) misses++;
    }
    expect(misses).toBeGreaterThan(480); // false positives ≈ 0.4% per probe
  });

  it("sees rules written behind its back once the freshness bound passes, or at once with a bookmark", async () => {
    await declaredUrls.refresh(env.DB, 0);
    // A rule added directly in D1 (as a peer's delivery or another isolate's write would be, unseen here).
    const { id } = await register({ urls: ["https://sidechannel.example/seed"] });
    const seq = (await env.DB.prepare("SELECT seq FROM declarations WHERE id = ?1").bind(id).first<{ seq: number }>())!.seq;
    await declaredUrls.refresh(env.DB, 0);
    await env.DB.prepare("INSERT INTO url_rules (seq, kind, pattern, host, key, verification) VALUES (?1, 'prefix', 'https://sidechannel.example/late/*', 'sidechannel.example', 'sidechannel.example/late/', 'self-asserted')").bind(seq).run();
    const late = normalizeUrl("https://sidechannel.example/late/file");
    await declaredUrls.refresh(env.DB, 0); // the freshness bound has passed: re-read
    expect(declaredUrls.mayCover(matchKey(late), hostOfNormalized(late))).toBe(true);
    // Through the API with a bookmark the client always sees it.
    const res = await SELF.fetch(`${BASE}/v1/lookup?url=${encodeURIComponent("https://sidechannel.example/late/file")}`, { headers: { "x-d1-bookmark": "anything-valid" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { opted_out: boolean }).opted_out).toBe(true);
  });

  it("a revocation is visible to the next lookup, and changes the version that keys the cache", async () => {
    const { id } = await register({ urls: ["https://revoked.example/art/*"] });
    const url = "/v1/lookup?url=" + encodeURIComponent("https://revoked.example/art/1.jpg");
    expect((await get(url)).body.opted_out).toBe(true);
    await declaredUrls.refresh(env.DB, 0);
    const before = versionTag(declaredUrls.version!);
    const revoke = await post("/v1/declarations", await declaration(key, { intent: "revoke", supersedes: id, preferences: undefined }));
    expect(revoke.status).toBe(201);
    expect((await get(url)).body).toMatchObject({ opted_out: false, declarations: [] });
    await declaredUrls.refresh(env.DB, 0);
    expect(versionTag(declaredUrls.version!)).not.toBe(before);
  });

  it("keeps the rules of looked-up URLs for the registry version: a new rule, a revocation and a conflict found later are seen once it is re-read", async () => {
    const url = "https://kept.example/art/1.jpg";
    const ptr = (i: number) => ["urls", i];
    const kept = () => lookupUrls(env.DB, [url], ptr, { filter: true, freshnessMs: 60_000 });
    // The freshness bound has passed: the version is re-read first.
    const fresh = () => lookupUrls(env.DB, [url], ptr, { filter: true, freshnessMs: 0 });
    const fromD1 = () => lookupUrls(env.DB, [url], ptr, { filter: false, freshnessMs: 0 });
    const cited = (r: Awaited<ReturnType<typeof kept>>) => ("declarations" in r[0]! ? r[0].declarations.map((d) => d.id) : []);
    const body = randomBody();
    const first = await register({ urls: ["https://kept.example/art/*"], iscc: contentUnit(body), preferences: { "train-ai": "n" } });
    const answer = await fresh();
    const hits = coveringRulesCache.stats.hits;
    expect(await kept()).toEqual(answer);
    expect(coveringRulesCache.stats.hits).toBe(hits + 1); // the second lookup did not ask D1
    expect(answer).toEqual(await fromD1());

    const second = await register({ urls: ["https://kept.example/*"], preferences: { "train-genai": "n" } });
    expect(cited(await fresh())).toEqual([first.id, second.id]);
    await post("/v1/declarations", await declaration(key, { intent: "revoke", supersedes: second.id, preferences: undefined }));
    expect(cited(await fresh())).toEqual([first.id]);

    // Another key declares a near-duplicate of the work with the opposite preference: the conflict is
    // found after both declarations are written, and changes no declaration row.
    await post("/v1/declarations", await declaration(newKey(), { iscc: contentUnit(flipBits(body, [2, 11])), preferences: { "train-ai": "y" } }));
    await fresh();
    await conflictsDetected();
    const disputed = await fresh();
    expect("conflicts" in disputed[0]! && disputed[0].conflicts!.map((c) => c.kind)).toContain("opposite-preferences");
    expect(disputed).toEqual(await fromD1());
    expect(await kept()).toEqual(disputed);
  });

  it("building the app runs the lookup code once without storage and keeps nothing (http/warm-code.ts)", async () => {
    const checks = declaredUrls.stats.versionChecks;
    const kept = coveringRulesCache.stats.kept;
    const app = createApp();
    expect([declaredUrls.stats.versionChecks, coveringRulesCache.stats.kept]).toEqual([checks, kept]);
    const res = await app.request(`/v1/lookup?url=${encodeURIComponent("https://www.bücher.example/fötó.jpg")}`, {}, env);
    expect(await res.json()).toMatchObject({ normalized: "https://www.xn--bcher-kva.example/f%C3%B6t%C3%B3.jpg", declarations: [] });
  });

  it("returns a D1 bookmark on writes, takes it back on reads, and refuses a malformed one", async () => {
    const { headers } = await register({ urls: ["https://bookmark.example/x"] });
    const bookmark = headers.get("x-d1-bookmark");
    expect(bookmark).toMatch(/^[0-9A-Za-z_.:-]{1,256}$/);
    const res = await SELF.fetch(`${BASE}/v1/lookup?url=${encodeURIComponent("https://bookmark.example/x")}`, { headers: { "x-d1-bookmark": bookmark! } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-d1-bookmark")).toMatch(/^[0-9A-Za-z_.:-]{1,256}$/);
    expect(((await res.json()) as { opted_out: boolean }).opted_out).toBe(true);
    const bad = await SELF.fetch(`${BASE}/v1/lookup?url=https://a.example/`, { headers: { "x-d1-bookmark": "not a bookmark!" } });
    expect(bad.status).toBe(400);
  });
});

describe("offline URL snapshot", () => {
  it("is signed by the registry key, covers every declared URL, and fails verification when altered", async () => {
    await register({ urls: ["https://snap.example/gallery/*", "https://*.snapdomain.example/*"] });
    const res = await SELF.fetch(`${BASE}/v1/snapshot/urls`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    const bytes = new Uint8Array(await res.arrayBuffer());
    const pub = decodeEd25519PublicMultikey((await get("/.well-known/opt-out-registry")).body.public_key);
    const snap = await decodeSnapshot(bytes, pub);
    expect(snap.version).toBe(Number(res.headers.get("x-registry-version")));
    for (const u of ["https://snap.example/gallery/a/b.jpg", "http://cdn.snapdomain.example/z"]) {
      const n = normalizeUrl(u);
      expect(probeUrl((a, b) => snap.filter.has(a, b), matchKey(n), hostOfNormalized(n), snap.probeChars), u).toBe(true);
    }
    const etag = res.headers.get("etag")!;
    expect((await SELF.fetch(`${BASE}/v1/snapshot/urls`, { headers: { "if-none-match": etag } })).status).toBe(304);

    for (const at of [5, 30, bytes.length - 100, bytes.length - 1]) {
      const tampered = Uint8Array.from(bytes);
      tampered[at]! ^= 0x01;
      await expect(decodeSnapshot(tampered, pub), `byte ${at}`).rejects.toThrow(SnapshotError);
    }
    await expect(decodeSnapshot(bytes, newKey().publicKey)).rejects.toThrow(/signature/);
  });
});

describe("in-memory band index", () => {
  it("returns exactly what the SQL band search returns, and sees units committed after it loaded", async () => {
    const body = randomBody();
    const near = [1, 5, 9, 12, 14].map((d) => flipBits(body, Array.from({ length: d }, (_, i) => i * 4 + 1)));
    const codes = near.map((b) => encodeUnit(MainType.CONTENT, 1, 0, 64, b));
    await register({ iscc: codes[0] });
    const memory = new D1SimilarityIndex(env.DB);
    const sql = new D1SimilarityIndex(env.DB, { memory: false });
    const q: UnitQuery[] = [{ unitType: "CONTENT-IMAGE-V0", body, exact: false }];
    expect(await memory.search(q, DEFAULT_MAX_DISTANCE)).toEqual(await sql.search(q, DEFAULT_MAX_DISTANCE));
    for (const c of codes.slice(1)) await register({ iscc: c });
    for (const d of [0, 4, DEFAULT_MAX_DISTANCE, 15]) {
      const m = (await memory.search(q, d))[0]!.map((h) => `${h.seq}|${h.distance}`).sort();
      const s = (await sql.search(q, d))[0]!.map((h) => `${h.seq}|${h.distance}`).sort();
      expect(m, `d=${d}`).toEqual(s);
    }
    expect((await memory.search(q, 15))[0]!.length).toBeGreaterThanOrEqual(5);
  });

  it("searches exact (instance) units in D1 by prefix, as the SQL path does, and holds none of them in memory", async () => {
    const instance = randomBody(16);
    const data = randomBody();
    await register({ iscc: genIsccCodeV0([encodeUnit(MainType.DATA, 0, 0, 64, data), encodeUnit(MainType.INSTANCE, 0, 0, 128, instance)]).iscc });
    const q: UnitQuery[] = [
      { unitType: "INSTANCE-NONE-V0", body: instance, exact: true },
      { unitType: "INSTANCE-NONE-V0", body: instance.subarray(0, 8), exact: true }, // a shorter unit: equal on the common prefix
      { unitType: "INSTANCE-NONE-V0", body: flipBits(instance, [40]), exact: true }, // same first 32 bits, another prefix
      { unitType: "DATA-NONE-V0", body: flipBits(data, [1, 2]), exact: false },
    ];
    const memory = await new D1SimilarityIndex(env.DB).search(q, DEFAULT_MAX_DISTANCE);
    expect(memory).toEqual(await new D1SimilarityIndex(env.DB, { memory: false }).search(q, DEFAULT_MAX_DISTANCE));
    expect(memory.map((hits) => hits.map((h) => h.distance))).toEqual([[0], [0], [], [2]]);
    const { held } = (await env.DB.prepare("SELECT count(*) AS held FROM iscc_units WHERE unit_type NOT LIKE 'INSTANCE-%'").first<{ held: number }>())!;
    expect(memoryUnitIndex.size).toBe(held);
    await expect(memoryUnitIndex.search(env.DB, q.slice(0, 1), DEFAULT_MAX_DISTANCE)).rejects.toThrow(/exact units are searched in D1/);
  });

  it("while another request loads, a search covers the rows after the loaded ones from D1", async () => {
    const body = randomBody();
    const q: UnitQuery[] = [{ unitType: "CONTENT-IMAGE-V0", body, exact: false }];
    await new D1SimilarityIndex(env.DB).search(q, DEFAULT_MAX_DISTANCE); // loaded up to now
    await register({ iscc: encodeUnit(MainType.CONTENT, 1, 0, 64, flipBits(body, [3, 17, 40])) });
    // as a request that finds another one loading would: no refresh, the tail read here
    const hits = await memoryUnitIndex.searchWithTail(env.DB, q, DEFAULT_MAX_DISTANCE);
    expect(hits![0]!.map((h) => h.distance)).toEqual([3]);
    const sql = await new D1SimilarityIndex(env.DB, { memory: false }).search(q, DEFAULT_MAX_DISTANCE);
    expect(hits).toEqual(sql);
  });

  it("re-reading an unchanged registry loads nothing; a new rule is loaded alone, not by a rebuild", async () => {
    await declaredUrls.refresh(env.DB, 0);
    const before = { ...declaredUrls.stats };
    await declaredUrls.refresh(env.DB, 0);
    await declaredUrls.refresh(env.DB, 0);
    expect(declaredUrls.stats.fullBuilds).toBe(before.fullBuilds);
    expect(declaredUrls.stats.incrementalLoads).toBe(before.incrementalLoads);
    expect(declaredUrls.stats.versionChecks).toBe(before.versionChecks + 2);
    await register({ urls: ["https://incremental.example/new/*"] });
    await declaredUrls.refresh(env.DB, 0);
    expect(declaredUrls.stats.fullBuilds).toBe(before.fullBuilds);
    expect(declaredUrls.stats.incrementalLoads).toBe(before.incrementalLoads + 1);
    const u = normalizeUrl("https://incremental.example/new/x");
    expect(declaredUrls.mayCover(matchKey(u), hostOfNormalized(u))).toBe(true);
  });

  it("a lookup that finds another request refreshing uses the current filter, or D1 when it has none", async () => {
    await declaredUrls.refresh(env.DB, 0);
    const [a, b] = await Promise.all([declaredUrls.refresh(env.DB, 0), declaredUrls.refresh(env.DB, 0)]);
    expect(a && b).toBe(true); // the second used the filter already built
    declaredUrls.markChanged();
    const [c, d] = await Promise.all([declaredUrls.refresh(env.DB, 0), declaredUrls.refresh(env.DB, 0)]);
    expect([c, d]).toEqual([true, false]); // a write is pending: the concurrent one must ask D1
  });
});
