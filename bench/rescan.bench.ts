/**
 * npm run bench:rescan — `optout scan` of a dataset whose files did not change since the last scan (issue 11:
 * re-scan of 100,000 unchanged files ≤ 10 s). A re-scan reads no file: it walks the tree, stats each file and
 * finds it in the fingerprint cache by path, size and mtime; then every code is still matched, because the
 * registry may have changed. So the files' contents do not matter here, only how many there are: N short texts of
 * random words (100,000 by default) in directories of 1,000, made once under .bench/rescan-corpus-N.
 *
 * A local registry (`wrangler dev`, as `npm start`) is empty for the first scan, then holds 1,000 declarations of
 * corpus files. Measured, each as the product runs it (scanMatcher and runScan, the engine behind `optout scan`,
 * which keeps the registry's answers beside the fingerprint cache and reuses those still valid):
 *   first             the scan that fills the cache (two workers), for reference;
 *   online            the re-scan after the 1,000 declarations: the feed since the first scan says what changed,
 *                     only the codes it touches are matched again through POST /v1/match;
 *   online again      the re-scan with the registry unchanged since: no match request;
 *   online, no kept answers  every code matched through POST /v1/match (1,000 a request), as before kept answers;
 *   offline           the re-scan with `--snapshot` (content matched on this machine against the signed units
 *                     snapshot, downloaded beforehand as `optout scan --snapshot DIR` keeps it);
 *   offline again     the same snapshot: the answers of the last offline scan hold.
 * Wall time and this process's CPU seconds (the registry's are not included).
 *
 *   N=20000 npm run bench:rescan
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { RegistryClient } from "../src/cli/registry-client";
import { buildActivateOrUpdate, signDeclaration } from "../src/cli/declaration";
import { generateKeypair } from "../src/domain/iscc-sig";
import { enableFastBlake3 } from "../src/iscc/index";
import { DEFAULT_RETRY } from "../src/scan/retrying-fetch";
import { runScan } from "../src/scan/scan";
import { scanMatcher } from "../src/scan/scan-command";
import { startCluster } from "../test/e2e/federation-cluster";
import { xorshiftBytes } from "../test/support/seeded-random";

const N = Number(process.env.N ?? 100_000);
const ROOT = resolve(import.meta.dirname, "..");
const CORPUS = join(ROOT, ".bench", `rescan-corpus-${N}`);
const WORDS = "the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their".split(" ");
const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");

function makeCorpus(): void {
  if (existsSync(join(CORPUS, ".done"))) return;
  rmSync(CORPUS, { recursive: true, force: true });
  for (let i = 0; i < N; i++) {
    const sub = join(CORPUS, String(Math.floor(i / 1000)).padStart(3, "0"));
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    // distinct random words: captions that are not near-duplicates of one another
    writeFileSync(join(sub, `text-${i}.txt`), Array.from(xorshiftBytes(60, i + 1), (b) => WORDS[b % WORDS.length]).join(" "));
  }
  writeFileSync(join(CORPUS, ".done"), "");
}

async function main() {
  await enableFastBlake3();
  console.log(`bench:rescan N=${fmt(N)} on ${availableParallelism()} cores, load average ${load()}`);
  makeCorpus();
  const cluster = await startCluster(1);
  const registry = new URL(cluster.registries[0]!.url + "/");
  const out = join(cluster.dir, "out");
  mkdirSync(out, { recursive: true });
  const cache = join(out, "cache.jsonl");
  const cpuOf = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
  const rows: string[][] = [];
  const client = new RegistryClient(registry.href);
  /** A scan as `optout scan` runs it, its matcher made the same way (inside the timing: reading the feed is part of it). */
  const scan = async (name: string, how: { snapshot?: string; keep?: boolean } = {}) => {
    const c = process.cpuUsage();
    const t = performance.now();
    const { matcher } = await scanMatcher(client, { policy: DEFAULT_RETRY, cacheFile: how.keep === false ? null : cache, snapshot: how.snapshot });
    const s = await runScan({ input: CORPUS, report: join(out, `${name}.jsonl`), format: "jsonl", excludeList: null, use: "train-ai", matcher, cacheFile: cache, workers: availableParallelism(), progress: "quiet" });
    const seconds = (performance.now() - t) / 1000;
    rows.push([name, `${fmt(seconds, 1)} s (CPU ${fmt(cpuOf(process.cpuUsage(c)), 1)} s)`, `${fmt(s.cached)} of ${fmt(s.items)}`, fmt(s.answersReused), String(s.requests), `${s.counts.excluded}`, load()]);
    console.log(rows.at(-1)!.join("  "));
    return s;
  };
  try {
    await scan("first");
    // 1,000 of the files declared, so matching finds real hits
    const { readFile } = await import("node:fs/promises");
    const records = (await readFile(join(out, "first.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { iscc: string; datahash: string });
    const kp = generateKeypair();
    const step = Math.max(1, Math.floor(records.length / 1000));
    const picked = records.filter((_, i) => i % step === 0).slice(0, 1000);
    const signed = await Promise.all(picked.map((r) => signDeclaration(buildActivateOrUpdate({ iscc: r.iscc, datahash: r.datahash, preferences: { "train-ai": "n" } }), kp)));
    const res = await fetch(new URL("v1/declarations/batch", registry), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(signed) });
    if (!res.ok) throw new Error(`seeding: HTTP ${res.status}`);

    const online = await scan("online, after 1,000 declarations");
    const again = await scan("online again, registry unchanged");
    const full = await scan("online, no kept answers", { keep: false });
    const snap = join(out, "snapshot");
    const offline = await scan("offline (--snapshot)", { snapshot: snap });
    const offlineAgain = await scan("offline again, same snapshot", { snapshot: snap });
    const runs = [online, again, full, offline, offlineAgain];
    if (online.counts.excluded < picked.length || runs.some((r) => r.counts.excluded !== online.counts.excluded)) {
      throw new Error(`verdicts differ: ${JSON.stringify([picked.length, ...runs.map((r) => r.counts)])}`);
    }
    console.log(`\n| re-scan of ${fmt(N)} unchanged files | time | from the fingerprint cache | answers reused | match requests | excluded | load average after |\n|---|---|---|---|---|---|---|`);
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
    console.log(`\ntarget: re-scan of 100,000 unchanged files ≤ 10 s`);
  } finally {
    await cluster.stop();
  }
}

await main();
