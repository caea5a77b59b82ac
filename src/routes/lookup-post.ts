import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { lookupUrls, serializeLookups } from "../flows/lookup-urls";
import { LIMITS } from "../http/limits";
import { readSession, speedConfig } from "../http/read-path";
import { json, jsonBody, jsonText, problemResponses, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { UrlLookupSchema } from "./lookup-get";

const LookupBatchSchema = z
  .strictObject({ urls: z.array(z.string().max(LIMITS.urlLength)).min(1).max(LIMITS.lookupUrls) })
  .meta({ id: "LookupBatchRequest" });

const LookupResultsSchema = z.object({ results: z.array(UrlLookupSchema) }).meta({ id: "LookupBatchResponse" });

const route = createRoute({
  method: "post",
  path: "/v1/lookup",
  summary: `Look up to ${LIMITS.lookupUrls} URLs; one result per URL, in order (a bad URL gets its own error)`,
  middleware: [rateLimited("batch"), jsonBody(LIMITS.lookupBytes)] as const,
  request: { body: { content: { "application/json": { schema: LookupBatchSchema } }, required: true } },
  responses: { 200: json(LookupResultsSchema, "Results in request order"), ...problemResponses },
});

export function lookupPost(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const cfg = speedConfig(c.env);
    const session = readSession(c);
    const results = await lookupUrls(session.db, body.urls, (i) => ["urls", i], { filter: cfg.urlFilter, freshnessMs: cfg.freshnessMs, forceFresh: session.bookmarked });
    session.finish(c);
    // The same bytes as c.json({ results }), written without stringifying every negative answer.
    return jsonText<z.infer<typeof LookupResultsSchema>>(c, serializeLookups(results));
  });
}
