/**
 * A partner registry as the workers tests play it: its key, name and hub id, receipts it signs,
 * and Standard Webhooks deliveries to the registry under test (through SELF, the real route).
 */
import { env, SELF } from "cloudflare:test";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { expect } from "vitest";
import { signJson, type Keypair } from "../../src/domain/iscc-sig";
import { encodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { signWebhook } from "../../src/domain/webhook-signature";
import { canonicalize } from "../../src/encoding/canonical-json";
import { genIsccIdV1 } from "../../src/iscc/index";
import { BASE, call, newKey } from "./helpers";

export interface TestPeer {
  name: string;
  key: Keypair;
  hubId: number;
  seq: number;
  micros: bigint;
}

export async function addTestPeer(name: string, hubId: number): Promise<TestPeer> {
  const p = { name, key: newKey(), hubId, seq: 0, micros: BigInt(Date.now()) * 1000n - 60_000_000n };
  const res = await call("POST", "/v1/peers", { name, url: `https://${name}`, public_key: encodeEd25519PublicMultikey(p.key.publicKey) }, { authorization: `Bearer ${env.OPERATOR_TOKEN}` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return p;
}

export const digestOf = (d: unknown) => bytesToHex(sha256(new TextEncoder().encode(canonicalize(d))));

/** The declaration with the receipt the peer signs for it; `id` overrides the id it would issue. */
export async function registeredAt(p: TestPeer, d: Record<string, unknown>, o: { id?: string } = {}) {
  p.seq += 1;
  p.micros += 1n;
  const id = o.id ?? genIsccIdV1({ timestampMicros: p.micros, hubId: p.hubId });
  const receipt = await signJson({ type: "OptOutReceipt", id, seq: p.seq, digest: digestOf(d), registered_at: new Date().toISOString(), registry: p.name }, p.key);
  return { declaration: d, receipt };
}

let counter = 0;
/** One signed webhook delivery from `p`. */
export async function deliverFrom(p: TestPeer, items: unknown[]): Promise<{ status: number; body: any }> {
  const body = JSON.stringify({ declarations: items });
  const headers = {
    ...(await signWebhook({ id: `seq-test-${++counter}`, timestamp: Math.floor(Date.now() / 1000), body }, p.key.secretKey)),
    "webhook-source": p.name,
    "content-type": "application/json",
  };
  const res = await SELF.fetch(`${BASE}/v1/webhooks/declarations`, { method: "POST", headers, body });
  return { status: res.status, body: await res.json() };
}
