/**
 * Standard Webhooks (https://www.standardwebhooks.com) signatures, asymmetric flavour (`v1a`):
 *
 *   webhook-id:        an id of the message, the same for every retry of that message
 *   webhook-timestamp: integer unix seconds of this attempt
 *   webhook-signature: "v1a,<base64 Ed25519 signature>" (several may be given, space separated)
 *
 * The signed content is the UTF-8 bytes of `${id}.${timestamp}.${body}`, with the body exactly as
 * sent. Verification follows the spec's receiver rules: the timestamp must be within the tolerance
 * of the receiver's clock (replays of an old capture fail), and any one `v1a` signature that
 * verifies is enough (it lets a sender rotate keys); other versions (`v1` HMAC) are ignored.
 * Signing and verifying go through ./ed25519 (native WebCrypto where present, else noble), both with
 * strict RFC 8032 semantics as OpenSSL has them, so a webhook this module accepts is one any other
 * Ed25519 implementation accepts too.
 */
import { ed25519Sign, ed25519Verify } from "./ed25519.js";
import { decodeBase64, encodeBase64 } from "../encoding/base64";

export const WEBHOOK_SIGNATURE_VERSION = "v1a";
/** Standard Webhooks' recommended tolerance: five minutes either way. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** Why a webhook was refused; `reason` lets the HTTP edge pick the problem type. */
export class WebhookSignatureError extends Error {
  constructor(
    readonly reason: "missing-header" | "malformed-header" | "stale" | "bad-signature",
    message: string,
  ) {
    super(message);
    this.name = "WebhookSignatureError";
  }
}

export interface WebhookMessage {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  /** The raw body, exactly as sent. */
  body: string;
}

/** Ids are restricted so that `id.timestamp.body` splits only one way (and they stay header-safe). */
const ID_PATTERN = /^[A-Za-z0-9_\-:]{1,200}$/;

export function signedContent(m: WebhookMessage): Uint8Array {
  return new TextEncoder().encode(`${m.id}.${m.timestamp}.${m.body}`);
}

/** The three Standard Webhooks headers for `m`, signed with a 32-byte Ed25519 secret key. */
export async function signWebhook(m: WebhookMessage, secretKey: Uint8Array): Promise<Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string>> {
  if (!ID_PATTERN.test(m.id)) throw new TypeError(`webhook id must match ${ID_PATTERN}: ${m.id}`);
  if (!Number.isSafeInteger(m.timestamp) || m.timestamp < 0) throw new TypeError("webhook timestamp must be integer unix seconds");
  const sig = await ed25519Sign(signedContent(m), secretKey);
  return {
    "webhook-id": m.id,
    "webhook-timestamp": String(m.timestamp),
    "webhook-signature": `${WEBHOOK_SIGNATURE_VERSION},${encodeBase64(sig)}`,
  };
}

/**
 * Checks the headers of a received webhook against `publicKey`; returns the parsed id and
 * timestamp, or throws WebhookSignatureError. The timestamp is checked before the signature, as
 * the Standard Webhooks libraries do, so a replayed capture is reported as stale.
 */
export async function verifyWebhook(
  headers: { id: string | null | undefined; timestamp: string | null | undefined; signature: string | null | undefined },
  body: string,
  publicKey: Uint8Array,
  opts: { nowSeconds: number; toleranceSeconds?: number },
): Promise<WebhookMessage> {
  const { id, timestamp: ts, signature } = headers;
  if (!id || !ts || !signature)
    throw new WebhookSignatureError("missing-header", "webhook-id, webhook-timestamp and webhook-signature are all required");
  if (!ID_PATTERN.test(id)) throw new WebhookSignatureError("malformed-header", "webhook-id has characters outside [A-Za-z0-9_-:] or is too long");
  if (!/^\d{1,15}$/.test(ts)) throw new WebhookSignatureError("malformed-header", "webhook-timestamp must be integer unix seconds");
  const timestamp = Number(ts);
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(opts.nowSeconds - timestamp) > tolerance)
    throw new WebhookSignatureError("stale", `webhook-timestamp ${timestamp} is more than ${tolerance} s from the receiver's clock (${opts.nowSeconds})`);

  const candidates = signature
    .split(" ")
    .filter((s) => s.startsWith(`${WEBHOOK_SIGNATURE_VERSION},`))
    .map((s) => s.slice(WEBHOOK_SIGNATURE_VERSION.length + 1));
  if (!candidates.length) throw new WebhookSignatureError("malformed-header", `webhook-signature has no ${WEBHOOK_SIGNATURE_VERSION} signature`);
  const message = { id, timestamp, body };
  const content = signedContent(message);
  for (const c of candidates) {
    const sig = decodeBase64(c);
    if (!sig || sig.length !== 64) continue;
    if (await ed25519Verify(sig, content, publicKey)) return message;
  }
  throw new WebhookSignatureError("bad-signature", "no webhook-signature verifies with the sender's key over id.timestamp.body");
}
