import { defineCommand } from "../command";
import { EXIT_FAILURE } from "../errors";
import { formatUrlAnswer, type UrlAnswer } from "../render";

export default defineCommand({
  name: "lookup",
  args: "<url>...",
  summary: "effective preferences for URLs, with a Content-Usage value",
  flags: {
    snapshot: {
      type: "string",
      value: "FILE",
      help: "check against the registry's signed offline snapshot first (downloaded to FILE if missing); only possible matches go to the API",
    },
  },
  async run(ctx, urls) {
    let answers: UrlAnswer[];
    if (ctx.flags.snapshot !== undefined) {
      const { lookupWithSnapshot } = await import("../snapshot");
      const r = await lookupWithSnapshot(ctx.registry(), ctx.flags.snapshot, urls);
      answers = r.answers;
      ctx.print({ snapshot_version: r.version, results: r.answers }, () => answers.map(formatUrlAnswer).join("\n"));
    } else if (urls.length === 1) {
      const { body } = await ctx.registry().get<UrlAnswer>(`v1/lookup?url=${encodeURIComponent(urls[0]!)}`);
      answers = [body];
      ctx.print(body, formatUrlAnswer);
    } else {
      const { body } = await ctx.registry().post<{ results: UrlAnswer[] }>("v1/lookup", { urls });
      answers = body.results;
      ctx.print(body, (b) => b.results.map(formatUrlAnswer).join("\n"));
    }
    return answers.some((a) => a.error) ? EXIT_FAILURE : 0;
  },
});
