/**
 * Subscriptions to notifications (README, "Notifications"): a party asks, in a request signed with
 * its key, that conflicts and near-duplicates concerning it be delivered to a URL. Signed like a
 * declaration (ISCC-SIG over the JCS bytes), with a timestamp and a nonce, so only the holder of
 * the key, or of a key its did:web lists, can subscribe for it, and a captured request cannot be
 * replayed (the registry keeps each request's digest). Pure: no I/O.
 */
import { z } from "zod";
import { SignatureSchema } from "./declaration-schema";
import { issuesToFieldErrors, ValidationError } from "./field-error";
import { PARTY } from "./mandate-schema";
import { classifyHost } from "./public-host";

export const SubscriptionRequestSchema = z
  .strictObject({
    type: z.literal("OptOutSubscription"),
    version: z.literal(1),
    intent: z.enum(["subscribe", "unsubscribe"]).describe("`subscribe` adds (or replaces) the subscription of `subscriber` at `url`; `unsubscribe` ends it"),
    subscriber: z.string().max(256).regex(PARTY, "subscriber must be an Ed25519 multikey (z6Mk…) or a did:web").describe("Whose notifications: the signing key, or its did:web controller"),
    url: z.string().min(1).max(2048).describe("Where deliveries are POSTed (https)"),
    timestamp: z.iso.datetime({ precision: 3 }),
    nonce: z.string().regex(/^[0-9a-f]{32}$/, "must be 32 lower-case hex digits"),
    signature: SignatureSchema,
  })
  .meta({ id: "SubscriptionRequest" });

export type SubscriptionRequest = z.infer<typeof SubscriptionRequestSchema>;

/** Raised when the signer is not the subscriber it names (HTTP 403). */
export class NotTheSubscriberError extends ValidationError {}

/**
 * Shape, and a URL this registry may POST to: https on a public host (a subscription is anyone's
 * request, and must not turn the registry into a proxy into its own network), or, where
 * `allowLoopback` (development), http(s) on loopback.
 */
export function parseSubscriptionRequest(input: unknown, allowLoopback: boolean): SubscriptionRequest {
  const parsed = SubscriptionRequestSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(issuesToFieldErrors(parsed.error.issues));
  const s = parsed.data;
  const why = urlProblem(s.url, allowLoopback);
  if (why) throw new ValidationError([{ pointer: "/url", detail: why }]);
  return s;
}

function urlProblem(raw: string, allowLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not an absolute URL";
  }
  if (url.username || url.password) return "must not carry credentials";
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const kind = classifyHost(host);
  if (kind === "loopback" && allowLoopback) return url.protocol === "http:" || url.protocol === "https:" ? null : "must be http(s)";
  if (url.protocol !== "https:") return "must be https";
  return kind === "public" ? null : `names a ${kind} host: deliveries go to public hosts only`;
}

/**
 * Whether the signer may subscribe for `subscriber`: it is the signing key, or the did:web
 * controller the signature names and `controllerVerified` (its DID document lists the key).
 */
export function checkSubscriber(s: SubscriptionRequest, controllerVerified: boolean): void {
  if (s.subscriber === s.signature.pubkey) return;
  if (s.subscriber === s.signature.controller && controllerVerified) return;
  throw new NotTheSubscriberError([
    {
      pointer: "/subscriber",
      detail:
        s.subscriber === s.signature.controller
          ? `${s.subscriber} does not list the signing key in its DID document`
          : "is neither the signing key nor its did:web controller: subscribe with the key you hold",
    },
  ]);
}
