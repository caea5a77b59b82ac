import { createPrivateKey, createPublicKey, sign as osslSign, verify as osslVerify, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateKeypair } from "../../src/domain/iscc-sig";
import { signWebhook, verifyWebhook, WebhookSignatureError } from "../../src/domain/webhook-signature";

// OpenSSL (node:crypto) is the independent Ed25519 implementation: it never sees noble.
function osslPublicKey(pub: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), pub]), format: "der", type: "spki" });
}
function osslPrivateKey(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
}

const key = generateKeypair();
const other = generateKeypair();
const NOW = 1_800_000_000;
const body = JSON.stringify({ declarations: [{ declaration: { name: "Sunset über Lisbon" }, receipt: {} }] });

function headersOf(h: Record<string, string>) {
  return { id: h["webhook-id"], timestamp: h["webhook-timestamp"], signature: h["webhook-signature"] };
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WebhookSignatureError);
    return (e as WebhookSignatureError).reason;
  }
  throw new Error("expected a rejection");
}

describe("Standard Webhooks v1a signatures", () => {
  it("signs id.timestamp.body so that OpenSSL verifies it, and nothing else", async () => {
    const h = await signWebhook({ id: "reg_a-1-100", timestamp: NOW, body }, key.secretKey);
    expect(h["webhook-id"]).toBe("reg_a-1-100");
    expect(h["webhook-timestamp"]).toBe(String(NOW));
    expect(h["webhook-signature"]).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    const sig = Buffer.from(h["webhook-signature"]!.slice(4), "base64");
    const pub = osslPublicKey(key.publicKey);
    expect(osslVerify(null, Buffer.from(`reg_a-1-100.${NOW}.${body}`, "utf8"), pub, sig)).toBe(true);
    expect(osslVerify(null, Buffer.from(`reg_a-1-100.${NOW + 1}.${body}`, "utf8"), pub, sig)).toBe(false);
    expect(osslVerify(null, Buffer.from(`reg_a-1-100.${NOW}.${body}`, "utf8"), osslPublicKey(other.publicKey), sig)).toBe(false);
  });

  it("verifies a webhook signed by OpenSSL", async () => {
    const content = Buffer.from(`msg_1.${NOW}.${body}`, "utf8");
    const sig = osslSign(null, content, osslPrivateKey(key.secretKey)).toString("base64");
    const m = await verifyWebhook({ id: "msg_1", timestamp: String(NOW), signature: `v1a,${sig}` }, body, key.publicKey, { nowSeconds: NOW });
    expect(m).toEqual({ id: "msg_1", timestamp: NOW, body });
  });

  it("round-trips any id, time within tolerance and body; any change to them fails", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9_\-:]{1,40}$/),
        fc.integer({ min: -300, max: 300 }),
        fc.string(),
        async (id, skew, text) => {
          const h = await signWebhook({ id, timestamp: NOW + skew, body: text }, key.secretKey);
          await expect(verifyWebhook(headersOf(h), text, key.publicKey, { nowSeconds: NOW })).resolves.toMatchObject({ id, body: text });
          expect(await reason(verifyWebhook(headersOf(h), text + " ", key.publicKey, { nowSeconds: NOW }))).toBe("bad-signature");
          expect(await reason(verifyWebhook({ ...headersOf(h), id: id + "x" }, text, key.publicKey, { nowSeconds: NOW }))).toBe("bad-signature");
        },
      ),
      { numRuns: 30 },
    );
  });

  it("refuses a tampered body, another key, a stale or future timestamp, missing and malformed headers", async () => {
    const h = headersOf(await signWebhook({ id: "m1", timestamp: NOW, body }, key.secretKey));
    const opts = { nowSeconds: NOW };
    expect(await reason(verifyWebhook(h, body.replace("Sunset", "Sunrise"), key.publicKey, opts))).toBe("bad-signature");
    expect(await reason(verifyWebhook(h, body, other.publicKey, opts))).toBe("bad-signature");
    expect(await reason(verifyWebhook(h, body, key.publicKey, { nowSeconds: NOW + 301 }))).toBe("stale");
    expect(await reason(verifyWebhook(h, body, key.publicKey, { nowSeconds: NOW - 301 }))).toBe("stale");
    await expect(verifyWebhook(h, body, key.publicKey, { nowSeconds: NOW + 300 })).resolves.toBeDefined();
    expect(await reason(verifyWebhook(h, body, key.publicKey, { nowSeconds: NOW + 11, toleranceSeconds: 10 }))).toBe("stale");
    expect(await reason(verifyWebhook({ ...h, signature: undefined }, body, key.publicKey, opts))).toBe("missing-header");
    expect(await reason(verifyWebhook({ ...h, id: null }, body, key.publicKey, opts))).toBe("missing-header");
    expect(await reason(verifyWebhook({ ...h, timestamp: "1.5" }, body, key.publicKey, opts))).toBe("malformed-header");
    expect(await reason(verifyWebhook({ ...h, id: "a.b" }, body, key.publicKey, opts))).toBe("malformed-header");
    expect(await reason(verifyWebhook({ ...h, signature: h.signature!.replace("v1a,", "v1,") }, body, key.publicKey, opts))).toBe("malformed-header");
    expect(await reason(verifyWebhook({ ...h, signature: "v1a,not*base64" }, body, key.publicKey, opts))).toBe("bad-signature");
  });

  it("accepts any one valid v1a signature among several (key rotation), ignoring other versions", async () => {
    const good = (await signWebhook({ id: "m2", timestamp: NOW, body }, key.secretKey))["webhook-signature"];
    const stranger = (await signWebhook({ id: "m2", timestamp: NOW, body }, other.secretKey))["webhook-signature"];
    const signature = `v1,c2VjcmV0 ${stranger} ${good}`;
    await expect(verifyWebhook({ id: "m2", timestamp: String(NOW), signature }, body, key.publicKey, { nowSeconds: NOW })).resolves.toBeDefined();
    expect(await reason(verifyWebhook({ id: "m2", timestamp: String(NOW), signature: `v1,c2VjcmV0 ${stranger}` }, body, key.publicKey, { nowSeconds: NOW }))).toBe(
      "bad-signature",
    );
  });

  it("refuses to sign an id that would make id.timestamp.body ambiguous", async () => {
    await expect(signWebhook({ id: "a.b", timestamp: NOW, body }, key.secretKey)).rejects.toThrow(TypeError);
  });
});
