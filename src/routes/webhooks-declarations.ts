import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { decodeEd25519PublicMultikey } from "../domain/multikey";
import { verifyWebhook, WebhookSignatureError } from "../domain/webhook-signature";
import { peerLink } from "../durable/peer-link";
import { DeliveredItemSchema, receiveDelivered } from "../flows/receive-declarations";
import { rejectionProblem } from "../flows/register-declarations";
import { readBody } from "../http/body";
import { LIMITS } from "../http/limits";
import { enforceRateLimit } from "../http/rate-limits";
import { Problem, problemBody } from "../http/problem";
import { bodySchema, json, openapiOwnBody, problemDoc, ProblemSchema, problemResponses, validate, type App } from "../http/route";
import { findPeer, rememberWebhook, webhookSeen } from "../store/peers";

const WebhookBodySchema = z
  .strictObject({ declarations: z.array(DeliveredItemSchema).min(1).max(LIMITS.webhookDeclarations) })
  .meta({ id: "DeclarationsWebhook" });

/**
 * Documented as optional: a delivery without one of them is refused 401 webhook-unsigned by the
 * handler (an authentication failure), not 422.
 */
const WebhookHeadersSchema = z.object({
  "webhook-id": z.string().optional().describe("Message id; the same for every retry of one delivery. A repeat is answered `duplicate: true` and changes nothing"),
  "webhook-timestamp": z.string().optional().describe("Unix seconds; must be within ±5 minutes of the receiver's clock"),
  "webhook-signature": z.string().optional().describe('"v1a,<base64 Ed25519 signature of id.timestamp.body>" by the sending registry\'s key'),
  "webhook-source": z.string().optional().describe("The sending registry's name, as this registry knows it in /v1/peers"),
});

const WebhookResultSchema = z
  .object({
    duplicate: z.boolean().describe("This webhook-id was already processed; nothing was done"),
    results: z.array(
      z.object({
        index: z.number().int(),
        outcome: z.enum(["created", "exists", "invalid", "rejected"]),
        id: z.string().optional(),
        status: z.enum(["active", "superseded", "revoked"]).optional(),
        problem: ProblemSchema.optional(),
      }),
    ),
    created: z.number().int(),
    exists: z.number().int(),
    failed: z.number().int(),
  })
  .meta({ id: "WebhookResult" });

/** How long processed webhook ids are remembered: far beyond the timestamp window, past which a replay is stale anyway. */
const SEEN_FOR_MS = 60 * 60 * 1000;


const route = createRoute({
  method: "post",
  path: "/v1/webhooks/declarations",
  summary: "Declarations pushed by a partner registry (Standard Webhooks, Ed25519-signed); per-item results",
  request: { headers: WebhookHeadersSchema, body: { content: { "application/json": { schema: WebhookBodySchema } }, required: true } },
  responses: {
    200: json(WebhookResultSchema, "Processed (or a duplicate): one result per item"),
    401: problemDoc("Missing, malformed, stale or non-verifying webhook signature"),
    403: problemDoc("The sender is not a peer of this registry"),
    ...problemResponses,
  },
});

/** The body is read here, not by zod-openapi: the signature covers its exact bytes, and is checked first. */
export function webhooksDeclarations(app: App) {
  openapiOwnBody(app, route, async (c) => {
    const body = await readBody(c.req.raw, LIMITS.webhookBytes);
    const source = c.req.header("webhook-source");
    const id = c.req.header("webhook-id");
    const timestamp = c.req.header("webhook-timestamp");
    const signature = c.req.header("webhook-signature");
    if (!source || !id || !timestamp || !signature)
      throw new Problem("webhook-unsigned", "webhook-id, webhook-timestamp, webhook-signature and webhook-source are all required");
    const peer = await findPeer(c.env.DB, source);
    if (!peer) throw new Problem("unknown-peer", `${source} is not a peer of this registry`);

    const now = Date.now();
    try {
      await verifyWebhook({ id, timestamp, signature }, body, decodeEd25519PublicMultikey(peer.publicKey), {
        nowSeconds: Math.floor(now / 1000),
        toleranceSeconds: LIMITS.webhookToleranceSeconds,
      });
    } catch (e) {
      if (!(e instanceof WebhookSignatureError)) throw e;
      const type = ({ "missing-header": "webhook-unsigned", "malformed-header": "webhook-malformed", stale: "webhook-stale", "bad-signature": "webhook-bad-signature" } as const)[e.reason];
      throw new Problem(type, e.message);
    }
    // Per peer, once the signature says it is that peer (an unverified name must not spend its quota).
    await enforceRateLimit(c, "webhook", `peer:${peer.name}`);
    if (await webhookSeen(c.env.DB, peer.name, id, now)) return c.json({ duplicate: true, results: [], created: 0, exists: 0, failed: 0 }, 200);

    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      throw new Problem("malformed-json", `The body is not valid JSON: ${(e as Error).message}`);
    }
    const { declarations } = validate(bodySchema<typeof WebhookBodySchema>(route, "application/json"), parsed);
    const outcomes = await receiveDelivered(c.env, peer.name, declarations, "declarations");
    await rememberWebhook(c.env.DB, peer.name, id, now, SEEN_FOR_MS);
    // The peer reaches us, so it is up: a delivery to it waiting out a backoff goes now.
    c.executionCtx.waitUntil(peerLink(c.env, peer.name).poke(peer.name, { peerAlive: true }).catch(() => {}));

    const results = outcomes.map((o, index) => {
      if (o.outcome === "invalid") return { index, outcome: o.outcome, problem: problemBody(o.problem, c.req.url) };
      if (o.outcome === "rejected") return { index, outcome: o.outcome, problem: problemBody(rejectionProblem(o), c.req.url) };
      return { index, outcome: o.outcome, id: o.id, status: o.status };
    });
    const count = (k: string) => results.filter((r) => r.outcome === k).length;
    return c.json({ duplicate: false, results, created: count("created"), exists: count("exists"), failed: count("invalid") + count("rejected") }, 200);
  });
}
