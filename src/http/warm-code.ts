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
 * GET /v1/lookup through the whole app on two made-up URLs (the plain shape and the mixed-case one
 * with a port, a query and a fragment), once the isolate's URL filter is loaded: warm-start.ts runs
 * it in the background of the isolate's first request. It runs what warmLookupCode cannot run at
 * module evaluation, where workerd refuses to create a Response: the route's middleware, validator
 * and handler, the probes of a real filter, the JSON answer. Without it the isolate's first lookup
 * compiled them: its CPU here was 2.9 ms, 2.0 with it (medians; BENCHMARKS.md, the read side,
 * fourth pass). The URLs are not declared, so the filter answers them and D1 is not asked (a false
 * positive would be a read). The requests are no client's: no rate limit counts them. Throws if
 * one is not answered 200, so a broken route shows in tests rather than being dropped with the answer.
 */
export async function warmLookupRoute(app: AppFetch, env: Env, ctx: ExecutionContext): Promise<void> {
  for (const sample of SAMPLE_URLS.slice(0, 2)) {
    const res = await app.fetch(new Request(`https://warm-start.invalid/v1/lookup?url=${encodeURIComponent(sample)}`), { ...env, RATE_LIMITS: "off" }, ctx);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`the warm-up lookup of ${sample} answered ${res.status}`);
  }
}
