import { availableParallelism } from "node:os";
import { defineCommand } from "../command";
import { CONTROLLER_FLAG, DECLARATION_FLAGS } from "../declaration-flags";
import { CliError, EXIT_FAILURE, EXIT_USAGE } from "../errors";
import { wholeNumber } from "../flags";
import { loadKey } from "../submit";

export default defineCommand({
  name: "import",
  args: "<catalog.csv|catalog.jsonl>",
  summary: "declare a whole catalog: one signed declaration per row, registered in batches, resumable",
  flags: {
    journal: { type: "string", value: "FILE", help: "the journal that makes a rerun resume and register nothing twice (default CATALOG.journal.jsonl)" },
    receipts: { type: "string", value: "FILE", help: "every receipt, one JSON object a line, appended (default CATALOG.receipts.jsonl)" },
    "train-ai": DECLARATION_FLAGS["train-ai"],
    "ai-use": DECLARATION_FLAGS["ai-use"],
    search: DECLARATION_FLAGS.search,
    all: DECLARATION_FLAGS.all,
    workers: { type: "string", value: "N", help: `fingerprinting threads (default one per core, here ${availableParallelism()})` },
    quiet: { type: "boolean", help: "no progress output" },
    controller: CONTROLLER_FLAG,
    "on-behalf-of": { type: "string", value: "MEMBER", help: "agent mode: declare every row for MEMBER (a key or did:web; a `member` column overrides it per row)" },
  },
  async run(ctx, [catalog]) {
    const { runImport } = await import("../../catalog/import-catalog");
    const { DEFAULT_RETRY } = await import("../../scan/retrying-fetch");
    const { CatalogError } = await import("../../catalog/catalog-rows");
    const base = catalog!.replace(/\.(csv|jsonl|ndjson)$/i, "");
    if (base === catalog) throw new CliError(`${catalog}: a catalog must be .csv, .jsonl or .ndjson`, EXIT_USAGE);
    const keypair = await loadKey(ctx);
    const quiet = ctx.flags.quiet === true;
    const progress = quiet ? "quiet" : process.stderr.isTTY ? "bar" : "lines";
    const f = ctx.flags;
    let s;
    try {
      s = await runImport({
        catalog: catalog!,
        journal: f.journal ?? `${base}.journal.jsonl`,
        receipts: f.receipts ?? `${base}.receipts.jsonl`,
        registry: ctx.registry().base,
        keypair,
        ...(f["on-behalf-of"] !== undefined ? { member: f["on-behalf-of"] } : {}),
        defaults: { "train-ai": f["train-ai"], "ai-use": f["ai-use"], search: f.search, all: f.all },
        workers: f.workers !== undefined ? wholeNumber(f.workers, "--workers", "threads") : availableParallelism(),
        progress,
        retry: { ...DEFAULT_RETRY, onRetry: (what, n, ms) => !quiet && ctx.err(`import: ${what}; retry ${n} in ${(ms / 1000).toFixed(1)} s`) },
      });
    } catch (e) {
      if (e instanceof CatalogError) throw new CliError(e.message, EXIT_USAGE);
      throw e;
    }
    ctx.print(s, () =>
      [
        `Imported ${s.rows} rows in ${s.seconds.toFixed(1)} s: ${s.created} registered, ${s.already} already registered, ${s.failed} failed.`,
        ...s.failures.slice(0, 20).map((x) => `  ${x.where}: ${x.reason}`),
        ...(s.failures.length > 20 ? [`  … and ${s.failures.length - 20} more (see the journal)`] : []),
      ].join("\n"),
    );
    return s.failed ? EXIT_FAILURE : 0;
  },
});
