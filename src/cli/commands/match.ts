import { defineCommand } from "../command";
import { EXIT_FAILURE } from "../errors";
import { wholeNumber } from "../flags";
import { formatMatch, type MatchAnswer } from "../render";

export default defineCommand({
  name: "match",
  args: "<iscc>...",
  summary: "declarations whose ISCC units are similar to these codes",
  flags: {
    "max-distance": { type: "string", value: "N", help: "Hamming distance in bits (registry default if omitted; see `optout info`)" },
  },
  async run(ctx, codes) {
    const md = ctx.flags["max-distance"];
    const maxDistance = md !== undefined ? wholeNumber(md, "--max-distance", "bits") : undefined;
    const { body } = await ctx.registry().post<MatchAnswer>("v1/match", {
      iscc: codes,
      ...(maxDistance !== undefined ? { max_distance: maxDistance } : {}),
    });
    ctx.print(body, formatMatch);
    return body.results.some((r) => r.error) ? EXIT_FAILURE : 0;
  },
});
