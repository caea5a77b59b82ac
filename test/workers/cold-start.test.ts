/**
 * Cold starts: an isolate's first request of any kind starts loading the URL filter in its
 * background (src/http/warm-start.ts); a request that needs an index another request is loading
 * waits for that load (src/runtime/poll-while.ts) instead of falling back to D1 row by row; once the
 * filter is loaded, that background runs the GET lookup route on made-up URLs (src/http/warm-code.ts).
 * Each test file runs in its own isolate: this file's first request is the isolate's.
 */
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { Env } from "../../src/env";
import { DeclaredUrls, declaredUrls } from "../../src/filter/declared-urls";
import { warmLookupRoute } from "../../src/http/warm-code";
import { DEFAULT_MAX_DISTANCE } from "../../src/similarity/bands";
import { D1SimilarityIndex } from "../../src/similarity/d1-index";
import { memoryUnitIndex } from "../../src/similarity/memory-index";
import type { Reader } from "../../src/store/db";
import { contentUnit, declaration, flipBits, get, newKey, post, randomBody } from "./helpers";
import { decompose } from "../../src/iscc/index";

describe("cold starts", () => {
  it("the first request of an isolate, of any kind, loads the URL filter in its background; later ones do not", async () => {
    expect(declaredUrls.hasFilter).toBe(false);
    expect((await get("/.well-known/opt-out-registry")).status).toBe(200);
    for (let k = 0; k < 200 && !declaredUrls.hasFilter; k++) await new Promise((r) => setTimeout(r, 10));
    expect(declaredUrls.hasFilter).toBe(true);
    const checks = declaredUrls.stats.versionChecks;
    expect(checks).toBe(1);
    expect((await get("/.well-known/opt-out-registry")).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(declaredUrls.stats.versionChecks).toBe(checks);
  });

  it("the warm-up lookups go through the whole route, are answered from the filter without D1, and count against no rate limit", async () => {
    await declaredUrls.refresh(env.DB, 0); // the filter loaded and its version just checked
    const prepared: string[] = [];
    const recording = { prepare: (q: string) => (prepared.push(q), env.DB.prepare(q)), batch: (s: D1PreparedStatement[]) => env.DB.batch(s) };
    // Limits on and no limiter bound: a warm-up counted against a limit would fail (500), and so throw.
    const bare = { ...env, DB: recording, FRESHNESS_MS: "60000", RATE_LIMITS: undefined, RATE_LIMIT_LOOKUP: undefined } as unknown as Env;
    await warmLookupRoute(createApp(), bare, createExecutionContext());
    expect(prepared).toEqual([]);
    // A route that does not answer 200 makes it throw (here: no D1 at all and no filter to answer from).
    const noDb = { ...env, DB: undefined, URL_FILTER: "off" } as unknown as Env;
    await expect(warmLookupRoute(createApp(), noDb, createExecutionContext())).rejects.toThrow(/answered 500/);
  });

  it("a batch lookup without a filter waits for the load in flight rather than answer every URL from D1", async () => {
    const urls = new DeclaredUrls();
    let load: Promise<unknown> | undefined;
    // A GET's refresh: the load goes to the background, and the request answers from D1 meanwhile.
    expect(await urls.refresh(env.DB, 60_000, (l) => (load = l))).toBe(false);
    expect(load).toBeDefined();
    // A batch's refresh (no background): it waits for that load and then uses the filter.
    expect(await urls.refresh(env.DB, 60_000)).toBe(true);
    expect(urls.hasFilter).toBe(true);
    expect(urls.stats.versionChecks).toBe(1);
    await load;
  });

  it("a match that finds the unit index loading waits for it, and never searches SQL meanwhile", async () => {
    const body = randomBody();
    const res = await post("/v1/declarations", await declaration(newKey(), { iscc: contentUnit(body) }));
    expect(res.status).toBe(201);
    const prepared: string[] = [];
    const recording: Reader = { prepare: (q: string) => (prepared.push(q), env.DB.prepare(q)), batch: (s) => env.DB.batch(s) } as Reader;
    const loading = memoryUnitIndex.refresh(env.DB);
    expect(memoryUnitIndex.isLoading).toBe(true);
    const [unit] = decompose(contentUnit(flipBits(body, [3, 40])));
    const [hits] = await new D1SimilarityIndex(recording).search([{ unitType: unit!.typeName, body: unit!.body, exact: false }], DEFAULT_MAX_DISTANCE);
    await loading;
    expect(hits!.map((h) => h.distance)).toEqual([2]);
    expect(prepared.filter((q) => q.includes(" UNION SELECT seq, code, body_hex"))).toEqual([]);
  });
});
