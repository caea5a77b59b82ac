import { z } from "zod";
import { lookupUrls, serializeLookups } from "../flows/lookup-urls";
import { readJson } from "../http/body";
import { LIMITS } from "../http/limits";
import { readSession, speedConfig } from "../http/read-path";
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
      const cfg = speedConfig(c.env);
      const session = readSession(c);
      const results = await lookupUrls(session.db, body.urls, (i) => ["urls", i], { filter: cfg.urlFilter, freshnessMs: cfg.freshnessMs, forceFresh: session.bookmarked });
      session.finish(c);
      // The same bytes as c.json({ results }), written without stringifying every negative answer.
      return c.body(serializeLookups(results), 200, { "content-type": "application/json" });
    },
  );
}
