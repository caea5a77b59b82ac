import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { encodeBase64 } from "../encoding/base64";
import { observeOrigin } from "../flows/observe-origin";
import { sequencer } from "../flows/register-declarations";
import { decodeCursor, encodeCursor } from "../http/cursor";
import { LIMITS } from "../http/limits";
import { notFound, Problem } from "../http/problem";
import { json, jsonBody, paramProblems, problemDoc, problemResponses, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { logEntry } from "../log/entry";
import { leafHash } from "../log/merkle";
import { findObservation, observationsOfHost, type ObservationRow } from "../store/observations";

const ObserveBodySchema = z
  .strictObject({ url: z.string().min(1).max(LIMITS.urlLength).describe("The URL whose origin's signals the registry fetches and notarizes (http or https, a public host)") })
  .meta({ id: "ObservationRequest" });

const ObservationSchema = z.record(z.string(), z.unknown()).describe("The signed observation (type OptOutObservation, ISCC-SIG by the registry key)");
const ObservationReceiptSchema = z.record(z.string(), z.unknown()).describe("Registry-signed receipt (type OptOutObservationReceipt: seq, digest, registered_at)");

const NotarizedSchema = z
  .object({
    digest: z.string().describe("Hex SHA-256 of the canonical signed observation"),
    seq: z.number().int().describe("Position in this registry's order (log leaf seq − 1)"),
    observation: ObservationSchema,
    receipt: ObservationReceiptSchema,
    proof: z.object({ leaf_index: z.number().int(), tree_size: z.number().int(), proof: z.array(z.string()), checkpoint: z.string() }),
  })
  .meta({ id: "NotarizedObservation" });

const observeRoute = createRoute({
  method: "post",
  path: "/v1/observations",
  summary: "Fetch what an origin publishes about a URL and notarize it in the transparency log",
  middleware: [rateLimited("observation"), jsonBody(LIMITS.observationBytes)] as const,
  request: { body: { content: { "application/json": { schema: ObserveBodySchema } }, required: true } },
  responses: {
    201: json(NotarizedSchema, "Observed, signed and logged: the observation, its receipt and an inclusion proof"),
    502: problemDoc("Nothing could be fetched from the origin; nothing was logged"),
    ...problemResponses,
  },
});

const ListQuerySchema = z.strictObject({
  host: z.string().min(1).max(260).describe("The origin's host[:port] as the observed URL has it (lower case, IDNA as punycode)"),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(LIMITS.pageSize),
});

const ListItemSchema = z.object({ digest: z.string(), seq: z.number().int(), observation: ObservationSchema, receipt: ObservationReceiptSchema });
const PageSchema = z.object({ observations: z.array(ListItemSchema), next_cursor: z.string().nullable() }).meta({ id: "ObservationPage" });

const listRoute = createRoute({
  method: "get",
  path: "/v1/observations",
  summary: "Observations of one origin, in registry order, cursor-paginated",
  middleware: [rateLimited("lookup")] as const,
  request: { query: ListQuerySchema },
  responses: { 200: json(PageSchema, "A page of observations"), ...paramProblems },
});

const ProofSchema = z
  .object({
    digest: z.string(),
    seq: z.number().int(),
    leaf_index: z.number().int().describe("seq − 1"),
    tree_size: z.number().int(),
    leaf_hash: z.string().describe("base64 SHA-256(0x00 || entry)"),
    entry: z.string().describe("base64 of the log entry: JCS of { observation, receipt }"),
    proof: z.array(z.string()).describe("RFC 6962 audit path, base64 hashes, leaf to root"),
    checkpoint: z.string().describe("The latest signed checkpoint; its size is ≥ tree_size"),
  })
  .meta({ id: "ObservationInclusionProof" });

const proofRoute = createRoute({
  method: "get",
  path: "/v1/observations/{digest}/proof",
  summary: "Inclusion proof of an observation in the transparency log",
  middleware: [rateLimited("lookup")] as const,
  request: {
    params: z.object({ digest: z.string().regex(/^[0-9a-f]{64}$/, "a hex SHA-256 digest (lower case)") }),
    query: z.strictObject({ tree_size: z.coerce.number().int().min(1).optional().describe("Prove against this earlier tree size instead of the latest checkpoint") }),
  },
  responses: { 200: json(ProofSchema, "The proof"), 404: problemDoc("Unknown digest"), ...paramProblems },
});

const item = (r: ObservationRow) => ({ digest: r.digest, seq: r.seq, observation: JSON.parse(r.body) as Record<string, unknown>, receipt: JSON.parse(r.receipt) as Record<string, unknown> });

/** host[:port] as URL parsing writes it, or null. */
function normalizedHost(host: string): string | null {
  try {
    const u = new URL(`https://${host}/`);
    return u.pathname === "/" && !u.username && !u.password && !u.search && !u.hash ? u.host : null;
  } catch {
    return null;
  }
}

export function observations(app: App) {
  app.openapi(observeRoute, async (c) => {
    const notarized = await observeOrigin(c.env, c.req.valid("json").url);
    return c.json({ ...notarized, observation: { ...notarized.observation }, receipt: { ...notarized.receipt } }, 201);
  });

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const host = normalizedHost(q.host);
    if (!host) throw Problem.field("/host", "not a host[:port]");
    const rows = await observationsOfHost(c.env.DB, host, decodeCursor(q.cursor), q.limit + 1);
    const page = rows.slice(0, q.limit);
    return c.json({ observations: page.map(item), next_cursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!.seq) : null }, 200);
  });

  app.openapi(proofRoute, async (c) => {
    const { digest } = c.req.valid("param");
    const row = await findObservation(c.env.DB, digest);
    if (!row) throw notFound(`No observation with digest ${digest}`);
    const proof = await sequencer(c.env).inclusionProof(row.seq, c.req.valid("query").tree_size);
    if ("error" in proof) throw Problem.field("/tree_size", proof.error);
    const entry = logEntry(JSON.parse(row.body), JSON.parse(row.receipt));
    return c.json({ digest, seq: row.seq, leaf_index: proof.index, tree_size: proof.size, leaf_hash: encodeBase64(leafHash(entry)), entry: encodeBase64(entry), proof: proof.proof, checkpoint: proof.checkpoint }, 200);
  });
}
