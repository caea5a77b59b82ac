/**
 * The `optout scan` command's flags turned into a run (src/cli/commands/scan.ts declares them): defaults,
 * validation as usage errors, the summary printed at the end.
 */
import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import type { ProgressMode } from "./progress";
import { RegistryMatcher } from "./registry-matcher";
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

export async function scanCommand(input: string, flags: ScanFlags, registry: URL, io: { out(s: string): void; err(s: string): void; json: boolean; isTTY: boolean }): Promise<ScanSummary> {
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
  const summary = await runScan({
    input,
    report,
    format,
    excludeList: flags["exclude-list"] ?? null,
    use,
    matcher: new RegistryMatcher(registry, policy, maxDistance),
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
