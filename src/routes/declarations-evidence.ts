import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { logOrigin } from "../durable/log-checkpoint";
import { sequencer } from "../flows/register-declarations";
import { notFound } from "../http/problem";
import { rateLimited } from "../http/rate-limits";
import { json, jsonText, paramProblems, problemDoc, type App } from "../http/route";
import { EVIDENCE_TYPE, EVIDENCE_VERSION, type EvidenceFile } from "../log/evidence";
import { registryIdentity } from "../registry-identity";
import { findDeclaration } from "../store/declarations-read";
import { listPeers } from "../store/peers";
import { canonicalIdOrDigest, IdParam } from "./declarations-get";

const EvidenceSchema = z
  .object({
    type: z.literal(EVIDENCE_TYPE),
    version: z.literal(EVIDENCE_VERSION),
    exported_at: z.string(),
    id: z.string(),
    status_at_export: z.string().optional(),
    declaration: z.record(z.string(), z.unknown()),
    receipt: z.record(z.string(), z.unknown()),
    inclusion: z.object({ leaf_index: z.number().int(), tree_size: z.number().int(), proof: z.array(z.string()), checkpoint: z.string() }),
    registry: z.object({ name: z.string(), public_key: z.string(), log_origin: z.string(), controller: z.string().optional() }),
    receipt_keys: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: "Evidence", description: "One file that proves a declaration offline; verify with `optout verify --evidence FILE` (src/log/evidence.ts)" });

const route = createRoute({
  method: "get",
  path: "/v1/declarations/{id}/evidence",
  summary: "Evidence file: the declaration, its receipt, its inclusion proof and the signed checkpoint, verifiable offline",
  middleware: [rateLimited("lookup")] as const,
  request: { params: IdParam, query: z.strictObject({}) },
  responses: { 200: json(EvidenceSchema, "The evidence file (sent as a download)"), 404: problemDoc("Unknown id or digest"), ...paramProblems },
});

export function declarationsEvidence(app: App) {
  app.openapi(route, async (c) => {
    const { id: raw } = c.req.valid("param");
    const key = canonicalIdOrDigest(raw);
    const row = key ? await findDeclaration(c.env.DB, key) : undefined;
    if (!row) throw notFound(`No declaration with id or digest ${raw}`);
    const [me, proof] = await Promise.all([registryIdentity(c.env), sequencer(c.env).inclusionProof(row.seq)]);
    // Only the latest checkpoint is asked for, and it always covers a stored declaration.
    if ("error" in proof) throw new Error(proof.error);
    const receipt = JSON.parse(row.receipt) as Record<string, unknown>;
    const evidence: EvidenceFile = {
      type: EVIDENCE_TYPE,
      version: EVIDENCE_VERSION,
      exported_at: new Date().toISOString(),
      id: row.id,
      status_at_export: row.status,
      declaration: JSON.parse(row.body) as Record<string, unknown>,
      receipt,
      inclusion: { leaf_index: proof.index, tree_size: proof.size, proof: proof.proof, checkpoint: proof.checkpoint },
      registry: { name: me.name, public_key: me.publicKeyMultikey, log_origin: logOrigin(me), controller: me.controller },
    };
    // A declaration received from a peer carries its origin's receipt: ship the key we checked it with.
    if (receipt.registry !== me.name) {
      const origin = (await listPeers(c.env.DB)).find((p) => p.name === receipt.registry);
      if (origin) evidence.receipt_keys = { [origin.name]: origin.publicKey };
    }
    const filename = `evidence-${row.id.replace(/^ISCC:/, "")}.json`;
    return jsonText<EvidenceFile>(c, JSON.stringify(evidence, null, 2) + "\n", { "content-disposition": `attachment; filename="${filename}"` });
  });
}
