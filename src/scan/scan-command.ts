/**
 * The `optout scan` command's flags turned into a run (src/cli/commands/scan.ts declares them): defaults,
 * validation as usage errors, the summary printed at the end.
 */
import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import type { ProgressMode } from "./progress";
import type { RegistryClient } from "../cli/registry-client";
import { offlineMatcher, OfflineSnapshotError } from "./offline-matcher";
import { RegistryMatcher, type Matcher } from "./registry-matcher";
import { DEFAULT_RETRY } from "./retrying-fetch";
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
  let matcher: Matcher = new RegistryMatcher(registry.base, policy, maxDistance);
  if (flags.snapshot !== undefined) {
    try {
      const offline = await offlineMatcher(flags.snapshot, registry, matcher, maxDistance);
      matcher = offline.matcher;
      if (progress !== "quiet") io.err(`scan: matching against the snapshots in ${flags.snapshot} (units v${offline.versions.units}, URLs v${offline.versions.urls})`);
    } catch (e) {
      if (e instanceof OfflineSnapshotError) throw new ScanUsageError(e.message);
      throw e;
    }
  }
  const summary = await runScan({
    input,
    report,
    format,
    excludeList: flags["exclude-list"] ?? null,
    use,
    matcher,
    cacheFile: flags["no-cache"] ? null : (flags.cache ?? defaultCachePath()),
    workers,
    progress,
  });
  const c = summary.counts;
  io.out(
    io.json
      ? JSON.stringify({ report, ...summary }, null, 2)
      : `Scanned ${summary.items} items (${summary.fingerprinted} fingerprinted, ${summary.cached} from the cache) in ${summary.seconds.toFixed(1)} s: ` +
          `${c.excluded} excluded, ${c.allowed} allowed, ${c.unknown} unknown, ${c.error} errors (--use ${use}).\nReport: ${report}` +
          (flags["exclude-list"] !== undefined ? `\nExclude list: ${flags["exclude-list"]}` : ""),
  );
  return summary;
}
