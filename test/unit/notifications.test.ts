import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { ClaimFacts, Conflict } from "../../src/domain/conflicts";
import { conflictNotifications, nearDuplicateNotifications, partiesOfClaim } from "../../src/domain/notifications";
import { checkSubscriber, NotTheSubscriberError, parseSubscriptionRequest } from "../../src/domain/subscription";
import { newWebhookSecret, signWebhookHmac } from "../../src/domain/webhook-hmac";
import { fieldPointers as pointers } from "../support/field-pointers";
import { unknownPreferences } from "../../src/domain/preferences";
import { MainType } from "../../src/iscc/index";

const image = (bodyHex: string) => ({ unitType: "CONTENT-IMAGE-V0", maintype: MainType.CONTENT, code: `c-${bodyHex}`, bodyHex });

function claim(id: string, micros: bigint, who: Partial<ClaimFacts>, bodyHex: string): ClaimFacts {
  return {
    id,
    micros,
    intent: "activate",
    declarant: "kX",
    controller: null,
    controllerVerified: false,
    domain: null,
    onBehalfOf: null,
    preferences: unknownPreferences(),
    units: [image(bodyHex)],
    datahash: null,
    urls: [],
    ...who,
  };
}

describe("notifications (src/domain/notifications.ts)", () => {
  const photographer = claim("A", 1n, { declarant: "kP", controller: "did:web:photo.example", controllerVerified: true }, "0123456789abcdef");
  const copy = claim("B", 2n, { declarant: "kS" }, "0123456789abcde8"); // 3 bits away
  const far = claim("C", 3n, { declarant: "kS" }, "f123456789a00000");
  const own = claim("D", 4n, { declarant: "kP2", controller: "did:web:photo.example", controllerVerified: true }, "0123456789abcdef");

  it("tells the earlier declaration's parties of a later near-duplicate by another party, once, with a stable id, whichever arrived first", () => {
    const told = nearDuplicateNotifications([[copy, photographer], [copy, photographer]]);
    expect(nearDuplicateNotifications([[photographer, copy]])).toEqual(told);
    expect(told.map((m) => m.party).sort()).toEqual(["did:web:photo.example", "kP"]);
    expect(told.every((m) => m.type === "declaration.near-duplicate" && m.data.declaration === "B" && m.data.yours === "A")).toBe(true);
    expect(nearDuplicateNotifications([[copy, photographer]]).map((m) => m.id)).toEqual(told.map((m) => m.id));
    expect(told[0]!.id).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it("tells nobody of a work that is not shared, of the same party's declarations, or of revocations", () => {
    expect(nearDuplicateNotifications([[far, photographer]])).toEqual([]);
    expect(nearDuplicateNotifications([[own, photographer]])).toEqual([]);
    expect(nearDuplicateNotifications([[{ ...copy, intent: "revoke" }, photographer]])).toEqual([]);
  });

  it("does not tell a member what its own agent declared for it", () => {
    const member = claim("M", 1n, { declarant: "kM" }, "0123456789abcdef");
    const agent = claim("G", 2n, { declarant: "kS", onBehalfOf: "kM" }, "0123456789abcdef");
    expect(nearDuplicateNotifications([[agent, member]])).toEqual([]);
  });

  it("tells every party of both sides of a conflict found", () => {
    const c: Conflict = { id: "c1", kind: "unverified-claim", claim: "B", counterpart: "A", matched: { work: { subject: "iscc", unit_type: "CONTENT-IMAGE-V0", claim: "x", counterpart: "y", distance: 3 } } };
    const told = conflictNotifications([c], new Map([["A", photographer], ["B", { ...copy, onBehalfOf: "kM" }]]));
    expect(told.map((m) => m.party).sort()).toEqual(["did:web:photo.example", "kM", "kP", "kS"]);
    expect(new Set(told.map((m) => m.id)).size).toBe(4);
    expect(partiesOfClaim(photographer)).toEqual(["kP", "did:web:photo.example"]);
  });
});

describe("subscription requests (src/domain/subscription.ts)", () => {
  const base = {
    type: "OptOutSubscription",
    version: 1,
    intent: "subscribe",
    subscriber: "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    url: "https://hooks.example/optout",
    timestamp: "2026-12-06T12:00:00.000Z",
    nonce: "0123456789abcdef0123456789abcdef",
    signature: { version: "ISCC-SIG v1.0", pubkey: "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", proof: "z1" },
  };

  it("takes https URLs on public hosts only (loopback when allowed, for development)", () => {
    expect(pointers(() => parseSubscriptionRequest(base, false))).toEqual([]);
    for (const url of ["http://hooks.example/x", "https://127.0.0.1/x", "https://10.0.0.2/x", "https://169.254.169.254/", "https://intranet/x", "https://u:p@hooks.example/", "nope"])
      expect(pointers(() => parseSubscriptionRequest({ ...base, url }, false)), url).toEqual(["/url"]);
    expect(pointers(() => parseSubscriptionRequest({ ...base, url: "http://127.0.0.1:9999/hook" }, true))).toEqual([]);
  });

  it("refuses unknown fields and a subscriber that is not a key or did:web", () => {
    expect(pointers(() => parseSubscriptionRequest({ ...base, extra: 1 }, false))).toEqual(["/extra"]);
    expect(pointers(() => parseSubscriptionRequest({ ...base, subscriber: "alice" }, false))).toEqual(["/subscriber"]);
  });

  it("lets only the signing key, or its verified did:web, subscribe", () => {
    const s = parseSubscriptionRequest(base, false);
    expect(() => checkSubscriber(s, false)).not.toThrow();
    const other = { ...s, subscriber: "z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH" };
    expect(() => checkSubscriber(other, false)).toThrow(NotTheSubscriberError);
    const byDid = { ...s, subscriber: "did:web:photo.example", signature: { ...s.signature, controller: "did:web:photo.example" } };
    expect(() => checkSubscriber(byDid, false)).toThrow(NotTheSubscriberError);
    expect(() => checkSubscriber(byDid, true)).not.toThrow();
  });
});

describe("Standard Webhooks v1 (HMAC) signatures (src/domain/webhook-hmac.ts)", () => {
  it("are what the standardwebhooks reference library verifies, and nothing altered is", async () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: "conflict.found", data: { n: 1 } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = await signWebhookHmac({ id: "msg_1", timestamp, body }, secret);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    // Its own signer agrees byte for byte.
    expect(headers["webhook-signature"]).toBe(new Webhook(secret).sign("msg_1", new Date(timestamp * 1000), body));
    expect(() => new Webhook(secret).verify(body + " ", headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, "webhook-id": "msg_2" })).toThrow();
  });
});
