import { auditOnce, defaultAuditStatePath } from "../auditor";
import { defineCommand } from "../command";
import { EXIT_FAILURE } from "../errors";
import { wholeNumber } from "../flags";
import { RegistryClient } from "../registry-client";

export default defineCommand({
  name: "audit",
  args: "[registry-url]",
  summary: "fetch the registry's signed checkpoint and check it extends every checkpoint you kept before",
  flags: {
    state: { type: "string", value: "FILE", help: "where the checkpoints you saw are kept (default ~/.config/optout/audit/<host>.json)" },
    interval: { type: "string", value: "S", help: "seconds between rounds (default 60)" },
    count: { type: "string", value: "N", help: "rounds to run (default 1; run from cron, or with --count to watch)" },
  },
  async run(ctx, [url]) {
    const client = url !== undefined ? new RegistryClient(url) : ctx.registry();
    const count = wholeNumber(ctx.flags.count ?? "1", "--count");
    const interval = wholeNumber(ctx.flags.interval ?? "60", "--interval");
    const statePath = ctx.flags.state ?? defaultAuditStatePath(client.base);
    for (let round = 1; round <= count; round++) {
      const r = await auditOnce(client, statePath);
      // One line a round, so a watching script reads JSON lines.
      (r.ok ? ctx.out : ctx.err)(ctx.json ? JSON.stringify(r) : r.message);
      if (!r.ok) return EXIT_FAILURE;
      if (round < count) await new Promise((done) => setTimeout(done, interval * 1000));
    }
    return 0;
  },
});
