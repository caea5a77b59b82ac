import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { DeclarationSchema } from "../domain/declaration-schema";
import { agentCitations } from "../flows/agency-labels";
import { registerSubmitted, rejectionProblem } from "../flows/register-declarations";
import { readBody } from "../http/body";
import { LIMITS } from "../http/limits";
import { Problem, problemBody } from "../http/problem";
import { json, openapiOwnBody, problemResponses, ProblemSchema, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { AgentCitationSchema } from "./citation-schemas";

const ItemResultSchema = z.object({
  index: z.number().int(),
  outcome: z.enum(["created", "exists", "invalid", "rejected"]),
  id: z.string().optional(),
  seq: z.number().int().optional(),
  digest: z.string().optional(),
  status: z.enum(["active", "superseded", "revoked"]).optional(),
  receipt: z.record(z.string(), z.unknown()).optional(),
  problem: ProblemSchema.optional(),
  agent: AgentCitationSchema.optional().describe("For a registered declaration an agent made for a member (`on_behalf_of`): its label and mandate now"),
});

const BatchResponseSchema = z
  .object({
    results: z.array(ItemResultSchema),
    created: z.number().int(),
    exists: z.number().int(),
    failed: z.number().int(),
  })
  .meta({ id: "BatchRegistration" });

type Parsed = { ok: true; value: unknown } | { ok: false; problem: Problem };

/**
 * NDJSON (one declaration a line, blank lines ignored) or a JSON array. Items are not validated
 * here: each goes through registration's own check, which parses it with the DeclarationSchema
 * this route documents, so one bad item fails alone with its pointer (`/3/iscc`). A line that is not JSON
 * fails alone; a body that is neither is refused whole.
 */
function parseBatch(text: string, contentType: string): Parsed[] {
  if (contentType.includes("ndjson") || contentType.includes("jsonl")) {
    return text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((line, i) => {
        try {
          return { ok: true, value: JSON.parse(line) };
        } catch (e) {
          return { ok: false, problem: Problem.field(`/${i}`, `line ${i + 1} is not valid JSON: ${(e as Error).message}`) };
        }
      });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Problem("malformed-json", `The body is neither NDJSON (application/x-ndjson) nor a JSON array: ${(e as Error).message}`);
  }
  if (!Array.isArray(value)) throw Problem.field("", "must be a JSON array of declarations (or send application/x-ndjson)");
  return value.map((v) => ({ ok: true, value: v }));
}

const route = createRoute({
  method: "post",
  path: "/v1/declarations/batch",
  summary: `Register up to ${LIMITS.batchDeclarations} declarations (NDJSON or JSON array); one result per item, in order`,
  middleware: [rateLimited("registration")] as const,
  request: {
    body: {
      content: {
        "application/json": { schema: z.array(DeclarationSchema).max(LIMITS.batchDeclarations) },
        "application/x-ndjson": { schema: z.string().describe("One declaration per line") },
      },
      required: true,
    },
  },
  responses: { 200: json(BatchResponseSchema, "Per-item results, in request order"), ...problemResponses },
});

/** The body is read here, not by zod-openapi: NDJSON, and per-item results (see parseBatch). */
export function declarationsBatch(app: App) {
  openapiOwnBody(app, route, async (c) => {
    const contentType = c.req.header("content-type") ?? "";
    if (!/json|jsonl/i.test(contentType))
      throw new Problem("unsupported-media-type", "Send application/x-ndjson (one declaration a line) or application/json (an array)");
    const text = await readBody(c.req.raw, LIMITS.batchBytes);
    const items = parseBatch(text, contentType);
    if (items.length === 0) throw Problem.field("", "the batch is empty");
    if (items.length > LIMITS.batchDeclarations)
      throw new Problem("batch-too-large", `${items.length} declarations; at most ${LIMITS.batchDeclarations} per batch`, [
        { pointer: "", detail: `at most ${LIMITS.batchDeclarations} items` },
      ]);
    const good = items.flatMap((it, index) => (it.ok ? [{ index, value: it.value }] : []));
    const outcomes = await registerSubmitted(c.env, good.map((g) => g.value), (i) => [good[i]!.index]);
    const byIndex = new Map(good.map((g, i) => [g.index, outcomes[i]!]));
    // An agent sees at once on what authority its declarations speak (one read, only when some name a member).
    const onBehalf = good.flatMap((g, i) => {
      const o = outcomes[i]!;
      return (o.outcome === "created" || o.outcome === "exists") && (g.value as { on_behalf_of?: unknown }).on_behalf_of !== undefined ? [o.id] : [];
    });
    const agents = await agentCitations(c.env.DB, onBehalf);
    const results = items.map((it, index) => {
      if (!it.ok) return { index, outcome: "invalid" as const, problem: problemBody(it.problem, c.req.url) };
      const o = byIndex.get(index)!;
      if (o.outcome === "invalid") return { index, outcome: o.outcome, problem: problemBody(o.problem, c.req.url) };
      if (o.outcome === "rejected") return { index, outcome: o.outcome, problem: problemBody(rejectionProblem(o), c.req.url) };
      const agent = agents.get(o.id);
      return { index, outcome: o.outcome, id: o.id, seq: o.seq, digest: o.digest, status: o.status, receipt: { ...o.receipt }, ...(agent ? { agent } : {}) };
    });
    const count = (k: string) => results.filter((r) => r.outcome === k).length;
    return c.json({ results, created: count("created"), exists: count("exists"), failed: count("invalid") + count("rejected") }, 200);
  });
}
