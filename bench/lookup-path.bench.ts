/**
 * `npx tsx bench/lookup-path.bench.ts`: the per-URL CPU cost of a batch lookup in Node, by stage,
 * on the workload of `npm run bench` (10,000 URLs, 1% declared, the 100,000-rule corpus's keys):
 * normalization, filter probes, and building + serializing the response. No D1: the 1% that the
 * filter passes are answered as "not declared" here, which is what the stages cost without I/O.
 * Prints the median of REPEAT timed rounds per stage, in µs per URL.
 */
import { parseLookupUrl, serializeLookups, answer, type UrlLookup } from "../src/flows/lookup-urls";
import { normalizeUrl, normalizeUrlFull } from "../src/domain/url-normalize";
import { BinaryFuse16 } from "../src/filter/binary-fuse";
import { hashKeyPair, probeUrl, probeUrlGeneral, ruleFilterKeys } from "../src/filter/url-keys";
import { parseUrlPattern } from "../src/domain/url-pattern";
import { matchKey } from "../src/domain/url-normalize";
import { HOSTS, hostName, lookupUrls, prefixPath } from "./lib/corpus";

const REPEAT = Number(process.env.REPEAT ?? 15);
const N = 10_000;

// The filter of the corpus's URL rules: 10 prefixes per host (the bench's every-100th exact and
// every-1,000th host rules change the probes of too few URLs to matter here).
const a: number[] = [];
const b: number[] = [];
for (let h = 0; h < HOSTS; h++)
  for (let k = 0; k < 10; k++) {
    const p = parseUrlPattern(`https://${hostName(h)}${prefixPath(k)}*`);
    for (const key of ruleFilterKeys({ kind: "prefix", key: matchKey(p.prefix!) })) {
      const [x, y] = hashKeyPair(key);
      a.push(x);
      b.push(y);
    }
  }
const filter = BinaryFuse16.build(Uint32Array.from(a), Uint32Array.from(b));
const has = (x: number, y: number) => filter.has(x, y);

const { urls } = lookupUrls(N, 0xb10);
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;

function time(name: string, f: () => unknown): void {
  for (let k = 0; k < 3; k++) f();
  const t: number[] = [];
  for (let k = 0; k < REPEAT; k++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  const m = median(t);
  console.log(`${name.padEnd(44)} ${((m * 1000) / N).toFixed(3)} µs/URL  (${m.toFixed(1)} ms per ${N})`);
}

let sink = 0;
time("normalizeUrlFull (WHATWG, no fast path)", () => {
  for (const u of urls) sink += normalizeUrlFull(u).length;
});
time("normalizeUrl (fast path)", () => {
  for (const u of urls) sink += normalizeUrl(u).length;
});
const parsed = urls.map((u, i) => parseLookupUrl(u, ["urls", i])) as { url: string; normalized: string; key: string; host: string }[];
time("parseLookupUrl (normalize + key + host)", () => {
  for (let i = 0; i < urls.length; i++) sink += (parseLookupUrl(urls[i]!, ["urls", i]) as { key: string }).key.length;
});
time("filter probes (probeUrlGeneral, per-key hashing)", () => {
  for (const p of parsed) if (probeUrlGeneral(has, p.key, p.host)) sink++;
});
time("filter probes (probeUrl, one pass)", () => {
  for (const p of parsed) if (probeUrl(has, p.key, p.host)) sink++;
});
let passed = 0;
for (const p of parsed) if (probeUrl(has, p.key, p.host)) passed++;
const results: UrlLookup[] = parsed.map((p) => answer(p.url, p.normalized, []));
time("answers (answer())", () => {
  for (const p of parsed) sink += answer(p.url, p.normalized, []).url.length;
});
time("JSON.stringify({ results })", () => {
  sink += JSON.stringify({ results }).length;
});
time("serializeLookups(results)", () => {
  sink += serializeLookups(results).length;
});
if (serializeLookups(results) !== JSON.stringify({ results })) throw new Error("serializeLookups differs from JSON.stringify");
console.log(`filter passed ${passed} of ${N}; response ${JSON.stringify({ results }).length.toLocaleString("en")} bytes; ${sink > 0 ? "" : "-"}`);
