import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { BASE, declaration, newKey, post } from "./helpers";

/**
 * LOOKUP_CACHE=on: GET lookups that needed D1 are answered from the Cache API under a key holding
 * the registry version. Shown from the outside: a change made in D1 behind the registry's back
 * (the version unchanged) is not seen, because the answer comes from the cache; a registration
 * moves the version, and the old entry is no longer reachable.
 */
const cacheOn = { ...env, LOOKUP_CACHE: "on", FRESHNESS_MS: "0" };

async function lookup(url: string): Promise<{ opted_out: boolean; url: string }> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}/v1/lookup?url=${encodeURIComponent(url)}`), cacheOn, ctx);
  await waitOnExecutionContext(ctx); // the cache write runs in waitUntil
  expect(res.status).toBe(200);
  return (await res.json()) as { opted_out: boolean; url: string };
}

describe("lookup cache (LOOKUP_CACHE=on)", () => {
  it("serves a repeated lookup from the cache, and a registration makes old entries unreachable", async () => {
    const reg = await post("/v1/declarations", await declaration(newKey(), { urls: ["https://cached.example/art/*"] }));
    expect(reg.status).toBe(201);
    expect((await lookup("https://cached.example/art/1.jpg")).opted_out).toBe(true);

    // Behind the registry's back: D1 no longer has the rule active, the version (max seq) is unchanged.
    await env.DB.prepare("UPDATE declarations SET status = 'revoked' WHERE id = ?1").bind(reg.body.id).run();
    const cached = await lookup("HTTPS://CACHED.example/art/1.jpg");
    expect(cached.opted_out).toBe(true); // from the cache: D1 would say otherwise
    expect(cached.url).toBe("HTTPS://CACHED.example/art/1.jpg"); // the caller's own spelling, same entry

    // Any registration moves the version: the next lookup misses the old entry and reads D1.
    expect((await post("/v1/declarations", await declaration(newKey(), { urls: ["https://elsewhere.example/x"] }))).status).toBe(201);
    expect((await lookup("https://cached.example/art/1.jpg")).opted_out).toBe(false);
  });
});
