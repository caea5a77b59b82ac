import { z } from "zod";
import { isOptedIn } from "../domain/preferences";
import { lookupUrls } from "../flows/lookup-urls";
import { readBody } from "../http/body";
import { LIMITS } from "../http/limits";
import { readSession, speedConfig } from "../http/read-path";
import { Problem } from "../http/problem";
import { defineRoute, json, problemResponses, type App } from "../http/route";

const SpawningResponseSchema = z
  .object({ urls: z.array(z.object({ url: z.string(), optOut: z.boolean(), optIn: z.boolean() })) })
  .meta({ id: "SpawningQueryResponse" });

/**
 * Drop-in for Spawning's "Do Not Train" URL query, so crawlers already wired to it can switch by
 * changing the host. optOut: AI training is refused (train-ai is n); optIn: train-ai is
 * explicitly y. A line that is not a valid URL is answered with both false, as Spawning does
 * for unknown URLs, rather than failing the whole request.
 */
export function spawningQuery(app: App) {
  defineRoute(
    app,
    {
      method: "post",
      path: "/api/v2/query/urls/",
      summary: "Spawning-compatible URL query: text/plain, one URL a line",
      request: { body: { content: { "text/plain": { schema: z.string().describe("One URL per line") } }, required: true } },
      responses: { 200: json(SpawningResponseSchema, "One entry per line, in order"), ...problemResponses },
    },
    async (c) => {
      const text = await readBody(c.req.raw, LIMITS.lookupBytes);
      const urls = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
      if (urls.length === 0) throw Problem.field("", "no URLs: send one URL per line");
      if (urls.length > LIMITS.lookupUrls)
        throw new Problem(413, "batch-too-large", "Too many URLs", `${urls.length} URLs; at most ${LIMITS.lookupUrls} per request`);
      const cfg = speedConfig(c.env);
      const session = readSession(c);
      const results = await lookupUrls(session.db, urls, (i) => [i], { filter: cfg.urlFilter, freshnessMs: cfg.freshnessMs, forceFresh: session.bookmarked });
      session.finish(c);
      // The same bytes as c.json({ urls: [{ url, optOut, optIn }, …] }), by concatenation.
      let out = '{"urls":[';
      for (let i = 0; i < results.length; i++) {
        const r = results[i]!;
        const optOut = "error" in r ? false : r.opted_out;
        const optIn = "error" in r ? false : isOptedIn(r.preferences);
        out += (i > 0 ? ',{"url":' : '{"url":') + JSON.stringify(r.url) + ',"optOut":' + optOut + ',"optIn":' + optIn + "}";
      }
      return c.body(out + "]}", 200, { "content-type": "application/json" });
    },
  );
}
