import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { encodeBase64 } from "../encoding/base64";
import { logEntry } from "../log/entry";
import { leafHash } from "../log/merkle";
import { sequencer } from "../flows/register-declarations";
import { notFound, Problem } from "../http/problem";
import { json, paramProblems, problemDoc, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { findDeclaration } from "../store/declarations-read";
import { canonicalIdOrDigest, IdParam } from "./declarations-get";

const ProofQuerySchema = z.strictObject({
  tree_size: z.coerce.number().int().min(1).optional().describe("Prove against this earlier tree size instead of the latest checkpoint"),
});

const InclusionProofSchema = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    leaf_index: z.number().int().describe("seq − 1"),
    tree_size: z.number().int(),
    leaf_hash: z.string().describe("base64 SHA-256(0x00 || entry)"),
    entry: z.string().describe("base64 of the log entry: JCS of { declaration, receipt }"),
    proof: z.array(z.string()).describe("RFC 6962 audit path, base64 hashes, leaf to root"),
    checkpoint: z.string().describe("The latest signed checkpoint; its size is ≥ tree_size"),
  })
  .meta({ id: "InclusionProof" });

const route = createRoute({
  method: "get",
  path: "/v1/declarations/{id}/proof",
  summary: "Inclusion proof of a declaration in the transparency log",
  middleware: [rateLimited("lookup")] as const,
  request: { params: IdParam, query: ProofQuerySchema },
  responses: { 200: json(InclusionProofSchema, "The proof"), 404: problemDoc("Unknown id or digest"), ...paramProblems },
});

export function declarationsProof(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const { id } = c.req.valid("param");
    const key = canonicalIdOrDigest(id);
    const row = key ? await findDeclaration(c.env.DB, key) : undefined;
    if (!row) throw notFound(`No declaration with id or digest ${id}`);
    const proof = await sequencer(c.env).inclusionProof(row.seq, q.tree_size);
    if ("error" in proof) throw Problem.field("/tree_size", proof.error);
    const entry = logEntry(JSON.parse(row.body), JSON.parse(row.receipt));
    return c.json({
      id: row.id,
      seq: row.seq,
      leaf_index: proof.index,
      tree_size: proof.size,
      leaf_hash: encodeBase64(leafHash(entry)),
      entry: encodeBase64(entry),
      proof: proof.proof,
      checkpoint: proof.checkpoint,
    }, 200);
  });
}
