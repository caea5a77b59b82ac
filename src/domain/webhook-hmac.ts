/**
 * Standard Webhooks signatures, symmetric flavour (`v1`): HMAC-SHA256 of `${id}.${timestamp}.${body}`
 * with the subscription's secret, sent as `webhook-signature: v1,<base64>`. The secret is written
 * `whsec_<base64 of 32 random bytes>`, the form Standard Webhooks libraries take as is. This is
 * what those libraries verify by default, so a subscriber's receiver needs no code of ours
 * (README, "Notifications"); federation between registries signs with Ed25519 `v1a`
 * (webhook-signature.ts) because there the receiver knows the sender's public key, not a secret.
 * WebCrypto only: the same code runs in the Worker and in Node.
 */
import { decodeBase64, encodeBase64 } from "../encoding/base64";
import { signedContent, type WebhookMessage } from "./webhook-signature";

const PREFIX = "whsec_";

/** A new secret: 32 random bytes. */
export function newWebhookSecret(): string {
  return PREFIX + encodeBase64(crypto.getRandomValues(new Uint8Array(32)));
}

function secretBytes(secret: string): Uint8Array {
  const bytes = decodeBase64(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret);
  if (!bytes || bytes.length < 24) throw new TypeError("a webhook secret is whsec_ and the base64 of at least 24 bytes");
  return bytes;
}

/** The three Standard Webhooks headers for `m`, signed with `secret` (v1, HMAC-SHA256). */
export async function signWebhookHmac(m: WebhookMessage, secret: string): Promise<Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string>> {
  const key = await crypto.subtle.importKey("raw", secretBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, signedContent(m)));
  return { "webhook-id": m.id, "webhook-timestamp": String(m.timestamp), "webhook-signature": `v1,${encodeBase64(mac)}` };
}
