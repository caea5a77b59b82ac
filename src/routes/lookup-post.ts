import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { lookupUrls, serializeLookups } from "../flows/lookup-urls";
import { lookupIdentifiers, parseIdentifierToken } from "../flows/lookup-identifiers";
import { IDENTIFIER_MAX_LENGTH } from "../domain/work-identifier";
import { LIMITS } from "../http/limits";
import { readSession, speedConfig } from "../http/read-path";
import { json, jsonBody, jsonText, problemResponses, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { IdentifierLookupSchema, UrlLookupSchema } from "./lookup-get";

export const LookupBatchSchema = z
  .strictObject({
    urls: z.array(z.string().max(LIMITS.urlLength)).max(LIMITS.lookupUrls).optional(),
    identifiers: z
      .array(z.string().max(IDENTIFIER_MAX_LENGTH + 5))
      .max(LIMITS.lookupIdentifiers)
      .optional()
      .describe("Work identifiers as kind:value in any usual spelling, e.g. isrc:US-RC1-76-07839, isbn:0-306-40615-2, doi:10.1000/182"),
  })
  .refine((b) => (b.urls?.length ?? 0) + (b.identifiers?.length ?? 0) > 0, { message: "give at least one URL in urls or one identifier in identifiers" })
  .meta({ id: "LookupBatchRequest" });

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

export function lookupPost(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
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
