import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { AgentCitation } from "../domain/agency";
import { agentCitations } from "../flows/agency-labels";
import { AgentCitationSchema } from "./citation-schemas";
import { parseIscc } from "../iscc/index";
import { notFound } from "../http/problem";
import { json, paramProblems, problemDoc, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { declarationView } from "../store/declaration-view";
import { findDeclaration, urlSubjectsOf } from "../store/declarations-read";

export const DeclarationViewSchema = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    digest: z.string(),
    status: z.enum(["active", "superseded", "revoked"]),
    intent: z.enum(["activate", "update", "revoke"]),
    supersedes: z.string().nullable(),
    on_behalf_of: z.string().nullable().describe("The member an agent declared for, or null"),
    agent: AgentCitationSchema,
    declarant: z.string(),
    controller: z.string().nullable(),
    controller_verified: z.boolean(),
    origin: z.string(),
    registered_at: z.string(),
    declaration: z.record(z.string(), z.unknown()),
    receipt: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "StoredDeclaration" });

export const DeclarationDetailSchema = DeclarationViewSchema.extend({
  url_subjects: z
    .array(z.object({ pattern: z.string(), kind: z.enum(["exact", "prefix", "host"]), verification: z.enum(["domain-verified", "self-asserted"]) }))
    .describe("The URL subjects as registered, each with the trust label lookups cite it with (none for a revocation, whose URLs match nothing)"),
}).meta({ id: "DeclarationDetail" });
export type DeclarationDetail = z.infer<typeof DeclarationDetailSchema>;

/** Views with the agency of agents' declarations now (flows/agency-labels.ts); `agent` is null for declarants' own. */
export async function withAgents<V extends { id: string; on_behalf_of: string | null }>(d1: D1Database, views: V[]): Promise<(V & { agent: AgentCitation | null })[]> {
  const agents = await agentCitations(d1, views.filter((v) => v.on_behalf_of !== null).map((v) => v.id));
  return views.map((v) => ({ ...v, agent: agents.get(v.id) ?? null }));
}

/** An id in any notation the codec accepts, or a digest; anything else cannot name a declaration. */
export function canonicalIdOrDigest(value: string): string | null {
  if (/^[0-9a-f]{64}$/i.test(value)) return value.toLowerCase();
  try {
    return parseIscc(value).code;
  } catch {
    return null;
  }
}

/** The path parameter naming a declaration (by id or digest; a value naming none is a 404, not a 422). */
export const IdParam = z.object({ id: z.string().max(128).describe("ISCC-ID (ISCC:MAI…) or hex digest") });

const route = createRoute({
  method: "get",
  path: "/v1/declarations/{id}",
  summary: "A declaration by ISCC-ID or digest, with its receipt and status",
  middleware: [rateLimited("lookup")] as const,
  request: { params: IdParam, query: z.strictObject({}) },
  responses: { 200: json(DeclarationDetailSchema, "The declaration"), 404: problemDoc("Unknown id or digest"), ...paramProblems },
});

export function declarationsGet(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const key = canonicalIdOrDigest(id);
    const row = key ? await findDeclaration(c.env.DB, key) : undefined;
    if (!row) throw notFound(`No declaration with id or digest ${id}`);
    const [view] = await withAgents(c.env.DB, [declarationView(row)]);
    return c.json({ ...view!, url_subjects: await urlSubjectsOf(c.env.DB, row.seq) }, 200);
  });
}
