import { z } from "zod";
import { lookupUrls } from "../flows/lookup-urls";
import { LIMITS } from "../http/limits";
import { Problem } from "../http/problem";
import { defineRoute, json, problemResponses, validate, type App } from "../http/route";

const LookupQuerySchema = z.strictObject({ url: z.string().min(1).max(LIMITS.urlLength) });

export const UrlLookupSchema = z
  .object({
    url: z.string(),
    normalized: z.string().optional(),
    opted_out: z.boolean().optional(),
    preferences: z.record(z.string(), z.enum(["y", "n", "unknown"])).optional(),
    content_usage: z.string().optional().describe("Ready value for an IETF AIPREF Content-Usage header"),
    declarations: z
      .array(
        z.object({
          id: z.string(),
          pattern: z.string(),
          kind: z.enum(["exact", "prefix", "host"]),
          verification: z.enum(["domain-verified", "self-asserted"]),
          declarant: z.string(),
          controller: z.string().nullable(),
          preferences: z.record(z.string(), z.enum(["y", "n"])),
        }),
      )
      .optional(),
    error: z.object({ pointer: z.string(), detail: z.string() }).optional(),
  })
  .meta({ id: "UrlLookup" });

export function lookupGet(app: App) {
  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/lookup",
      summary: "Effective preferences for one URL, the declarations behind them and a Content-Usage value",
      request: { query: LookupQuerySchema },
      responses: { 200: json(UrlLookupSchema, "The answer"), 422: problemResponses[422] },
    },
    async (c) => {
      const q = validate(LookupQuerySchema, c.req.query());
      const [result] = await lookupUrls(c.env.DB, [q.url], () => ["url"]);
      if ("error" in result!) throw Problem.invalid([result.error]);
      c.header("content-usage", result!.content_usage);
      return c.json(result!);
    },
  );
}
