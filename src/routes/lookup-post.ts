import { z } from "zod";
import { lookupUrls } from "../flows/lookup-urls";
import { readJson } from "../http/body";
import { LIMITS } from "../http/limits";
import { defineRoute, json, problemResponses, validate, type App } from "../http/route";
import { UrlLookupSchema } from "./lookup-get";

const LookupBatchSchema = z
  .strictObject({ urls: z.array(z.string().max(LIMITS.urlLength)).min(1).max(LIMITS.lookupUrls) })
  .meta({ id: "LookupBatchRequest" });

export function lookupPost(app: App) {
  defineRoute(
    app,
    {
      method: "post",
      path: "/v1/lookup",
      summary: `Look up to ${LIMITS.lookupUrls} URLs; one result per URL, in order (a bad URL gets its own error)`,
      request: { body: { content: { "application/json": { schema: LookupBatchSchema } }, required: true } },
      responses: { 200: json(z.object({ results: z.array(UrlLookupSchema) }), "Results in request order"), ...problemResponses },
    },
    async (c) => {
      const body = validate(LookupBatchSchema, await readJson(c.req.raw, LIMITS.lookupBytes));
      return c.json({ results: await lookupUrls(c.env.DB, body.urls, (i) => ["urls", i]) });
    },
  );
}
