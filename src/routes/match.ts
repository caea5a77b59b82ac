import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { AgentCitationSchema, ConflictCitationSchema, VerificationSchema } from "./citation-schemas";
import { matchIscc } from "../flows/match-iscc";
import { LIMITS } from "../http/limits";
import { readSession } from "../http/read-path";
import { json, jsonBody, problemResponses, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { similarityIndex } from "../similarity/select-index";
import { registryVersion } from "../store/registry-reads";
import { DEFAULT_MAX_DISTANCE, MAX_DISTANCE } from "../similarity/bands";

const MatchRequestSchema = z
  .strictObject({
    iscc: z.array(z.string().min(1).max(512)).min(1).max(LIMITS.matchCodes),
    max_distance: z
      .number()
      .int()
      .min(0)
      .max(MAX_DISTANCE)
      .default(DEFAULT_MAX_DISTANCE)
      .describe(`Hamming distance over the first 64 bits; default ${DEFAULT_MAX_DISTANCE}, at most ${MAX_DISTANCE}`),
  })
  .meta({ id: "MatchRequest" });

const PreferencesOut = z.record(z.string(), z.enum(["y", "n", "unknown"]));
const MatchResponseSchema = z
  .object({
    max_distance: z.number().int(),
    backend: z.enum(["d1", "vectorize"]),
    registry_version: z
      .number()
      .int()
      .optional()
      .describe(
        "The registry version (highest declaration seq) these answers reflect at least: every declaration, update and revocation up to it counts. The d1 backend only (Vectorize indexes asynchronously); a client keeping answers asks GET /v1/feed?after= for what changed since",
      ),
    results: z.array(
      z.object({
        iscc: z.string(),
        error: z.object({ pointer: z.string(), detail: z.string() }).optional(),
        opted_out: z.boolean().optional(),
        preferences: PreferencesOut.optional(),
        content_usage: z.string().optional(),
        matches: z
          .array(
            z.object({
              declaration: z
                .object({ verification: VerificationSchema, agent: AgentCitationSchema })
                .catchall(z.unknown())
                .describe("The matching declaration: id, status, declarant, controller, its label (verification), agent, vocabulary and preferences"),
              decides: z.boolean(),
              verification: VerificationSchema.describe(
                "The citation's label, the same as declaration.verification: self-asserted (content subjects are never domain-verified), or for an agent's declaration agent-mandated / agent-asserted; a y here is cited, never consent",
              ),
              units: z.array(z.object({ unit_type: z.string(), query: z.string(), declared: z.string(), distance: z.number(), similarity: z.number() })),
            }),
          )
          .optional(),
        conflicts: z.array(ConflictCitationSchema).optional().describe("Conflicts involving the matching declarations: the answer is disputed"),
      }),
    ),
  })
  .meta({ id: "MatchResponse" });

const route = createRoute({
  method: "post",
  path: "/v1/match",
  summary: `Match up to ${LIMITS.matchCodes} ISCC codes against declared units (similarity) and datahashes`,
  middleware: [rateLimited("batch"), jsonBody(LIMITS.matchBytes)] as const,
  request: { body: { content: { "application/json": { schema: MatchRequestSchema } }, required: true } },
  responses: { 200: json(MatchResponseSchema, "One result per code, in order"), ...problemResponses },
});

export function match(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    // Reads go through a D1 session (read replicas; x-d1-bookmark for read-your-writes); the
    // similarity backend only prepares and batches statements, which a session offers too.
    const session = readSession(c);
    const db = session.db as D1Database;
    const index = similarityIndex({ ...c.env, DB: db }, (work) => c.executionCtx.waitUntil(work));
    // Read before matching, in the same session: the answers then reflect at least this version.
    const version = index.backend === "d1" ? await registryVersion(db) : undefined;
    const results = await matchIscc(db, index, body.iscc, body.max_distance);
    session.finish(c);
    return c.json({ max_distance: body.max_distance, backend: index.backend, ...(version !== undefined ? { registry_version: version } : {}), results }, 200);
  });
}
