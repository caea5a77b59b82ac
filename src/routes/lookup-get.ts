import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { declaredUrls, versionTag } from "../filter/declared-urls";
import { answer, parseLookupUrl, type UrlLookup } from "../flows/lookup-urls";
import { queryRules } from "../store/url-rules-lookup";
import { LIMITS } from "../http/limits";
import { Problem } from "../http/problem";
import { readSession, speedConfig } from "../http/read-path";
import { json, paramProblems, type App, type Ctx } from "../http/route";
import { rateLimited } from "../http/rate-limits";

const LookupQuerySchema = z.strictObject({ url: z.string().min(1).max(LIMITS.urlLength) });

export const UrlLookupSchema = z
  .object({
    url: z.string(),
    normalized: z.string().optional(),
    opted_out: z.boolean().optional(),
    preferences: z
      .record(z.string(), z.enum(["y", "n", "unknown"]))
      .optional()
      .describe("Combined outcome per category of the current vocabulary (train-ai, draft-ai-use, search), whatever vocabulary each declaration used"),
    content_usage: z.string().optional().describe("Ready value for an IETF AIPREF Content-Usage header (settled tokens only)"),
    declarations: z
      .array(
        z.object({
          id: z.string(),
          pattern: z.string(),
          kind: z.enum(["exact", "prefix", "host"]),
          verification: z.enum(["domain-verified", "self-asserted"]),
          declarant: z.string(),
          controller: z.string().nullable(),
          vocabulary: z.number().int().describe("The vocabulary of this declaration's own preferences (1: draft-ietf-aipref-vocab-02)"),
          preferences: z.record(z.string(), z.enum(["y", "n"])).describe("As the declaration states them, in its vocabulary"),
          policy: z.string().nullable().describe("The declaration's policy URL (its licensing terms), or null"),
        }),
      )
      .optional(),
    error: z.object({ pointer: z.string(), detail: z.string() }).optional(),
    dialects: z
      .object({
        "content-usage": z.string(),
        "content-signal": z.string(),
        "tdm-reservation": z.union([z.literal(1), z.literal(0)]).nullable(),
        "tdm-policy": z.string().nullable(),
        "rsl-prohibits": z.array(z.string()),
        "ai-txt": z.enum(["Allow", "Disallow"]).nullable(),
        "iptc-data-mining": z.string().nullable(),
        "cawg-training-mining": z.record(z.string(), z.enum(["allowed", "notAllowed"])),
      })
      .optional()
      .describe("When declarations cover the URL: the same preferences in each dialect (null where a dialect cannot say them); see README, Dialects"),
  })
  .meta({ id: "UrlLookup" });

const route = createRoute({
  method: "get",
  path: "/v1/lookup",
  summary: "Effective preferences for one URL, the declarations behind them and a Content-Usage value",
  middleware: [rateLimited("lookup")] as const,
  request: { query: LookupQuerySchema },
  responses: { 200: json(UrlLookupSchema, "The answer"), ...paramProblems },
});

export function lookupGet(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const parsed = parseLookupUrl(q.url, ["url"]);
    if ("error" in parsed) throw Problem.invalid([parsed.error]);
    const cfg = speedConfig(c.env);
    const session = readSession(c);
    let result: UrlLookup;
    // With a bookmark the client expects its own writes: D1 through the bookmarked session decides.
    const filter = cfg.urlFilter && !session.bookmarked && (await declaredUrls.refresh(session.db, cfg.freshnessMs));
    if (filter && !declaredUrls.mayCover(parsed.key, parsed.host)) {
      // Certainly not declared (the filter has no false negatives): no storage touched.
      result = answer(parsed.url, parsed.normalized, []);
    } else {
      result = await cachedLookup(c, cfg.lookupCache && filter, parsed, async () => {
        const [rules] = await queryRules(session.db, [parsed]);
        return answer(parsed.url, parsed.normalized, rules!);
      });
      session.finish(c);
    }
    if ("error" in result) return c.json(result, 200);
    c.header("content-usage", result.content_usage);
    const reservation = result.dialects?.["tdm-reservation"];
    if (reservation !== undefined && reservation !== null) c.header("tdm-reservation", String(reservation));
    if (result.dialects?.["tdm-policy"]) c.header("tdm-policy", result.dialects["tdm-policy"]);
    return c.json(result, 200);
  });
}

/**
 * The Cache API for answers that needed D1. The key holds the registry version, so a registration
 * or revocation makes every older entry unreachable as soon as this isolate sees the new version
 * (within FRESHNESS_MS): no purge is needed, old entries just expire. Keyed by the normalized URL,
 * so spellings of one URL share an entry; the answer's `url` is the caller's own spelling.
 */
async function cachedLookup(c: Ctx, enabled: boolean, p: { url: string; normalized: string }, compute: () => Promise<UrlLookup>): Promise<UrlLookup> {
  const version = declaredUrls.version;
  if (!enabled || !version || typeof caches === "undefined") return compute();
  const key = new Request(`https://lookup-cache.invalid/v1/lookup/${versionTag(version)}?url=${encodeURIComponent(p.normalized)}`);
  const cache = (caches as unknown as { default: Cache }).default;
  const hit = await cache.match(key);
  if (hit) return { ...((await hit.json()) as UrlLookup), url: p.url };
  const result = await compute();
  const put = cache.put(key, new Response(JSON.stringify(result), { headers: { "content-type": "application/json", "cache-control": "max-age=300" } }));
  c.executionCtx.waitUntil(put);
  return result;
}
