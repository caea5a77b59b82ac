import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { AgentCitationSchema, ConflictCitationSchema, VerificationSchema } from "./citation-schemas";
import { declaredUrls, versionTag } from "../filter/declared-urls";
import { annotateLookups, answer, coveringRulesOf, parseLookupUrl, type UrlLookup } from "../flows/lookup-urls";
import { lookupIdentifiers, parseIdentifierParam } from "../flows/lookup-identifiers";
import { IDENTIFIER_KINDS, IDENTIFIER_MAX_LENGTH, type IdentifierKind } from "../domain/work-identifier";
import { LIMITS } from "../http/limits";
import { Problem } from "../http/problem";
import { readSession, speedConfig } from "../http/read-path";
import { json, paramProblems, type App, type Ctx } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { defaultCache } from "../runtime/default-cache";

const EXAMPLES: Record<IdentifierKind, string> = {
  isrc: "US-RC1-76-07839",
  iswc: "T-034.524.680-1",
  isni: "0000 0001 2103 2683",
  isbn: "978-0-306-40615-7",
  doi: "10.1000/182",
};

/** Exactly one subject per request: a URL or one work identifier (POST /v1/lookup takes many). */
export const LookupQuerySchema = z.strictObject({
  url: z.string().min(1).max(LIMITS.urlLength).optional().describe("A URL"),
  ...(Object.fromEntries(
    IDENTIFIER_KINDS.map((k) => [
      k,
      z.string().min(1).max(IDENTIFIER_MAX_LENGTH).optional().describe(`An ${k.toUpperCase()} in any usual spelling, e.g. ${EXAMPLES[k]}`),
    ]),
  ) as Record<IdentifierKind, z.ZodOptional<z.ZodString>>),
});
const SUBJECTS = ["url", ...IDENTIFIER_KINDS] as const;

/** What every lookup answer says after its subject: the combined outcome, or the subject's error. */
const answerFields = {
  opted_out: z.boolean().optional(),
  preferences: z
    .record(z.string(), z.enum(["y", "n", "unknown"]))
    .optional()
    .describe("Combined outcome per category of the current vocabulary (train-ai, draft-ai-use, search), whatever vocabulary each declaration used"),
  content_usage: z.string().optional().describe("Ready value for an IETF AIPREF Content-Usage header (settled tokens only)"),
};
const errorField = { error: z.object({ pointer: z.string(), detail: z.string() }).optional() };

/** What every cited declaration says after what matched. */
const citationFields = {
  declarant: z.string(),
  controller: z.string().nullable(),
  vocabulary: z.number().int().describe("The vocabulary of this declaration's own preferences (1: draft-ietf-aipref-vocab-02)"),
  preferences: z.record(z.string(), z.enum(["y", "n"])).describe("As the declaration states them, in its vocabulary"),
};

export const UrlLookupSchema = z
  .object({
    url: z.string(),
    normalized: z.string().optional(),
    ...answerFields,
    declarations: z
      .array(
        z.object({
          id: z.string(),
          pattern: z.string(),
          kind: z.enum(["exact", "prefix", "host"]),
          verification: VerificationSchema,
          ...citationFields,
          agent: AgentCitationSchema,
          policy: z.string().nullable().describe("The declaration's policy URL (its licensing terms), or null"),
        }),
      )
      .optional(),
    conflicts: z.array(ConflictCitationSchema).optional().describe("Conflicts involving the cited declarations: the answer is disputed"),
    ...errorField,
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

export const IdentifierLookupSchema = z
  .object({
    identifier: z.string().describe("The identifier as asked, kind:value"),
    normalized: z.string().optional().describe("kind:value in canonical form: what was matched"),
    ...answerFields,
    declarations: z
      .array(
        z.object({
          id: z.string(),
          identifier: z.string().describe("The declared identifier that matched, kind:value in canonical form"),
          verification: z.enum(["self-asserted"]).describe("Identifier subjects are never verified: nothing proves who holds a work's rights"),
          ...citationFields,
        }),
      )
      .optional(),
    ...errorField,
  })
  .meta({ id: "IdentifierLookup" });

const route = createRoute({
  method: "get",
  path: "/v1/lookup",
  summary: "Effective preferences for one URL or one work identifier (?isrc=, ?iswc=, ?isni=, ?isbn=, ?doi=), the declarations behind them and a Content-Usage value",
  middleware: [rateLimited("lookup")] as const,
  request: { query: LookupQuerySchema },
  responses: { 200: json(z.union([UrlLookupSchema, IdentifierLookupSchema]), "The answer: a UrlLookup for ?url=, an IdentifierLookup otherwise"), ...paramProblems },
});

export function lookupGet(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const given = SUBJECTS.filter((k) => q[k] !== undefined);
    if (given.length !== 1)
      throw Problem.invalid(
        given.length === 0
          ? [{ pointer: "", detail: `give one of ${SUBJECTS.join(", ")}` }]
          : given.slice(1).map((k) => ({ pointer: `/${k}`, detail: `one subject per request (${given[0]} is given): POST /v1/lookup takes many` })),
      );
    if (q.url === undefined) {
      const kind = given[0] as IdentifierKind;
      const parsed = parseIdentifierParam(kind, q[kind]!, [kind]);
      if ("error" in parsed) throw Problem.invalid([parsed.error]);
      const session = readSession(c);
      const [result] = await lookupIdentifiers(session.db, [parsed]);
      session.finish(c);
      c.header("content-usage", (result as { content_usage: string }).content_usage);
      return c.json(result!, 200);
    }
    const parsed = parseLookupUrl(q.url, ["url"]);
    if ("error" in parsed) throw Problem.invalid([parsed.error]);
    const cfg = speedConfig(c.env);
    const session = readSession(c);
    let result: UrlLookup;
    // With a bookmark the client expects its own writes: D1 through the bookmarked session decides.
    // An old or missing filter is refreshed in this request's background; it answers meanwhile.
    const filter = cfg.urlFilter && !session.bookmarked && (await declaredUrls.refresh(session.db, cfg.freshnessMs, (load) => c.executionCtx.waitUntil(load)));
    if (filter && !declaredUrls.mayCover(parsed.key, parsed.host)) {
      // Certainly not declared (the filter has no false negatives): no storage touched.
      result = answer(parsed.url, parsed.normalized, []);
    } else {
      result = await cachedLookup(c, cfg.lookupCache && filter, parsed, async () => {
        const { rules: [rules], conflicts } = await coveringRulesOf(session.db, [parsed], filter);
        const found = answer(parsed.url, parsed.normalized, rules!);
        await annotateLookups(session.db, [found], rules!, conflicts);
        return found;
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
  const cache = defaultCache();
  if (!enabled || !version || !cache) return compute();
  const key = new Request(`https://lookup-cache.invalid/v1/lookup/${versionTag(version)}?url=${encodeURIComponent(p.normalized)}`);
  const hit = await cache.match(key);
  if (hit) return { ...((await hit.json()) as UrlLookup), url: p.url };
  const result = await compute();
  const put = cache.put(key, new Response(JSON.stringify(result), { headers: { "content-type": "application/json", "cache-control": "max-age=300" } }));
  c.executionCtx.waitUntil(put);
  return result;
}
