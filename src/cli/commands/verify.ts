import { verifyDeclaration } from "../auditor";
import { defineCommand } from "../command";
import { EXIT_FAILURE } from "../errors";

export default defineCommand({
  name: "verify",
  args: "<id|digest>",
  summary: "check a declaration's whole chain: declarant signature, registry receipt, inclusion in a signed checkpoint",
  flags: {
    "registry-key": {
      type: "string",
      value: "z6Mk…",
      help: "the registry key you trust (default: the one its descriptor presents, shown in the output)",
    },
    trust: {
      type: "string",
      multiple: true,
      value: "NAME=z6Mk…",
      help: "also trust receipts signed by registry NAME with this key (declarations received from peers); repeatable",
    },
  },
  async run(ctx, [id]) {
    const { steps, keyNote } = await verifyDeclaration(ctx.registry(), id!, { registryKey: ctx.flags["registry-key"], trust: ctx.flags.trust ?? [] });
    const ok = steps.every((s) => s.ok);
    ctx.print({ ok, steps }, () =>
      [...steps.map((s) => `${s.ok ? "ok  " : "FAIL"}  ${s.step.padEnd(20)} ${s.detail}`), `${ok ? "VERIFIED" : "NOT VERIFIED"} (${keyNote})`].join("\n"),
    );
    return ok ? 0 : EXIT_FAILURE;
  },
});
