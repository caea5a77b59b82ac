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
import { scanItems, type ScanItem } from "./scan-input";
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

export async function runScan(o: ScanOptions): Promise<ScanSummary> {
  const started = performance.now();
  const cache = await FingerprintCache.open(o.cacheFile);
  // Started on the first file the cache does not know: a re-scan of unchanged files starts no thread.
  let pool: FingerprintPool | undefined;
  const report = new ReportWriter(o.report, o.format, o.excludeList);
  const progress = new Progress(o.progress, "scan");
  progress.total = o.total;
  let items = 0;
  let files = 0;
  let fingerprinted = 0;
  /** Items not yet queued for matching: while any remain, a partial batch may still fill. */
  let unqueued = 0;

  /**
   * The file's result, from the cache when its path, size and mtime are known (synchronously: a
   * re-scan does this for every file, and statSync of a local file costs a few microseconds where
   * a promise-based stat costs a thread-pool round trip), else from a worker.
   */
  function fingerprint(path: string): FileIscc | Promise<FileIscc> {
    const s = statSync(path);
    if (!s.isFile()) throw new Error("not a regular file");
    files++;
    progress.bytes += s.size;
    const known = cache.get(path, s.size, s.mtimeMs);
    if (known) return known;
    return (pool ??= new FingerprintPool(o.workers)).fingerprint(path).then((r) => {
      fingerprinted++;
      cache.put(path, s.size, s.mtimeMs, r);
      return r;
    });
  }

  async function processItem(item: ScanItem): Promise<void> {
    try {
      return await matchItem(item);
    } finally {
      progress.done++;
      progress.tick();
    }
  }

  /** The verdict of an item nothing matched (most items of most datasets). */
  const unmatched = verdictFor([], o.use);

  async function matchItem(item: ScanItem): Promise<void> {
    const record: ScanRecord = { ...(item.path ? { path: item.path } : {}), ...(item.url ? { url: item.url } : {}), verdict: "unknown", matches: [] };
    const errors: string[] = [];
    const waits: Promise<Found>[] = [];
    unqueued++;
    if (item.path) {
      try {
        const fp = await fingerprint(item.path);
        record.iscc = fp.iscc;
        record.datahash = fp.datahash;
        if (fp.notComputed) record.reason = `${fp.notComputed.unit} not computed: ${fp.notComputed.reason}`;
        waits.push(o.matcher.matchCode(fp.iscc));
      } catch (e) {
        errors.push(`${item.path}: ${(e as Error).message}`);
      }
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
    const found: ItemMatch[] = [];
    const take = (f: Found) => {
      if ("error" in f) errors.push(f.error);
      else found.push(...f.matches);
    };
    const failed = (e: unknown) => void errors.push((e as Error).message);
    // One wait, the usual case, is awaited as it is (allSettled costs the item a few more objects and ticks).
    if (waits.length === 1) await waits[0]!.then(take, failed);
    else {
      for (const w of await Promise.allSettled(waits)) {
        if (w.status === "rejected") failed(w.reason);
        else take(w.value);
      }
    }
    record.matches = found.length ? mergeMatches(found) : found;
    const v = found.length ? verdictFor(record.matches, o.use) : unmatched;
    // An item with an error is `error` unless what did match already excludes it: a bad URL beside a
    // declared file is still excluded, never silently allowed.
    record.verdict = errors.length && v.verdict !== "excluded" ? "error" : v.verdict;
    record.preference = v.preference;
    if (errors.length) record.reason = [record.reason, ...errors].filter(Boolean).join("; ");
    report.write(record);
  }

  // At most IN_FLIGHT items at once: a counter and one waiter, so each finished item costs O(1).
  let active = 0;
  let inputDone = false;
  let room: (() => void) | null = null;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((r) => (allDone = r));
  const settle = () => {
    active--;
    room?.();
    room = null;
    if (inputDone && active === 0) allDone();
  };
  try {
    for await (const item of scanItems(o.input)) {
      items++;
      while (active >= IN_FLIGHT) await new Promise<void>((r) => (room = r));
      active++;
      processItem(item).then(settle, (e: unknown) => {
        report.write({ ...(item.path ? { path: item.path } : {}), ...(item.url ? { url: item.url } : {}), verdict: "error", reason: (e as Error).message, matches: [] });
        settle();
      });
      if (items % 1000 === 0) void cache.flush();
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
