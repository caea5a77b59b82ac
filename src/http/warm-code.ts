import type { z } from "zod";
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
