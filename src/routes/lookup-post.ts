import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { lookupUrls, serializeLookups } from "../flows/lookup-urls";
import { lookupIdentifiers, parseIdentifierToken } from "../flows/lookup-identifiers";
import { LIMITS } from "../http/limits";
import { readSession, speedConfig } from "../http/read-path";
import { json, jsonBody, jsonText, openapiOwnBody, problemResponses, validate, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { acceptedLookupBatch, LookupBatchSchema } from "./lookup-batch-body";
import { IdentifierLookupSchema, UrlLookupSchema } from "./lookup-get";

const LookupResultsSchema = z
  .object({
    results: z.array(UrlLookupSchema).describe("One per URL, in order (empty when the request had none)"),
    identifiers: z.array(IdentifierLookupSchema).optional().describe("One per identifier, in order, when the request had any"),
  })
  .meta({ id: "LookupBatchResponse" });

const route = createRoute({
  method: "post",
  path: "/v1/lookup",
  summary: `Look up to ${LIMITS.lookupUrls} URLs and ${LIMITS.lookupIdentifiers} work identifiers; one result per item, in order (a bad item gets its own error)`,
  middleware: [rateLimited("batch"), jsonBody(LIMITS.lookupBytes)] as const,
  request: { body: { content: { "application/json": { schema: LookupBatchSchema } }, required: true } },
  responses: { 200: json(LookupResultsSchema, "Results in request order"), ...problemResponses },
});

/**
 * The body is validated here rather than by zod-openapi: a body the schema certainly accepts is
 * taken as parsed (lookup-batch-body.ts), any other is validated by the same schema as before.
 */
export function lookupPost(app: App) {
  openapiOwnBody(app, route, async (c) => {
    const value: unknown = await c.req.json();
    const body = acceptedLookupBatch(value) ?? validate(LookupBatchSchema, value);
    const cfg = speedConfig(c.env);
    const session = readSession(c);
    const [results, identifiers] = await Promise.all([
      body.urls?.length
        ? lookupUrls(session.db, body.urls, (i) => ["urls", i], {
            filter: cfg.urlFilter,
            freshnessMs: cfg.freshnessMs,
            forceFresh: session.bookmarked,
            background: (load) => c.executionCtx.waitUntil(load),
          })
        : [],
      body.identifiers && lookupIdentifiers(session.db, body.identifiers.map((t, i) => parseIdentifierToken(t, ["identifiers", i]))),
    ]);
    session.finish(c);
    // The same bytes as c.json({ results, identifiers }), written without stringifying every negative answer.
    return jsonText<z.infer<typeof LookupResultsSchema>>(c, serializeLookups(results, identifiers));
  });
}
