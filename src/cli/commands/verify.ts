import { readFile } from "node:fs/promises";
import type { ChainStep } from "../../log/declaration-chain";
import { verifyEvidence } from "../../log/evidence";
import { verifyDeclaration } from "../auditor";
import { defineCommand, type Context } from "../command";
import { CliError, EXIT_FAILURE, EXIT_USAGE } from "../errors";

const flags = {
  "registry-key": {
    type: "string",
    value: "z6Mk…",
    help: "the registry key you trust (default: the one its descriptor presents, or the evidence file names, shown in the output)",
  },
  trust: {
    type: "string",
    multiple: true,
    value: "NAME=z6Mk…",
    help: "also trust receipts signed by registry NAME with this key (declarations received from peers); repeatable",
  },
  evidence: {
    type: "string",
    value: "FILE",
    help: "verify an evidence file offline (downloaded from the web app or GET /v1/declarations/{id}/evidence) instead of asking a registry",
  },
} as const;

function report(ctx: Context<typeof flags>, steps: ChainStep[], keyNote: string): number {
  const ok = steps.length > 0 && steps.every((s) => s.ok);
  ctx.print({ ok, steps }, () =>
    [...steps.map((s) => `${s.ok ? "ok  " : "FAIL"}  ${s.step.padEnd(20)} ${s.detail}`), `${ok ? "VERIFIED" : "NOT VERIFIED"} (${keyNote})`].join("\n"),
  );
  return ok ? 0 : EXIT_FAILURE;
}

export default defineCommand({
  name: "verify",
  args: "[id|digest]",
  summary: "check a declaration's whole chain: declarant signature, registry receipt, inclusion in a signed checkpoint",
  flags,
  async run(ctx, [id]) {
    const registryKey = ctx.flags["registry-key"];
    const path = ctx.flags.evidence;
    if (path !== undefined) {
      if (id !== undefined) throw new CliError("give either an id or --evidence FILE, not both", EXIT_USAGE);
      if (ctx.flags.trust?.length) throw new CliError("--trust does not apply to --evidence: the file names the keys its receipts are checked with", EXIT_USAGE);
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (e) {
        throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
      }
      // The same module the web app's evidence page runs: no network, the file alone.
      const r = await verifyEvidence(text, registryKey !== undefined ? { registryKey } : {});
      const keyNote = r.registryKey
        ? `registry key ${r.registryKey} (${r.keySource === "pinned" ? "pinned" : "as the file states it; pin it with --registry-key"})`
        : `${path} is not an evidence file`;
      return report(ctx, r.steps, keyNote);
    }
    if (id === undefined) throw new CliError("verify takes an id or digest, or --evidence FILE; see `optout verify --help`", EXIT_USAGE);
    const { steps, keyNote } = await verifyDeclaration(ctx.registry(), id, { registryKey, trust: ctx.flags.trust ?? [] });
    return report(ctx, steps, keyNote);
  },
});
