import { defineCommand } from "../command";
import { formatStored, type StoredDeclaration } from "../render";

export default defineCommand({
  name: "resolve",
  args: "<id|digest>",
  summary: "show a declaration, its status and its receipt",
  flags: {},
  async run(ctx, [id]) {
    const { body } = await ctx.registry().get<StoredDeclaration>(`v1/declarations/${encodeURIComponent(id!)}`);
    ctx.print(body, formatStored);
    return 0;
  },
});
