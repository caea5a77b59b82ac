import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { RATE_LIMITS } from "../../src/http/rate-limits";
import { BASE } from "./helpers";

/**
 * The workers tests run with RATE_LIMITS=off (vitest.config.ts); these requests go to the Worker
 * with the limits on, through the rate-limiting bindings of wrangler.toml as Miniflare simulates
 * them. Windows are aligned to the clock, so a burst may straddle two: a client is over the limit
 * within 2 × limit + 1 requests of one period.
 */
const limitsOn = { ...env, RATE_LIMITS: "on", API_KEYS: "listed-key-1, listed-key-2" };

async function send(path: string, init: RequestInit & { ip: string }): Promise<Response> {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  headers.set("cf-connecting-ip", init.ip);
  const res = await worker.fetch(new Request(BASE + path, { ...init, headers }), limitsOn, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const register = (ip: string, headers: Record<string, string> = {}) =>
  send("/v1/declarations", { ip, method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });

/** Sends until refused; the refusal, and how many were let through first. */
async function exhaust(attempt: () => Promise<Response>, limit: number): Promise<{ refused: Response; allowed: number }> {
  for (let allowed = 0; allowed <= 2 * limit; allowed++) {
    const res = await attempt();
    if (res.status === 429) return { refused: res, allowed };
    await res.arrayBuffer();
  }
  throw new Error(`not limited after ${2 * limit + 1} requests`);
}

describe("rate limits", () => {
  it("over the registration limit: a 429 problem with Retry-After; other classes and other clients unaffected", async () => {
    const { limit, period } = RATE_LIMITS.registration;
    const { refused, allowed } = await exhaust(() => register("203.0.113.7"), limit);
    expect(allowed).toBeGreaterThanOrEqual(limit);
    expect(refused.headers.get("retry-after")).toBe(String(period));
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(await refused.json()).toMatchObject({ type: `${BASE}/problems/rate-limited`, status: 429, limit, period });

    const lookup = await send("/v1/lookup?url=https://rate.example/a", { ip: "203.0.113.7" });
    expect(lookup.status).toBe(200);
    const otherClient = await register("203.0.113.8");
    expect(otherClient.status).toBe(422);
  });

  it("counts a listed API key on its own, an unlisted one against the IP", async () => {
    const { limit } = RATE_LIMITS.registration;
    await exhaust(() => register("203.0.113.9"), limit);
    expect((await register("203.0.113.9", { authorization: "Bearer listed-key-1" })).status).toBe(422);
    expect((await register("203.0.113.9", { authorization: "API listed-key-2" })).status).toBe(422);
    expect((await register("203.0.113.9", { authorization: "Bearer made-up" })).status).toBe(429);
  });

  it("the Spawning-compatible query is a batch: over its limit a 429 with a Retry-After in seconds, as urllib3's Retry reads it", async () => {
    const { limit, period } = RATE_LIMITS.batch;
    const query = () =>
      send("/api/v2/query/urls/", { ip: "198.51.100.20", method: "POST", headers: { "content-type": "text/plain", authorization: "API not-listed" }, body: "https://rate.example/a" });
    const { refused } = await exhaust(query, limit);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(Number(refused.headers.get("retry-after"))).toBe(period);
    // A client that waits Retry-After is answered again; a client in another window is too.
    expect((await send("/api/v2/query/urls/", { ip: "198.51.100.21", method: "POST", headers: { "content-type": "text/plain" }, body: "https://rate.example/a" })).status).toBe(200);
  });
});
