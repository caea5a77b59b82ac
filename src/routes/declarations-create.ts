import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { DeclarationSchema } from "../domain/declaration-schema";
import { agentCitations } from "../flows/agency-labels";
import { checkSubmittedShaped, registerSubmitted, rejectionProblem } from "../flows/register-declarations";
import { LIMITS } from "../http/limits";
import { BOOKMARK_HEADER } from "../http/read-path";
import { json, jsonBody, problemDoc, problemResponses, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { AgentCitationSchema } from "./citation-schemas";

export const ReceiptResponseSchema = z
  .object({
    id: z.string().describe("ISCC-ID v1 given by the origin registry"),
    seq: z.number().int().describe("Position in this registry's order"),
    digest: z.string().describe("Hex SHA-256 of the canonical signed declaration"),
    status: z.enum(["active", "superseded", "revoked"]),
    receipt: z.record(z.string(), z.unknown()).describe("Registry-signed receipt (ISCC-SIG)"),
    agent: AgentCitationSchema.optional().describe("For a declaration an agent made for a member (`on_behalf_of`): its label and mandate now, as answers cite it"),
  })
  .meta({ id: "Registration" });

const route = createRoute({
  method: "post",
  path: "/v1/declarations",
  summary: "Register one signed declaration",
  middleware: [rateLimited("registration"), jsonBody(LIMITS.declarationBytes)] as const,
  request: { body: { content: { "application/json": { schema: DeclarationSchema } }, required: true } },
  responses: {
    201: json(ReceiptResponseSchema, "Registered"),
    200: json(ReceiptResponseSchema, "Already registered: the same receipt"),
    403: problemDoc("Update or revoke by another key"),
    404: problemDoc("`supersedes` names no declaration"),
    409: problemDoc("The superseded declaration is no longer active"),
    ...problemResponses,
  },
});

export function declarationsCreate(app: App) {
  app.openapi(route, async (c) => {
    // The schema checked the shape; registration checks it again with the semantic rules
    // (subjects, URL patterns, signature, time), which need the codec and the clock.
    const [result] = await registerSubmitted(c.env, [c.req.valid("json")], () => [], checkSubmittedShaped);
    if (result!.outcome === "invalid") throw result!.problem;
    if (result!.outcome === "rejected") throw rejectionProblem(result!);
    const { id, seq, digest, status, receipt, bookmark } = result!;
    // The sequencer's bookmark, taken right after its commit: read-your-writes needs no other.
    if (bookmark) c.header(BOOKMARK_HEADER, bookmark);
    const agent = c.req.valid("json").on_behalf_of !== undefined ? ((await agentCitations(c.env.DB, [id])).get(id) ?? null) : undefined;
    return c.json({ id, seq, digest, status, receipt: { ...receipt }, ...(agent !== undefined ? { agent } : {}) }, result!.outcome === "created" ? 201 : 200);
  });
}
