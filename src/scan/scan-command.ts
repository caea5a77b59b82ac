/**
 * The `optout scan` command's flags turned into a run (src/cli/commands/scan.ts declares them): defaults,
 * validation as usage errors, the summary printed at the end.
 */
import { availableParallelism, homedir } from "node:os";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { join } from "node:path";
import type { ProgressMode } from "./progress";
import type { RegistryClient } from "../cli/registry-client";
import { offlineMatcher, OfflineSnapshotError } from "./offline-matcher";
import { RegistryMatcher, type Matcher } from "./registry-matcher";
import { AnswerCache } from "./answer-cache";
import { cachedRegistryMatcher, cachedSnapshotMatcher } from "./cached-matcher";
import { DEFAULT_RETRY, type RetryPolicy } from "./retrying-fetch";
import type { ReportFormat } from "./scan-report";
import { inputKind, ScanInputError } from "./scan-input";
import { runScan, type ScanSummary } from "./scan";
import { parseUse, UseError } from "./verdict";

export class ScanUsageError extends Error {}

export interface ScanFlags {
  report?: string;
  format?: string;
  use?: string;
  "exclude-list"?: string;
  "max-distance"?: string;
  cache?: string;
  "no-cache"?: boolean;
  workers?: string;
  quiet?: boolean;
  snapshot?: string;
}

function whole(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new ScanUsageError(`${flag} takes a whole number, got ${JSON.stringify(v)}`);
  return Number(v);
}

export function defaultCachePath(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "optout", "fingerprints.jsonl");
}

/**
 * The matcher a scan uses: the registry's, or with `snapshot` the signed snapshots in that directory; with a
 * fingerprint cache, it also keeps its answers beside it and reuses those still valid (cached-matcher.ts).
 */
export async function scanMatcher(
  registry: RegistryClient,
  o: { policy: RetryPolicy; maxDistance?: number; cacheFile: string | null; snapshot?: string },
): Promise<{ matcher: Matcher; offline?: { units: number; urls: number } }> {
  const online = new RegistryMatcher(registry.base, o.policy, o.maxDistance);
  if (o.snapshot !== undefined) {
    const offline = await offlineMatcher(o.snapshot, registry, online, o.maxDistance);
    const matcher = o.cacheFile ? await cachedSnapshotMatcher(AnswerCache.fileFor(o.cacheFile, "snapshot"), offline.matcher, offline.units, o.maxDistance) : offline.matcher;
    return { matcher, offline: offline.versions };
  }
  if (!o.cacheFile) return { matcher: online };
  const key = `registry-${bytesToHex(sha256(new TextEncoder().encode(registry.base.href))).slice(0, 12)}`;
  return { matcher: await cachedRegistryMatcher(AnswerCache.fileFor(o.cacheFile, key), online, registry.base, o.policy, o.maxDistance) };
}

export async function scanCommand(input: string, flags: ScanFlags, registry: RegistryClient, io: { out(s: string): void; err(s: string): void; json: boolean; isTTY: boolean }): Promise<ScanSummary> {
  const format = (flags.format ?? "jsonl") as ReportFormat;
  if (format !== "jsonl" && format !== "csv") throw new ScanUsageError(`--format must be jsonl or csv, got ${JSON.stringify(flags.format)}`);
  let use;
  try {
    use = parseUse(flags.use ?? "train-ai");
  } catch (e) {
    throw new ScanUsageError((e as UseError).message);
  }
  try {
    await inputKind(input);
  } catch (e) {
    throw new ScanUsageError((e as ScanInputError).message);
  }
  const workers = whole(flags.workers, "--workers") ?? availableParallelism();
  const maxDistance = whole(flags["max-distance"], "--max-distance");
  const progress: ProgressMode = flags.quiet ? "quiet" : io.isTTY ? "bar" : "lines";
  const report = flags.report ?? `optout-scan.${format}`;
  const policy = {
    ...DEFAULT_RETRY,
    onRetry: (what: string, attempt: number, ms: number) => {
      if (progress !== "quiet") io.err(`scan: ${what}; retry ${attempt} in ${(ms / 1000).toFixed(1)} s`);
    },
  };
  const cacheFile = flags["no-cache"] ? null : (flags.cache ?? defaultCachePath());
  let matcher: Matcher;
  try {
    const m = await scanMatcher(registry, { policy, maxDistance, cacheFile, snapshot: flags.snapshot });
    matcher = m.matcher;
    if (m.offline && progress !== "quiet") io.err(`scan: matching against the snapshots in ${flags.snapshot} (units v${m.offline.units}, URLs v${m.offline.urls})`);
  } catch (e) {
    if (e instanceof OfflineSnapshotError) throw new ScanUsageError(e.message);
    throw e;
  }
  const summary = await runScan({
    input,
    report,
    format,
    excludeList: flags["exclude-list"] ?? null,
    use,
    matcher,
    cacheFile,
    workers,
    progress,
  });
  const c = summary.counts;
  io.out(
    io.json
      ? JSON.stringify({ report, ...summary }, null, 2)
      : `Scanned ${summary.items} items (${summary.fingerprinted} fingerprinted, ${summary.cached} from the cache; ${summary.requests} requests, ${summary.answersReused} answers still valid from the last scan) in ${summary.seconds.toFixed(1)} s: ` +
          `${c.excluded} excluded, ${c.allowed} allowed, ${c.unknown} unknown, ${c.error} errors (--use ${use}).\nReport: ${report}` +
          (flags["exclude-list"] !== undefined ? `\nExclude list: ${flags["exclude-list"]}` : ""),
  );
  return summary;
}
