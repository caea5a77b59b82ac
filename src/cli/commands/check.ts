import { checkUrls, type CheckResult } from "../../check/index";
import { CATEGORIES, isCategory, verdictFor } from "../../domain/preferences";
import { defineCommand } from "../command";
import { CliError, EXIT_USAGE } from "../errors";
import { wholeNumber } from "../flags";

function formatResult(r: CheckResult): string {
  const lines = [`${r.verdict.toUpperCase().padEnd(10)}  ${r.url}  (${r.use}: ${r.reason})`];
  const width = Math.max(...r.sources.map((s) => s.kind.length));
  for (const s of r.sources) {
    const said = s.status === "stated" ? verdictFor(s.preferences, r.use) : s.status;
    const statement = (s.statement ?? "").replace(/\s+/g, " ");
    lines.push(`  ${s.kind.padEnd(width)}  ${said.padEnd(11)}  ${statement.length > 70 ? statement.slice(0, 69) + "…" : statement}${s.detail ? `  — ${s.detail}` : ""}`);
  }
  return lines.join("\n");
}

export default defineCommand({
  name: "check",
  args: "<url>...",
  summary: "one verdict per URL from everything its site publishes and the registry",
  flags: {
    use: { type: "string", value: "USE", help: `the use to decide: ${CATEGORIES.join(", ")} (default train-ai)` },
    "user-agent": { type: "string", value: "TOKEN", help: "your crawler's robots.txt product token, also sent as User-Agent (default optout-check)" },
    "no-registry": { type: "boolean", help: "read only what the sites publish" },
    concurrency: { type: "string", value: "N", help: "requests in flight overall (default 8; at most 2 per host)" },
    timeout: { type: "string", value: "MS", help: "per request (default 10000)" },
  },
  async run(ctx, urls) {
    const use = ctx.flags.use ?? "train-ai";
    if (!isCategory(use)) throw new CliError(`--use takes one of ${CATEGORIES.join(", ")}, got ${JSON.stringify(use)}`, EXIT_USAGE);
    const results = await checkUrls(urls, {
      use,
      userAgent: ctx.flags["user-agent"] ?? "optout-check",
      registry: ctx.flags["no-registry"] ? null : ctx.registry().base.href,
      ...(ctx.flags.concurrency !== undefined ? { concurrency: wholeNumber(ctx.flags.concurrency, "--concurrency") } : {}),
      ...(ctx.flags.timeout !== undefined ? { timeoutMs: wholeNumber(ctx.flags.timeout, "--timeout") } : {}),
    });
    // One JSON object per URL, per line, so a crawler can stream and log them.
    if (ctx.json) for (const r of results) ctx.out(JSON.stringify(r));
    else ctx.out(results.map(formatResult).join("\n"));
    return 0;
  },
});
