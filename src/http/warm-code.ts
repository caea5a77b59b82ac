import type { z } from "zod";
import type { Env } from "../env";
import type { App } from "./route";
import { answer, parseLookupUrl, serializeLookups } from "../flows/lookup-urls";
import { probeUrl } from "../filter/url-keys";

/** One URL of each shape the normalizer and the filter probes take a path for (bench/lib/corpus.ts draws the same). */
const SAMPLE_URLS = [
  "https://www.example.com/c1/img1.jpg",
  "HTTPS://WWW.Example.COM:443/a/%7euser/b?q=1#top",
  "http://www.bücher.example/fötó.jpg",
  "https://www.example.com/a/./b/../c?x=%2F",
  "https://192.0.2.1/p",
];

/**
 * The lookup routes' code, run once on made-up input while the app is built: V8 compiles a function
 * on its first call, zod sets a schema up on its first parse and hono builds its router on its first
 * match, and without this an isolate's first lookup paid all three (BENCHMARKS.md, the read side).
 * A batch's body is checked without zod when valid (`batch`: routes/lookup-batch-body.ts).
 * Building the app is the module's evaluation, the isolate's start-up, which the platform does
 * before it routes the first request to the isolate (during the TLS handshake where it can). No I/O
 * (not allowed there) and nothing is kept: the answers are thrown away.
 */
export function warmLookupCode(app: App, query: z.ZodType, batch: (body: unknown) => unknown): void {
  const never = () => false;
  const results = SAMPLE_URLS.map((url, i) => {
    const p = parseLookupUrl(url, ["urls", i]);
    if ("error" in p) return p;
    probeUrl(never, p.key, p.host);
    return answer(p.url, p.normalized, []);
  });
  serializeLookups(results);
  query.safeParse({ url: SAMPLE_URLS[0] });
  batch({ urls: SAMPLE_URLS });
  // RegExp matching tiers up to native code on its second run: two matches per method.
  for (const method of ["GET", "GET", "POST", "POST"]) app.router.match(method, "/v1/lookup");
}

/** What warmLookupRoute needs of the app: its fetch handler. */
export interface AppFetch {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response>;
}

/**
 * How many times the warm-up runs the route on each of its two URLs. V8 runs a function's first
 * calls in its interpreter and compiles it to faster code only once it has run several times: with
 * one run each, an isolate's first real lookup cost ~0.6 ms of workerd CPU more than a warm one,
 * with ten ~0.4 less than that (medians 1.90 -> 1.50 ms), for ~0.25 ms of CPU a run: ~5 ms in the
 * background of each isolate's first request (BENCHMARKS.md, the read side, fifth pass).
 */
const WARM_ROUNDS = 10;

/**
 * GET /v1/lookup through the whole app on two made-up URLs (the plain shape and the mixed-case one
 * with a port, a query and a fragment), WARM_ROUNDS times each, once the isolate's URL filter is
 * loaded: warm-start.ts runs it in the background of the isolate's first request. It runs what
 * warmLookupCode cannot run at module evaluation, where workerd refuses to create a Response: the
 * route's middleware, validator and handler, the probes of a real filter, the JSON answer, enough
 * times for V8 to tier them up. Each run first yields to the event loop, so a real request that
 * arrives meanwhile is answered between two runs rather than after all of them. The URLs are not
 * declared, so the filter answers them and D1 is not asked (a false positive would be a read). The
 * requests are no client's: no rate limit counts them. Throws if one is not answered 200, so a
 * broken route shows in tests rather than being dropped with the answer.
 */
export async function warmLookupRoute(app: AppFetch, env: Env, ctx: ExecutionContext): Promise<void> {
  const unlimited = { ...env, RATE_LIMITS: "off" };
  for (let round = 0; round < WARM_ROUNDS; round++) {
    for (const sample of SAMPLE_URLS.slice(0, 2)) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const res = await app.fetch(new Request(`https://warm-start.invalid/v1/lookup?url=${encodeURIComponent(sample)}`), unlimited, ctx);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`the warm-up lookup of ${sample} answered ${res.status}`);
    }
  }
}
