import { defineCommand } from "../command";
import { buildActivateOrUpdate } from "../declaration";
import { DECLARATION_FLAGS, termsFromFlags, withFile } from "../declaration-flags";
import { declareFrom, FROM_FLAGS } from "../declare-from";
import { formatReceipt } from "../render";
import { submitDeclaration } from "../submit";

export default defineCommand({
  name: "declare",
  args: "",
  summary: "sign and register a declaration (by ISCC, file, datahash, URL patterns and/or work identifiers, or --from what a site publishes)",
  flags: { ...DECLARATION_FLAGS, ...FROM_FLAGS },
  async run(ctx) {
    if (ctx.flags.from !== undefined) return declareFrom(ctx, ctx.flags);
    const flags = termsFromFlags(ctx.flags);
    return submitDeclaration(ctx, async () => buildActivateOrUpdate(await withFile(ctx, flags)), (r, created, sent) => {
      const text = formatReceipt(r, created, sent);
      return created ? `${text}\nKeep the id: you need it to update or revoke this declaration.` : text;
    });
  },
});
