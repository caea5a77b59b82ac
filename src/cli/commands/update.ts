import { defineCommand } from "../command";
import { buildActivateOrUpdate } from "../declaration";
import { DECLARATION_FLAGS, termsFromFlags, withFile } from "../declaration-flags";
import { formatReceipt } from "../render";
import { submitDeclaration } from "../submit";

export default defineCommand({
  name: "update",
  args: "<id>",
  summary: "replace one of your declarations with new subjects and preferences",
  flags: DECLARATION_FLAGS,
  async run(ctx, [id]) {
    const flags = termsFromFlags(ctx.flags);
    return submitDeclaration(ctx, async () => buildActivateOrUpdate(await withFile(ctx, flags), id!), (r, created, sent) =>
      formatReceipt(r, created, sent).replace(/^(Registered|Already registered) /, `$1 update of ${id}: `),
    );
  },
});
