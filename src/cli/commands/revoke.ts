import { defineCommand } from "../command";
import { buildRevoke } from "../declaration";
import { CONTROLLER_FLAG } from "../declaration-flags";
import { submitDeclaration } from "../submit";

export default defineCommand({
  name: "revoke",
  args: "<id>",
  summary: "end one of your declarations",
  flags: { controller: CONTROLLER_FLAG },
  async run(ctx, [id]) {
    return submitDeclaration(ctx, async () => buildRevoke(id!), (r, created) =>
      `${created ? "Revoked" : "Already revoked"} ${id}\n  revocation  ${r.id}  (seq ${r.seq})\n  digest      ${r.digest}`,
    );
  },
});
