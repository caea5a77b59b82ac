/**
 * npm run bench:scan — `optout scan` and `optout import` at dataset scale (issue 11).
 *
 * Corpus (made once per machine under the system's temporary directory, named by N and a hash of the code that
 * writes it, and reused by later runs and fresh clones of the same code; the output says which): N files, about
 * 60% small images (PNG and JPEG, 48×32 to 96×64, random pixels), 40% short texts (random words), plus 20 audio
 * (3 s WAV) and 10 video files (1 s MP4) made with ffmpeg, whatever N is. A local registry (`wrangler dev`, as
 * `npm start`) holds 1,000 declarations of corpus files, so matching finds real hits.
 *
 * Measured, each as the product runs it (runScan, the engine behind `optout scan`, against the registry over HTTP):
 *   G   the per-file work alone: isccOfFile on every file in one thread, summed (what `npm run bench:iscc` measures
 *       per generator, plus decoding and the tools);
 *   S1  scan with one fingerprinting worker, no cache  → overhead S1/G − 1 (target ≤ 25%);
 *   Sp  scan with one worker per core, no cache        → speedup S1/Sp (target ≥ 1.7×);
 *   Sc  scan again, unchanged files, from the cache     → seconds (target ≤ 10 s; bench:rescan measures 100,000);
 *   S1 offline, Sp offline: S1 and Sp as `optout scan --snapshot` runs them, matched on this machine against the
 *       registry's signed units snapshot (downloaded before the scan starts), so no registry works beside the scan;
 *       printed beside the online rows, never instead of them (the target is read from S1/Sp online);
 *   I   `optout import` of 10,000 catalog rows (files fingerprinted, signed, registered): rows/s; how long the
 *       registry took (POST time, which overlaps fingerprinting the next batch) and how long the import stood
 *       still waiting for it (registration must not be the bottleneck: that wait should be near 0).
 *
 * Times are wall clock and, beside them, CPU seconds of this process (worker threads included, the fpcalc and
 * ffmpeg processes not): on a machine shared with other work, CPU time is the code's own cost. For S1 and Sp the
 * tools' CPU is printed too (the children's, from /proc/self/stat on Linux), and from it how many cores S1 kept
 * busy: one worker is more than one core (the main thread matches and writes, V8 collects garbage on its own
 * threads, the tools are processes, the images sharp decodes go through libuv's and libvips' threads), so on C
 * cores S1/Sp cannot exceed C divided by that. Before S1, two copies of a CPU loop are run against one: the
 * throughput two cores give a perfectly parallel program at that moment, the ceiling of the speedup on a shared
 * machine; and beside S1 and Sp, how many cores the rest of the machine (the bench's own registry, and any other
 * work) kept busy meanwhile (from /proc/stat).
 *
 *   N=5000 npm run bench:scan        # a smaller corpus
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { runImport } from "../src/catalog/import-catalog";
import { buildActivateOrUpdate, signDeclaration } from "../src/cli/declaration";
import { generateKeypair } from "../src/domain/iscc-sig";
import { enableFastBlake3 } from "../src/iscc/index";
import { isccOfFile } from "../src/media/file-iscc";
import { RegistryClient } from "../src/cli/registry-client";
import { DEFAULT_RETRY } from "../src/scan/retrying-fetch";
import { runScan } from "../src/scan/scan";
import { scanMatcher } from "../src/scan/scan-command";
import { fingerprintWorkerScript } from "../src/scan/worker-script";
import { startCluster } from "../test/e2e/federation-cluster";
import { xorshiftBytes } from "../test/support/seeded-random";

const N = Number(process.env.N ?? 100_000);
const IMPORT_ROWS = Math.min(10_000, N);
const execFileP = promisify(execFile);
const WORDS = "the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their".split(" ");

/** Writes the corpus into `dir`: the same bytes on every machine and every run (seeded), whatever the order of the writes. */
async function writeCorpus(dir: string): Promise<void> {
  const writing = new Set<Promise<unknown>>();
  for (let i = 0; i < N - 30; i++) {
    const sub = join(dir, String(Math.floor(i / 1000)).padStart(3, "0"));
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    const r = xorshiftBytes(16, i + 1);
    if (i % 5 < 3) {
      const w = 48 + (r[0]! % 49);
      const h = 32 + (r[1]! % 33);
      const px = xorshiftBytes(w * h * 3, i + 7);
      const img = sharp(px, { raw: { width: w, height: h, channels: 3 } });
      // several encodes at once: sharp runs them on libuv's threads, so the corpus is made on every core
      const p = (i % 2 ? img.jpeg({ quality: 85 }) : img.png()).toFile(join(sub, `img-${i}.${i % 2 ? "jpg" : "png"}`));
      writing.add(p);
      void p.finally(() => writing.delete(p));
      if (writing.size >= 16) await Promise.race(writing);
    } else {
      const words = Array.from(xorshiftBytes(200 + (r[2]! % 200), i + 3), (b) => WORDS[b % WORDS.length]);
      writeFileSync(join(sub, `text-${i}.txt`), words.join(" "));
    }
  }
  await Promise.all(writing);
  const av = join(dir, "av");
  mkdirSync(av, { recursive: true });
  const ff = (...a: string[]) => execFileP("ffmpeg", ["-nostdin", "-v", "error", "-y", ...a]);
  await Promise.all([
    ...Array.from({ length: 20 }, (_, i) => ff("-f", "lavfi", "-i", `sine=frequency=${200 + i * 37}:duration=3`, join(av, `tone-${i}.wav`))),
    ...Array.from({ length: 10 }, (_, i) => ff("-f", "lavfi", "-i", `testsrc2=size=96x64:rate=10:duration=1,hue=h=${i * 30}`, "-pix_fmt", "yuv420p", join(av, `clip-${i}.mp4`))),
  ]);
}

/**
 * The corpus is made once per machine and kept under the system's temporary directory, named by N and a hash of
 * the code that writes it (so a fresh clone of the same code reuses it, and a changed generator makes a new one):
 * at N=100,000 making it takes minutes, reading it is what the scans measure. The scans' own fingerprint caches
 * are made empty for every run; nothing of a scan is kept in the corpus.
 */
async function corpus(): Promise<string> {
  const key = createHash("sha256").update(`${writeCorpus.toString()}\n${WORDS.join(" ")}\n${N}`).digest("hex").slice(0, 12);
  const dir = join(tmpdir(), "optout-bench", `scan-corpus-${N}-${key}`);
  if (existsSync(dir)) {
    console.log(`corpus: ${fmt(N)} files reused from ${dir} (made earlier by this code; its name is a hash of the generator and N)`);
    return dir;
  }
  const t = performance.now();
  const tmp = `${dir}.making-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await writeCorpus(tmp);
  renameSync(tmp, dir); // whole or not at all: an interrupted run leaves no half corpus under the final name
  console.log(`corpus: ${fmt(N)} files made in ${((performance.now() - t) / 1000).toFixed(0)} s, kept in ${dir}`);
  return dir;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith(".")) continue;
    if (e.isDirectory()) out.push(...files(join(dir, e.name)));
    else out.push(join(dir, e.name));
  }
  return out.sort();
}

/** CPU seconds of this process's waited-for children (the tools), Linux only: 0 elsewhere. */
function childrenCpu(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[13]) + Number(f[14])) / 100; // cutime + cstime, in USER_HZ (100 on Linux)
  } catch {
    return 0;
  }
}

/** CPU seconds the whole machine has spent busy since boot (every core, every process), Linux only: 0 elsewhere. */
function machineBusy(): number {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / 100; // user nice system irq softirq steal, in USER_HZ
  } catch {
    return 0;
  }
}

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

async function main() {
  await enableFastBlake3();
  console.log(`bench:scan N=${fmt(N)} on ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const CORPUS = await corpus();
  const all = files(CORPUS);
  const cluster = await startCluster(1);
  const registry = new URL(cluster.registries[0]!.url + "/");
  const out = join(cluster.dir, "out");
  mkdirSync(out, { recursive: true });
  try {
    // G: the per-file work alone, one thread
    const cpu0 = process.cpuUsage();
    let t = performance.now();
    const declared: { iscc: string; datahash: string }[] = [];
    for (let i = 0; i < all.length; i++) {
      const r = await isccOfFile(all[i]!);
      if (i % Math.max(1, Math.floor(all.length / 1000)) === 0 && declared.length < 1000) declared.push({ iscc: r.iscc, datahash: r.datahash });
    }
    const G = (performance.now() - t) / 1000;
    console.log(`G: ${G.toFixed(1)} s`);
    const cpuOf = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
    const Gcpu = cpuOf(process.cpuUsage(cpu0));
    // 1,000 corpus files declared, so matching returns real hits
    const kp = generateKeypair();
    const signed = await Promise.all(declared.map((d) => signDeclaration(buildActivateOrUpdate({ ...d, preferences: { "train-ai": "n" } }), kp)));
    const res = await fetch(new URL("v1/declarations/batch", registry), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(signed) });
    if (!res.ok) throw new Error(`seeding: HTTP ${res.status}`);

    // as `optout scan` runs: with a cache, the registry's answers are kept beside it and reused (cached-matcher.ts)
    const client = new RegistryClient(registry.href);
    const scan = async (workers: number, cacheFile: string | null, name: string, snapshot?: string) =>
      runScan({
        input: CORPUS,
        report: join(out, `${name}.jsonl`),
        format: "jsonl",
        excludeList: null,
        use: "train-ai",
        matcher: (await scanMatcher(client, { policy: DEFAULT_RETRY, cacheFile, snapshot })).matcher,
        cacheFile,
        workers,
        progress: "quiet",
      });
    // the workers' bundle is built once per source change (worker-script.ts): made here so that S1 and Sp both find it
    await fingerprintWorkerScript();
    // What two cores give a perfectly parallel program right now: on a shared machine, the ceiling of S1/Sp.
    const spin = () => new Promise<void>((ok, ko) => execFile(process.execPath, ["-e", "let x = 0; for (let i = 0; i < 1e9; i++) x = (x + i * 7) | 0;"], (e) => (e ? ko(e) : ok())));
    let t0 = performance.now();
    await spin();
    const spinOne = performance.now() - t0;
    t0 = performance.now();
    await Promise.all([spin(), spin()]);
    const spinScale = (2 * spinOne) / (performance.now() - t0);
    console.log(`two CPU loops at once: ${spinScale.toFixed(2)}× the throughput of one (load ${loadavg()[0]!.toFixed(1)})`);
    let c = process.cpuUsage();
    let k = childrenCpu();
    let m = machineBusy();
    const s1 = await scan(1, null, "one-worker");
    const s1cpu = cpuOf(process.cpuUsage(c));
    const s1tools = childrenCpu() - k;
    const s1cores = (s1cpu + s1tools) / s1.seconds;
    // what else ran meanwhile: the bench's own registry (workerd) and whatever else the machine was doing
    const s1rest = (machineBusy() - m - s1cpu - s1tools) / s1.seconds;
    console.log(`S1: ${s1.seconds.toFixed(1)} s, CPU ${s1cpu.toFixed(1)} s + tools ${s1tools.toFixed(1)} s, ${s1.requests} requests`);
    const cache = join(out, "cache.jsonl");
    c = process.cpuUsage();
    k = childrenCpu();
    m = machineBusy();
    const sp = await scan(availableParallelism(), cache, "parallel");
    const spcpu = cpuOf(process.cpuUsage(c));
    const sptools = childrenCpu() - k;
    const sprest = (machineBusy() - m - spcpu - sptools) / sp.seconds;
    console.log(`Sp: ${sp.seconds.toFixed(1)} s, CPU ${spcpu.toFixed(1)} s`);
    const sc = await scan(availableParallelism(), cache, "rescan");
    console.log(`Sc: ${sc.seconds.toFixed(1)} s, ${sc.cached} cached`);
    // Offline, as `optout scan --snapshot DIR` runs: the signed units snapshot is downloaded and verified before
    // the scan starts (runScan's time leaves it out), and no registry works during the scan.
    const snapshots = join(out, "snapshots");
    const offline = async (workers: number, name: string) => {
      const c = process.cpuUsage();
      const k = childrenCpu();
      const m = machineBusy();
      const r = await scan(workers, null, name, snapshots);
      const cpu = cpuOf(process.cpuUsage(c));
      const tools = childrenCpu() - k;
      console.log(`${name}: ${r.seconds.toFixed(1)} s, CPU ${cpu.toFixed(1)} s, ${r.requests} requests`);
      return { r, cpu, tools, rest: (machineBusy() - m - cpu - tools) / r.seconds };
    };
    const o1 = await offline(1, "S1 offline");
    const op = await offline(availableParallelism(), "Sp offline");
    const runs = [s1, sp, sc, o1.r, op.r];
    if (s1.counts.excluded < declared.length || runs.some((r) => r.counts.excluded !== s1.counts.excluded)) {
      throw new Error(`verdicts differ: ${JSON.stringify([declared.length, ...runs.map((r) => r.counts)])}`);
    }

    // I: import 10,000 catalog rows with files
    const catalog = join(out, "catalog.csv");
    writeFileSync(catalog, ["path,name", ...all.slice(0, IMPORT_ROWS).map((p, i) => `${p},Work ${i}`)].join("\n") + "\n");
    let postMs = 0;
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const t0 = performance.now();
      try {
        return await realFetch(input, init);
      } finally {
        if (String(input).includes("/v1/declarations/batch")) postMs += performance.now() - t0;
      }
    };
    t = performance.now();
    c = process.cpuUsage();
    const imp = await runImport({
      catalog,
      journal: join(out, "catalog.journal.jsonl"),
      receipts: join(out, "catalog.receipts.jsonl"),
      registry,
      keypair: generateKeypair(),
      defaults: {},
      workers: availableParallelism(),
      progress: "quiet",
      retry: DEFAULT_RETRY,
    });
    globalThis.fetch = realFetch;
    const I = (performance.now() - t) / 1000;
    const Icpu = cpuOf(process.cpuUsage(c));
    if (imp.created !== IMPORT_ROWS) throw new Error(`import registered ${imp.created} of ${IMPORT_ROWS}`);

    const rows = [
      ["per-file work G (isccOfFile, 1 thread)", `${fmt(G, 1)} s (CPU ${fmt(Gcpu, 1)} s)`, `${fmt(all.length / G)} files/s`, "—"],
      ["scan, 1 worker (S1)", `${fmt(s1.seconds, 1)} s (CPU ${fmt(s1cpu, 1)} s + tools ${fmt(s1tools, 1)} s: ${fmt(s1cores, 2)} cores; the rest of the machine ${fmt(s1rest, 2)} cores)`, `${fmt(s1.items / s1.seconds)} files/s`, `overhead S1/G − 1 = ${fmt((s1.seconds / G - 1) * 100)}% wall, ${fmt((s1cpu / Gcpu - 1) * 100)}% CPU (target ≤ 25%)`],
      [`scan, ${availableParallelism()} workers (Sp)`, `${fmt(sp.seconds, 1)} s (CPU ${fmt(spcpu, 1)} s + tools ${fmt(sptools, 1)} s: ${fmt((spcpu + sptools) / sp.seconds, 2)} cores; the rest of the machine ${fmt(sprest, 2)} cores)`, `${fmt(sp.items / sp.seconds)} files/s`, `speedup S1/Sp = ${fmt(s1.seconds / sp.seconds, 2)}× (target ≥ 1.7×); two CPU loops got ${fmt(spinScale, 2)}× one's throughput just before; S1 kept ${fmt(s1cores, 2)} cores busy (with the tools): with ${availableParallelism()} cores free the speedup cannot exceed ${fmt(availableParallelism() / s1cores, 2)}×`],
      ["offline scan, 1 worker (S1 offline: `--snapshot`, no registry at work)", `${fmt(o1.r.seconds, 1)} s (CPU ${fmt(o1.cpu, 1)} s + tools ${fmt(o1.tools, 1)} s: ${fmt((o1.cpu + o1.tools) / o1.r.seconds, 2)} cores; the rest of the machine ${fmt(o1.rest, 2)} cores)`, `${fmt(o1.r.items / o1.r.seconds)} files/s`, `${o1.r.requests} requests; overhead over G ${fmt((o1.r.seconds / G - 1) * 100)}% wall, ${fmt((o1.cpu / Gcpu - 1) * 100)}% CPU`],
      [`offline scan, ${availableParallelism()} workers (Sp offline)`, `${fmt(op.r.seconds, 1)} s (CPU ${fmt(op.cpu, 1)} s + tools ${fmt(op.tools, 1)} s: ${fmt((op.cpu + op.tools) / op.r.seconds, 2)} cores; the rest of the machine ${fmt(op.rest, 2)} cores)`, `${fmt(op.r.items / op.r.seconds)} files/s`, `offline speedup ${fmt(o1.r.seconds / op.r.seconds, 2)}× (beside the online rows above, which the target is read from)`],
      ["re-scan, unchanged (Sc)", `${fmt(sc.seconds, 1)} s`, `${fmt(sc.items / sc.seconds)} files/s`, `${sc.cached} from the cache, ${sc.answersReused} answers reused, ${sc.requests} requests (target ≤ 10 s for 100,000)`],
      [`import ${fmt(IMPORT_ROWS)} rows`, `${fmt(I, 1)} s (CPU ${fmt(Icpu, 1)} s)`, `${fmt(IMPORT_ROWS / I)} rows/s`, `registry POSTs ${fmt(postMs / 1000, 1)} s (overlapping); waited on the registry ${fmt(imp.registryWaitSeconds, 1)} s of ${fmt(I, 1)} s (${fmt((imp.registryWaitSeconds / I) * 100)}%)`],
    ];
    console.log(`\n${fmt(all.length)} files, ${fmt(s1.bytes / 1e6, 1)} MB; ${s1.requests} match requests per scan; ${s1.counts.excluded} excluded\n`);
    console.log("| run | time | rate | against the target |\n|---|---|---|---|");
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
    console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  } finally {
    await cluster.stop();
  }
}

await main();
