import { z } from "zod";
import { decodeEd25519PublicMultikey } from "../domain/multikey";
import { verifyWebhook, WebhookSignatureError } from "../domain/webhook-signature";
import { peerLink } from "../durable/peer-link";
import { DeliveredItemSchema, receiveDelivered } from "../flows/receive-declarations";
import { rejectionProblem } from "../flows/register-declarations";
import { readBody } from "../http/body";
import { LIMITS } from "../http/limits";
import { Problem, problemBody } from "../http/problem";
import { defineRoute, json, problemDoc, ProblemSchema, problemResponses, validate, type App } from "../http/route";
import { findPeer, rememberWebhook, webhookSeen } from "../store/peers";

const WebhookBodySchema = z
  .strictObject({ declarations: z.array(DeliveredItemSchema).min(1).max(LIMITS.webhookDeclarations) })
  .meta({ id: "DeclarationsWebhook" });

const WebhookHeadersSchema = z.object({
  "webhook-id": z.string().describe("Message id; the same for every retry of one delivery. A repeat is answered `duplicate: true` and changes nothing"),
  "webhook-timestamp": z.string().describe("Unix seconds; must be within ±5 minutes of the receiver's clock"),
  "webhook-signature": z.string().describe('"v1a,<base64 Ed25519 signature of id.timestamp.body>" by the sending registry\'s key'),
  "webhook-source": z.string().describe("The sending registry's name, as this registry knows it in /v1/peers"),
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


export function webhooksDeclarations(app: App) {
  defineRoute(
    app,
    {
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
    },
    async (c) => {
      const body = await readBody(c.req.raw, LIMITS.webhookBytes);
      const source = c.req.header("webhook-source");
      const id = c.req.header("webhook-id");
      const timestamp = c.req.header("webhook-timestamp");
      const signature = c.req.header("webhook-signature");
      if (!source || !id || !timestamp || !signature)
        throw new Problem(401, "webhook-unsigned", "Unsigned webhook", "webhook-id, webhook-timestamp, webhook-signature and webhook-source are all required");
      const peer = await findPeer(c.env.DB, source);
      if (!peer) throw new Problem(403, "unknown-peer", "Unknown peer", `${source} is not a peer of this registry`);

      const now = Date.now();
      try {
        await verifyWebhook({ id, timestamp, signature }, body, decodeEd25519PublicMultikey(peer.publicKey), {
          nowSeconds: Math.floor(now / 1000),
          toleranceSeconds: LIMITS.webhookToleranceSeconds,
        });
      } catch (e) {
        if (!(e instanceof WebhookSignatureError)) throw e;
        const title = { "missing-header": "Unsigned webhook", "malformed-header": "Malformed webhook headers", stale: "Stale webhook", "bad-signature": "Bad webhook signature" }[e.reason];
        const type = { "missing-header": "webhook-unsigned", "malformed-header": "webhook-malformed", stale: "webhook-stale", "bad-signature": "webhook-bad-signature" }[e.reason];
        throw new Problem(401, type, title, e.message);
      }
      if (await webhookSeen(c.env.DB, peer.name, id, now)) return c.json({ duplicate: true, results: [], created: 0, exists: 0, failed: 0 });

      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch (e) {
        throw new Problem(400, "malformed-json", "Malformed JSON", `The body is not valid JSON: ${(e as Error).message}`);
      }
      const { declarations } = validate(WebhookBodySchema, parsed);
      const outcomes = await receiveDelivered(c.env, peer.name, declarations, "declarations");
      await rememberWebhook(c.env.DB, peer.name, id, now, SEEN_FOR_MS);
      // The peer reaches us, so it is up: a delivery to it waiting out a backoff goes now.
      c.executionCtx.waitUntil(peerLink(c.env, peer.name).poke(peer.name, { peerAlive: true }).catch(() => {}));

      const instance = new URL(c.req.url).pathname;
      const results = outcomes.map((o, index) => {
        if (o.outcome === "invalid") return { index, outcome: o.outcome, problem: problemBody(o.problem, instance) };
        if (o.outcome === "rejected") return { index, outcome: o.outcome, problem: problemBody(rejectionProblem(o), instance) };
        return { index, outcome: o.outcome, id: o.id, status: o.status };
      });
      const count = (k: string) => results.filter((r) => r.outcome === k).length;
      return c.json({ duplicate: false, results, created: count("created"), exists: count("exists"), failed: count("invalid") + count("rejected") });
    },
  );
}
