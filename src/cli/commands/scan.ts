import { availableParallelism } from "node:os";
import { defineCommand } from "../command";
import { CliError, EXIT_USAGE } from "../errors";

export default defineCommand({
  name: "scan",
  args: "<directory|manifest>",
  summary: "fingerprint a dataset (a directory, or a JSONL/CSV/Parquet manifest of paths and URLs) and report what is declared",
  flags: {
    report: { type: "string", value: "FILE", help: "where the report goes (default optout-scan.jsonl, or .csv with --format csv)" },
    format: { type: "string", value: "jsonl|csv", help: "report format (default jsonl)" },
    use: { type: "string", value: "CATEGORY", help: "the use you intend (default train-ai): an item the registry reserves for it (`n`) is excluded" },
    "exclude-list": { type: "string", value: "FILE", help: "also write the path or URL of every excluded item, one a line" },
    "max-distance": { type: "string", value: "N", help: "Hamming distance in bits for similar content (registry default if omitted)" },
    cache: { type: "string", value: "FILE", help: "fingerprint cache (default ~/.cache/optout/fingerprints.jsonl): a re-scan fingerprints only changed files" },
    "no-cache": { type: "boolean", help: "fingerprint every file, remember nothing" },
    workers: { type: "string", value: "N", help: `fingerprinting threads (default one per core, here ${availableParallelism()})` },
    quiet: { type: "boolean", help: "no progress output" },
    snapshot: {
      type: "string",
      value: "DIR",
      help: "match content on this machine against the registry's signed snapshots in DIR (downloaded if missing; delete to refresh); only URLs the snapshot cannot rule out go to the API",
    },
  },
  async run(ctx, [input]) {
    const { scanCommand, ScanUsageError } = await import("../../scan/scan-command");
    try {
      await scanCommand(input!, ctx.flags, ctx.registry(), { out: ctx.out, err: ctx.err, json: ctx.json, isTTY: process.stderr.isTTY === true });
    } catch (e) {
      if (e instanceof ScanUsageError) throw new CliError(e.message, EXIT_USAGE);
      throw e;
    }
    return 0;
  },
});
