import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { MandateSchema } from "../domain/mandate-schema";
import { registerSubmitted, rejectionProblem } from "../flows/register-declarations";
import { checkSubmittedMandate } from "../flows/register-mandates";
import { decodeCursor, encodeCursor } from "../http/cursor";
import { LIMITS } from "../http/limits";
import { notFound } from "../http/problem";
import { json, jsonBody, paramProblems, problemDoc, problemResponses, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import type { DeclarationRow } from "../store/declaration-view";
import { findMandate, listMandates } from "../store/mandates-read";
import { canonicalIdOrDigest } from "./declarations-get";
import { ReceiptResponseSchema } from "./declarations-create";

const MandateViewSchema = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    digest: z.string(),
    status: z.enum(["active", "superseded", "revoked"]).describe("A grant is active until a revoke by its member or its agent; a revoke is always active"),
    intent: z.enum(["activate", "revoke"]),
    supersedes: z.string().nullable(),
    member: z.string().nullable(),
    agent: z.string().nullable(),
    valid_from: z.string().nullable(),
    valid_until: z.string().nullable(),
    in_force: z.boolean().describe("Active and within its validity period now: what labels its agent's declarations agent-mandated"),
    declarant: z.string(),
    origin: z.string(),
    registered_at: z.string(),
    mandate: z.record(z.string(), z.unknown()),
    receipt: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "StoredMandate" });

function mandateView(row: DeclarationRow, nowMs = Date.now()) {
  const m = JSON.parse(row.body) as Record<string, string | undefined>;
  const validFrom = m.intent === "activate" ? (m.valid_from ?? m.timestamp!) : null;
  const validUntil = m.valid_until ?? null;
  return {
    id: row.id,
    seq: row.seq,
    digest: row.digest,
    status: row.status,
    intent: row.intent as "activate" | "revoke",
    supersedes: row.supersedes,
    member: m.member ?? null,
    agent: m.agent ?? null,
    valid_from: validFrom,
    valid_until: validUntil,
    in_force: row.intent === "activate" && row.status === "active" && Date.parse(validFrom!) <= nowMs && nowMs < Date.parse(validUntil!),
    declarant: row.declarant,
    origin: row.origin,
    registered_at: row.registeredAt,
    mandate: JSON.parse(row.body) as Record<string, unknown>,
    receipt: JSON.parse(row.receipt) as Record<string, unknown>,
  };
}

const ListQuerySchema = z.strictObject({
  member: z.string().max(256).optional().describe("Grants of this member (key or did:web, as the mandate names it)"),
  agent: z.string().max(256).optional().describe("Grants to this agent"),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(LIMITS.pageSize),
});

const MandatePageSchema = z.object({ mandates: z.array(MandateViewSchema), next_cursor: z.string().nullable() }).meta({ id: "MandatePage" });

const IdParam = z.object({ id: z.string().max(128).describe("ISCC-ID (ISCC:MAI…) or hex digest") });

const createMandate = createRoute({
  method: "post",
  path: "/v1/mandates",
  summary: "Register a signed mandate (a member's grant to an agent) or its revocation (by the member or the agent)",
  middleware: [rateLimited("registration"), jsonBody(LIMITS.declarationBytes)] as const,
  request: { body: { content: { "application/json": { schema: MandateSchema } }, required: true } },
  responses: {
    201: json(ReceiptResponseSchema, "Registered"),
    200: json(ReceiptResponseSchema, "Already registered: the same receipt"),
    403: problemDoc("The signer is not the member (grant), or neither the member nor the agent (revoke)"),
    404: problemDoc("`supersedes` names no mandate"),
    409: problemDoc("The mandate is already revoked"),
    ...problemResponses,
  },
});

const listMandatesRoute = createRoute({
  method: "get",
  path: "/v1/mandates",
  summary: "Mandates granted by a member or to an agent, in registry order, cursor-paginated",
  middleware: [rateLimited("lookup")] as const,
  request: { query: ListQuerySchema },
  responses: { 200: json(MandatePageSchema, "One page"), ...paramProblems },
});

const getMandate = createRoute({
  method: "get",
  path: "/v1/mandates/{id}",
  summary: "A mandate (or a revocation of one) by ISCC-ID or digest, with its receipt, status and whether it is in force",
  middleware: [rateLimited("lookup")] as const,
  request: { params: IdParam, query: z.strictObject({}) },
  responses: { 200: json(MandateViewSchema, "The mandate"), 404: problemDoc("Unknown id or digest"), ...paramProblems },
});

export function mandatesRoutes(app: App) {
  app.openapi(createMandate, async (c) => {
    const [result] = await registerSubmitted(c.env, [c.req.valid("json")], () => [], checkSubmittedMandate);
    if (result!.outcome === "invalid") throw result!.problem;
    if (result!.outcome === "rejected") throw rejectionProblem(result!);
    const { id, seq, digest, status, receipt } = result!;
    return c.json({ id, seq, digest, status, receipt: { ...receipt } }, result!.outcome === "created" ? 201 : 200);
  });
  app.openapi(listMandatesRoute, async (c) => {
    const q = c.req.valid("query");
    const rows = await listMandates(c.env.DB, { member: q.member, agent: q.agent }, decodeCursor(q.cursor), q.limit);
    const last = rows.at(-1);
    return c.json({ mandates: rows.map((r) => mandateView(r.d)), next_cursor: rows.length === q.limit && last ? encodeCursor(last.d.seq) : null }, 200);
  });
  app.openapi(getMandate, async (c) => {
    const { id } = c.req.valid("param");
    const key = canonicalIdOrDigest(id);
    const row = key ? await findMandate(c.env.DB, key) : undefined;
    if (!row) throw notFound(`No mandate with id or digest ${id}`);
    return c.json(mandateView(row), 200);
  });
}
