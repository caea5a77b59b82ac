import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { sequencer } from "../flows/register-declarations";
import { Problem } from "../http/problem";
import { json, paramProblems, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";

const ConsistencyQuerySchema = z.strictObject({
  from: z.coerce.number().int().min(1),
  to: z.coerce.number().int().min(1).optional().describe("Default: the latest checkpoint's size"),
});

const ConsistencyProofSchema = z
  .object({ from: z.number().int(), to: z.number().int(), proof: z.array(z.string()), checkpoint: z.string() })
  .meta({ id: "ConsistencyProof" });

const route = createRoute({
  method: "get",
  path: "/v1/log/consistency",
  summary: "Consistency proof (RFC 6962) that the log of size `to` extends the log of size `from`",
  middleware: [rateLimited("lookup")] as const,
  request: { query: ConsistencyQuerySchema },
  responses: { 200: json(ConsistencyProofSchema, "The proof, base64 hashes"), ...paramProblems },
});

export function logConsistency(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const seq = sequencer(c.env);
    const to = q.to ?? (await seq.logSize());
    const proof = await seq.consistencyProof(q.from, to);
    if ("error" in proof) throw Problem.field(q.to ? "/to" : "/from", proof.error);
    return c.json(proof, 200);
  });
}
