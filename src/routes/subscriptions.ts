import { createRoute } from "@hono/zod-openapi";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { z } from "zod";
import { checkTimestamp, verifyDeclarationSignature } from "../domain/declaration";
import { checkSubscriber, NotTheSubscriberError, parseSubscriptionRequest, SubscriptionRequestSchema } from "../domain/subscription";
import { newWebhookSecret } from "../domain/webhook-hmac";
import { canonicalize } from "../encoding/canonical-json";
import { controllerListsKey, didWebOptions } from "../http/did-resolver";
import { LIMITS } from "../http/limits";
import { notFound, Problem } from "../http/problem";
import { json, jsonBody, paramProblems, problemDoc, problemResponses, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { addSubscription, endSubscription, notificationsOf, requestSeen } from "../store/subscriptions";

const SubscribedSchema = z
  .object({
    id: z.string(),
    subscriber: z.string(),
    url: z.string(),
    secret: z.string().describe("whsec_…: verifies the `v1` (HMAC-SHA256) Standard Webhooks signature of every delivery. Shown this once; subscribe again to get a new one"),
    events: z.array(z.enum(["conflict.found", "declaration.near-duplicate"])),
  })
  .meta({ id: "Subscription" });

const subscribe = createRoute({
  method: "post",
  path: "/v1/subscriptions",
  summary: "Subscribe (or unsubscribe) a URL to the conflicts and near-duplicates concerning a key or did:web, in a request signed with that key",
  middleware: [rateLimited("registration"), jsonBody(LIMITS.declarationBytes)] as const,
  request: { body: { content: { "application/json": { schema: SubscriptionRequestSchema } }, required: true } },
  responses: {
    201: json(SubscribedSchema, "Subscribed; the secret is in this answer only"),
    200: json(z.object({ ended: z.array(z.string()) }).meta({ id: "Unsubscribed" }), "Unsubscribed: the subscriptions ended"),
    403: problemDoc("The request is not signed by the subscriber (its key, or a key its did:web lists)"),
    404: problemDoc("Unsubscribe: no subscription of that subscriber at that URL"),
    409: problemDoc("This signed request was already used"),
    ...problemResponses,
  },
});

const NotificationSchema = z
  .object({
    n: z.number().int(),
    id: z.string().describe("The webhook-id of its deliveries"),
    type: z.enum(["conflict.found", "declaration.near-duplicate"]),
    party: z.string(),
    data: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .meta({ id: "Notification" });

const list = createRoute({
  method: "get",
  path: "/v1/notifications",
  summary: "What a party is told (conflicts, near-duplicates of its works), oldest first: the list `optout watch` shows",
  middleware: [rateLimited("lookup")] as const,
  request: {
    query: z.strictObject({
      party: z.string().min(1).max(256).describe("A declarant key (z6Mk…), a verified controller DID, or a member agents declare for"),
      after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).describe("Only notifications with `n` greater than this"),
      limit: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(LIMITS.pageSize),
    }),
  },
  responses: { 200: json(
      z.object({ notifications: z.array(NotificationSchema), next_after: z.number().int().describe("Pass as `after` for what comes next (equal to `after` when there is nothing new)") }).meta({ id: "NotificationPage" }),
      "One page, oldest first",
    ), ...paramProblems },
});

export function subscriptionsRoutes(app: App) {
  app.openapi(subscribe, async (c) => {
    const s = parseSubscriptionRequest(c.req.valid("json"), c.env.SUBSCRIPTIONS_ALLOW_LOOPBACK === "true");
    await verifyDeclarationSignature(s);
    const now = Date.now();
    checkTimestamp(s, now, LIMITS.timestampSkewMs);
    const controller = s.signature.controller;
    const verified = s.subscriber === controller && (await controllerListsKey(controller, s.signature.pubkey, didWebOptions(c.env)));
    try {
      checkSubscriber(s, verified);
    } catch (e) {
      if (e instanceof NotTheSubscriberError) throw new Problem("not-the-subscriber", e.errors[0]!.detail, e.errors);
      throw e;
    }
    const digest = bytesToHex(sha256(new TextEncoder().encode(canonicalize(s))));
    if (await requestSeen(c.env.DB, digest)) throw new Problem("replayed-request", "This signed request was already used: sign a new one (new timestamp and nonce)");
    const createdAt = new Date(now).toISOString();
    if (s.intent === "unsubscribe") {
      const ended = await endSubscription(c.env.DB, s.subscriber, s.url, digest, createdAt);
      if (!ended.length) throw notFound(`${s.subscriber} has no subscription at ${s.url}`);
      return c.json({ ended }, 200);
    }
    const id = "sub_" + bytesToHex(crypto.getRandomValues(new Uint8Array(12)));
    const secret = newWebhookSecret();
    await addSubscription(c.env.DB, { id, subscriber: s.subscriber, url: s.url, secret, digest, createdAt });
    return c.json({ id, subscriber: s.subscriber, url: s.url, secret, events: ["conflict.found" as const, "declaration.near-duplicate" as const] }, 201);
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const rows = await notificationsOf(c.env.DB, q.party, q.after, q.limit);
    return c.json(
      {
        notifications: rows.map((r) => ({ n: r.n, id: r.id, type: r.type, party: r.party, data: JSON.parse(r.data) as Record<string, unknown>, created_at: r.createdAt })),
        next_after: rows.at(-1)?.n ?? q.after,
      },
      200,
    );
  });
}
