import { isIdentifierKind } from "../../domain/work-identifier";
import { defineCommand } from "../command";
import { CliError, EXIT_FAILURE, EXIT_USAGE } from "../errors";
import { formatUrlAnswer, type IdentifierAnswer, type UrlAnswer } from "../render";

/** `kind:value` (isrc:…, doi:…) names a work identifier; anything else is a URL. */
const isIdentifier = (arg: string) => isIdentifierKind(arg.slice(0, Math.max(0, arg.indexOf(":"))).toLowerCase());

export default defineCommand({
  name: "lookup",
  args: "<url | kind:identifier>...",
  summary: "effective preferences for URLs and work identifiers (isrc:, iswc:, isni:, isbn:, doi:), with a Content-Usage value",
  flags: {
    snapshot: {
      type: "string",
      value: "FILE",
      help: "check URLs against the registry's signed offline snapshot first (downloaded to FILE if missing); only possible matches go to the API",
    },
  },
  async run(ctx, args) {
    const identifiers = args.filter(isIdentifier);
    const urls = args.filter((a) => !isIdentifier(a));
    let answers: (UrlAnswer | IdentifierAnswer)[];
    if (ctx.flags.snapshot !== undefined) {
      if (identifiers.length) throw new CliError("--snapshot holds URL keys only: look identifiers up without it", EXIT_USAGE);
      const { lookupWithSnapshot } = await import("../snapshot");
      const r = await lookupWithSnapshot(ctx.registry(), ctx.flags.snapshot, urls);
      answers = r.answers;
      ctx.print({ snapshot_version: r.version, results: r.answers }, () => answers.map(formatUrlAnswer).join("\n"));
    } else if (args.length === 1) {
      const [arg] = args as [string];
      const colon = arg.indexOf(":");
      const query = identifiers.length ? `${arg.slice(0, colon).toLowerCase()}=${encodeURIComponent(arg.slice(colon + 1))}` : `url=${encodeURIComponent(arg)}`;
      const { body } = await ctx.registry().get<UrlAnswer | IdentifierAnswer>(`v1/lookup?${query}`);
      answers = [body];
      ctx.print(body, formatUrlAnswer);
    } else {
      const { body } = await ctx
        .registry()
        .post<{ results: UrlAnswer[]; identifiers?: IdentifierAnswer[] }>("v1/lookup", { ...(urls.length ? { urls } : {}), ...(identifiers.length ? { identifiers } : {}) });
      // Printed in the order they were given, URLs and identifiers mixed.
      const byUrl = [...body.results];
      const byIdentifier = [...(body.identifiers ?? [])];
      answers = args.map((a) => (isIdentifier(a) ? byIdentifier.shift()! : byUrl.shift()!));
      ctx.print(body, () => answers.map(formatUrlAnswer).join("\n"));
    }
    return answers.some((a) => a.error) ? EXIT_FAILURE : 0;
  },
});
