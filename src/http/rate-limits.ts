import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { Problem } from "./problem";
import type { AppEnv, Ctx } from "./route";

/**
 * Rate limits, per client and per route class: the one table (README "Rate limits" shows the same).
 * Each class is a Workers rate-limiting binding ([[ratelimits]] in wrangler.toml, with the same
 * limit and period: test/unit/rate-limits.test.ts holds the three together). The binding counts
 * per Cloudflare location and per period window (10 or 60 s, the only periods it offers); over the
 * limit a request gets a 429 rate-limited problem with Retry-After: the period.
 */
export const RATE_LIMITS = {
  lookup: { binding: "RATE_LIMIT_LOOKUP", limit: 1000, period: 10, routes: "single lookups and reads: GET /v1/lookup, /v1/declarations…, /v1/mandates…, /v1/conflicts, /v1/notifications, /v1/feed, /v1/status, /v1/log/…, /log/…" },
  batch: { binding: "RATE_LIMIT_BATCH", limit: 20, period: 10, routes: "batches: POST /v1/lookup, POST /v1/match, POST /api/v2/query/urls/ (up to 10,000 URLs or 1,000 codes each)" },
  registration: { binding: "RATE_LIMIT_REGISTRATION", limit: 10, period: 60, routes: "registration: POST /v1/declarations, POST /v1/declarations/batch, POST /v1/mandates, POST /v1/subscriptions" },
  snapshot: { binding: "RATE_LIMIT_SNAPSHOT", limit: 10, period: 60, routes: "GET /v1/snapshot/urls, GET /v1/snapshot/units" },
  observation: { binding: "RATE_LIMIT_OBSERVATION", limit: 5, period: 60, routes: "POST /v1/observations (each makes the registry fetch up to 32 documents from the origin)" },
  webhook: { binding: "RATE_LIMIT_WEBHOOK", limit: 600, period: 60, routes: "POST /v1/webhooks/declarations, per peer (counted after its signature verified)" },
} as const;

export type RateLimitClass = keyof typeof RATE_LIMITS;

/**
 * Who a request counts against. An API key is `Authorization: Bearer <key>` or `Authorization: API
 * <key>` (the scheme Spawning's clients send) whose key is listed in the API_KEYS secret: such a
 * client has its own counters wherever it connects from. Any other request, an unlisted key
 * included (a key anyone can invent must not buy a fresh quota), counts against its IP
 * (cf-connecting-ip, set by Cloudflare); an IPv6 address counts as its /64, which one host
 * usually holds whole.
 */
export async function clientKey(headers: Headers, apiKeys: string | undefined): Promise<string> {
  const m = /^(?:Bearer|API)\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  if (m && apiKeys && apiKeys.split(",").some((k) => k.trim() !== "" && k.trim() === m[1])) return `key:${await sha256Hex(m[1]!)}`;
  const ip = headers.get("cf-connecting-ip") ?? "";
  if (ip.includes(":")) return `ip6:${ipv6Prefix64(ip)}`;
  return `ip:${ip || "unknown"}`;
}

/** The first four 16-bit groups of an IPv6 address, expanded ("2001:db8::1" → "2001:db8:0:0"). */
export function ipv6Prefix64(ip: string): string {
  const [head = "", tail] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail !== undefined && tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":");
}

async function sha256Hex(s: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)));
  return [...d.slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** RATE_LIMITS=off (a var) switches every limit off: for tests and benchmarks, never by default. */
export function rateLimitsOn(env: Env): boolean {
  return env.RATE_LIMITS !== "off";
}

/** Counts one request of `cls` against `key`; over the limit, throws the 429 problem. */
export async function enforceRateLimit(c: Ctx, cls: RateLimitClass, key: string): Promise<void> {
  if (!rateLimitsOn(c.env)) return;
  const { binding, limit, period } = RATE_LIMITS[cls];
  const limiter = c.env[binding];
  if (!limiter) throw new Error(`rate-limit binding ${binding} is not configured (wrangler.toml [[ratelimits]]); set RATE_LIMITS=off to run without limits`);
  const { success } = await limiter.limit({ key });
  if (success) return;
  c.header("Retry-After", String(period));
  throw new Problem("rate-limited", `More than ${limit} ${cls} requests in ${period} s from this client; retry after ${period} s`, [], { limit, period });
}

/** Route middleware: the request counts against its client (clientKey) in class `cls`. */
export function rateLimited(cls: RateLimitClass): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (rateLimitsOn(c.env)) await enforceRateLimit(c, cls, await clientKey(c.req.raw.headers, c.env.API_KEYS));
    await next();
  };
}
