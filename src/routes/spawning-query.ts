import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { isOptedIn } from "../domain/preferences";
import { lookupUrls } from "../flows/lookup-urls";
import { readBody } from "../http/body";
import { LIMITS } from "../http/limits";
import { readSession, speedConfig } from "../http/read-path";
import { Problem } from "../http/problem";
import { json, jsonText, openapiOwnBody, problemResponses, type App, type Ctx } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { queryLines } from "../domain/query-lines";

const SpawningResponseSchema = z
  .object({ urls: z.array(z.object({ url: z.string(), optOut: z.boolean(), optIn: z.boolean() })) })
  .meta({ id: "SpawningQueryResponse" });

/**
 * Drop-in for Spawning's "Do Not Train" URL query, so crawlers already wired to it can switch by
 * changing the host. optOut: AI training is refused (train-ai is n); optIn: train-ai is
 * explicitly y. Clients match answers to their lines by position, so every line is answered, in
 * order: a blank or unparseable line with both false and the line itself as `url`, as Spawning does
 * for unknown URLs, rather than failing the whole request or being skipped.
 */
const routes = ["/api/v2/query/urls/", "/api/v2/query/urls"].map((path) =>
  createRoute({
    method: "post",
    path,
    summary: "Spawning-compatible URL query: text/plain, one URL a line (the path with or without its trailing slash)",
    middleware: [rateLimited("batch")] as const,
    request: { body: { content: { "text/plain": { schema: z.string().describe("One URL per line") } }, required: true } },
    responses: { 200: json(SpawningResponseSchema, "One entry per line, in order"), ...problemResponses },
  }),
);

/** The body is read here, not by zod-openapi: it is text/plain, one URL a line (queryLines). */
export function spawningQuery(app: App) {
  for (const route of routes) openapiOwnBody(app, route, answer);
}

async function answer(c: Ctx) {
  const type = c.req.header("content-type");
  if (type !== undefined && !/^text\/plain\s*(;|$)/i.test(type)) throw new Problem("unsupported-media-type", "Send the URLs as text/plain, one a line");
  const lines = queryLines(await readBody(c.req.raw, LIMITS.lookupBytes));
  if (lines.length > LIMITS.lookupUrls) throw new Problem("batch-too-large", `${lines.length} lines; at most ${LIMITS.lookupUrls} URLs per request`);
  const cfg = speedConfig(c.env);
  const session = readSession(c);
  const trimmed = lines.map((l) => l.trim());
  const results = await lookupUrls(session.db, trimmed, (i) => [i], { filter: cfg.urlFilter, freshnessMs: cfg.freshnessMs, forceFresh: session.bookmarked, background: (load) => c.executionCtx.waitUntil(load) });
  session.finish(c);
  // The same bytes as c.json({ urls: [{ url, optOut, optIn }, …] }), by concatenation; `url` is the line as sent.
  let out = '{"urls":[';
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    const optOut = "error" in r ? false : r.opted_out;
    const optIn = "error" in r ? false : isOptedIn(r.preferences);
    out += (i > 0 ? ',{"url":' : '{"url":') + JSON.stringify(lines[i]) + ',"optOut":' + optOut + ',"optIn":' + optIn + "}";
  }
  return jsonText<z.infer<typeof SpawningResponseSchema>>(c, out + "]}");
}
