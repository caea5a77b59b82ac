/**
 * `optout scan`: fingerprints every file of a dataset in parallel (worker-pool.ts), reusing what the cache
 * knows (fingerprint-cache.ts), matches codes, URLs and work identifiers against the registry in batches (registry-matcher.ts,
 * or a local signed snapshot), and writes one report record per item (scan-report.ts) with its verdict for
 * the chosen use (verdict.ts).
 */
import { statSync } from "node:fs";
import type { Category } from "../domain/preferences";
import { identifierKey, IdentifierError, parseTypedIdentifier } from "../domain/work-identifier";
import type { FileIscc } from "../media/file-iscc";
import { FingerprintCache } from "./fingerprint-cache";
import { Progress, type ProgressMode } from "./progress";
import type { Found, Matcher } from "./registry-matcher";
import { ReportWriter, type ReportFormat, type ScanRecord } from "./scan-report";
import { scanBatches, type ScanItem } from "./scan-input";
import { mergeMatches, verdictFor, type ItemMatch } from "./verdict";
import { FingerprintPool } from "./worker-pool";

export interface ScanOptions {
  input: string;
  report: string;
  format: ReportFormat;
  excludeList: string | null;
  use: Category;
  matcher: Matcher;
  /** null: no cache. */
  cacheFile: string | null;
  /** Worker threads; 0 fingerprints on the main thread. */
  workers: number;
  progress: ProgressMode;
  /** Items total when known in advance (for the ETA). */
  total?: number;
}

export interface ScanSummary {
  items: number;
  files: number;
  bytes: number;
  fingerprinted: number;
  cached: number;
  counts: Record<ScanRecord["verdict"], number>;
  requests: number;
  /** Codes whose answer the last scan's still held (cached-matcher.ts), so not asked again. */
  answersReused: number;
  seconds: number;
}

/**
 * Items in flight at once. Above the largest batch (10,000 URLs) so batches fill, and bounded so a
 * manifest of millions of rows is read as the scan goes, not all at once.
 */
const IN_FLIGHT = 20_000;

/** An item between its start and its report line. */
interface InFlight {
  item: ScanItem;
  record: ScanRecord;
  errors: string[];
  /** Its size was counted from a stat here (else from the worker's answer). */
  statted: boolean;
}

export async function runScan(o: ScanOptions): Promise<ScanSummary> {
  const started = performance.now();
  const cache = await FingerprintCache.open(o.cacheFile);
  // Started on the first file the cache does not know: a re-scan of unchanged files starts no thread.
  let pool: FingerprintPool<InFlight> | undefined;
  const report = new ReportWriter(o.report, o.format, o.excludeList);
  const progress = new Progress(o.progress, "scan");
  progress.total = o.total;
  let items = 0;
  let files = 0;
  let fingerprinted = 0;
  /** Items not yet queued for matching: while any remain, a partial batch may still fill. */
  let unqueued = 0;

  // Each item goes through these steps by plain calls, with no promise of its own until it waits for the
  // registry: a file waiting for a worker is a path and this record in the pool's queue (up to IN_FLIGHT of
  // them), and the workers' answers come back in batches (worker-pool.ts).

  function start(item: ScanItem): void {
    const f: InFlight = { item, record: { ...(item.path ? { path: item.path } : {}), ...(item.url ? { url: item.url } : {}), verdict: "unknown", matches: [] }, errors: [], statted: false };
    unqueued++;
    if (!item.path) return match(f, undefined);
    const path = item.path;
    try {
      // A file the cache may know is stat'ed here, synchronously (a re-scan does this for every file, and statSync
      // of a local file costs a few microseconds where a promise-based stat costs a thread-pool round trip); one it
      // cannot know, if the walk saw a regular file, goes straight to a worker, which reports its size and mtime.
      if (item.file && !cache.has(path)) {
        files++;
        (pool ??= new FingerprintPool(o.workers, answered)).submit(path, f);
        return;
      }
      const s = statSync(path);
      if (!s.isFile()) throw new Error("not a regular file");
      files++;
      progress.bytes += s.size;
      f.statted = true;
      const known = cache.get(path, s.size, s.mtimeMs);
      if (known) return match(f, known);
      (pool ??= new FingerprintPool(o.workers, answered)).submit(path, f);
    } catch (e) {
      failed(f, e);
    }
  }

  /** A worker's answer for the file of `f`. */
  function answered(f: InFlight, r: FileIscc | undefined, error: Error | undefined, size: number, mtimeMs: number): void {
    if (!r) return failed(f, error);
    fingerprinted++;
    if (!f.statted) progress.bytes += size;
    cache.put(f.item.path!, size, mtimeMs, r);
    match(f, r);
  }

  function failed(f: InFlight, e: unknown): void {
    f.errors.push(`${f.item.path}: ${(e as Error).message}`);
    match(f, undefined);
  }

  /** The verdict of an item nothing matched (most items of most datasets). */
  const unmatched = verdictFor([], o.use);

  /** Queues what the item is matched by (its code, URL, identifiers); reports it once all are answered. */
  function match(f: InFlight, fp: FileIscc | undefined): void {
    try {
      const { item, record, errors } = f;
      const waits: Promise<Found>[] = [];
      if (fp) {
        record.iscc = fp.iscc;
        record.datahash = fp.datahash;
        if (fp.notComputed) record.reason = `${fp.notComputed.unit} not computed: ${fp.notComputed.reason}`;
        waits.push(o.matcher.matchCode(fp.iscc));
      }
      if (item.url) waits.push(o.matcher.lookupUrl(item.url));
      for (const token of item.identifiers ?? []) {
        try {
          const key = identifierKey(parseTypedIdentifier(token));
          (record.identifiers ??= []).push(key);
          waits.push(o.matcher.lookupIdentifier(key));
        } catch (e) {
          if (!(e instanceof IdentifierError)) throw e;
          errors.push(`${token}: ${e.message}`);
        }
      }
      // the last partial batches go once nothing more can fill them
      if (--unqueued === 0 && inputDone) void o.matcher.flush();
      // One wait, the usual case, is taken as it is (allSettled costs the item a few more objects and ticks).
      if (waits.length === 0) finish(f, []);
      else if (waits.length === 1) {
        waits[0]!.then(
          (found) => finish(f, [found]),
          (e: unknown) => finish(f, [{ error: (e as Error).message }]),
        );
      } else {
        void Promise.allSettled(waits).then((all) => finish(f, all.map((w) => (w.status === "rejected" ? { error: (w.reason as Error).message } : w.value))));
      }
    } catch (e) {
      crashed(f, e);
    }
  }

  /** Writes the item's report line from what each of its matches found. */
  function finish(f: InFlight, answers: Found[]): void {
    try {
      const { record, errors } = f;
      const found: ItemMatch[] = [];
      for (const a of answers) {
        if ("error" in a) errors.push(a.error);
        else found.push(...a.matches);
      }
      record.matches = found.length ? mergeMatches(found) : found;
      const v = found.length ? verdictFor(record.matches, o.use) : unmatched;
      // An item with an error is `error` unless what did match already excludes it: a bad URL beside a
      // declared file is still excluded, never silently allowed.
      record.verdict = errors.length && v.verdict !== "excluded" ? "error" : v.verdict;
      record.preference = v.preference;
      if (errors.length) record.reason = [record.reason, ...errors].filter(Boolean).join("; ");
      report.write(record);
      settle();
    } catch (e) {
      crashed(f, e);
    }
  }

  /** Something unexpected went wrong with the item: it is reported as an error, and the scan goes on. */
  function crashed(f: InFlight, e: unknown): void {
    const item = f.item;
    report.write({ ...(item.path ? { path: item.path } : {}), ...(item.url ? { url: item.url } : {}), verdict: "error", reason: (e as Error).message, matches: [] });
    settle();
  }

  // At most IN_FLIGHT items at once: a counter and one waiter, so each finished item costs O(1).
  let active = 0;
  let inputDone = false;
  let room: (() => void) | null = null;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((r) => (allDone = r));
  function settle(): void {
    progress.done++;
    progress.tick();
    active--;
    room?.();
    room = null;
    if (inputDone && active === 0) allDone();
  }
  try {
    for await (const batch of scanBatches(o.input)) {
      for (const item of batch) {
        items++;
        while (active >= IN_FLIGHT) await new Promise<void>((r) => (room = r));
        active++;
        start(item);
        if (items % 1000 === 0) void cache.flush();
      }
    }
    inputDone = true;
    if (unqueued === 0) void o.matcher.flush();
    if (active === 0) allDone();
    await finished;
    await o.matcher.finish?.();
  } finally {
    await pool?.close();
    await cache.flush();
    await report.close();
    progress.finish();
  }
  return {
    items,
    files,
    bytes: progress.bytes,
    fingerprinted,
    cached: cache.hits,
    counts: report.counts,
    requests: o.matcher.requests,
    answersReused: o.matcher.reused ?? 0,
    seconds: (performance.now() - started) / 1000,
  };
}
