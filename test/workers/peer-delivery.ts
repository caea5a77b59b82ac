/**
 * A partner registry as the workers tests play it: its key, name and hub id, receipts it signs,
 * and Standard Webhooks deliveries to the registry under test (through SELF, the real route), with
 * knobs to break each part.
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
import { BASE, call, get, newKey } from "./helpers";

export const OP = { authorization: `Bearer ${env.OPERATOR_TOKEN}` };
export const op = (method: string, path: string, body?: unknown) => call(method, path, body, OP);

export interface TestPeer {
  name: string;
  key: Keypair;
  hubId: number;
  seq: number;
  micros: bigint;
}

/** A peer the test plays, not yet added; its ids start a minute in the past. */
export function fakePeer(name: string, hubId: number, key: Keypair = newKey()): TestPeer {
  return { name, key, hubId, seq: 0, micros: BigInt(Date.now()) * 1000n - 60_000_000n };
}

/** Adds `p` through the operator route. */
export async function addPeer(p: TestPeer): Promise<void> {
  const res = await op("POST", "/v1/peers", { name: p.name, url: `https://${p.name}`, public_key: encodeEd25519PublicMultikey(p.key.publicKey) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

export async function addTestPeer(name: string, hubId: number): Promise<TestPeer> {
  const p = fakePeer(name, hubId);
  await addPeer(p);
  return p;
}

export const digestOf = (d: unknown) => bytesToHex(sha256(new TextEncoder().encode(canonicalize(d))));

/**
 * The declaration with the receipt the peer signs for it. `id` overrides the id it would issue,
 * `signer` the key that signs the receipt, `receipt` adds or replaces receipt members.
 */
export async function registeredAt(p: TestPeer, d: Record<string, unknown>, o: { id?: string; signer?: Keypair; receipt?: Record<string, unknown> } = {}) {
  p.seq += 1;
  p.micros += 1n;
  const id = o.id ?? genIsccIdV1({ timestampMicros: p.micros, hubId: p.hubId });
  const receipt = await signJson(
    { type: "OptOutReceipt", id, seq: p.seq, digest: digestOf(d), registered_at: new Date().toISOString(), registry: p.name, ...o.receipt },
    o.signer ?? p.key,
  );
  return { declaration: d, receipt };
}

export interface Delivery {
  status: number;
  type: string | null;
  body: any;
}

let counter = 0;
/**
 * Sends a Standard Webhooks delivery as `p` would, with knobs to break it. `rawItems` are items
 * already serialized (for JSON that JSON.stringify cannot write, such as 20,000 levels of nesting).
 */
export async function deliver(
  p: TestPeer,
  items: unknown[],
  opts: { id?: string; timestamp?: number; signer?: Keypair; source?: string; tamper?: (body: string) => string; omit?: string; rawItems?: string[] } = {},
): Promise<Delivery> {
  const body = opts.rawItems ? `{"declarations":[${[...items.map((i) => JSON.stringify(i)), ...opts.rawItems].join(",")}]}` : JSON.stringify({ declarations: items });
  const id = opts.id ?? `t-${++counter}`;
  const headers: Record<string, string> = {
    ...(await signWebhook({ id, timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000), body }, (opts.signer ?? p.key).secretKey)),
    "webhook-source": opts.source ?? p.name,
    "content-type": "application/json",
  };
  if (opts.omit) delete headers[opts.omit];
  const res = await SELF.fetch(`${BASE}/v1/webhooks/declarations`, { method: "POST", headers, body: opts.tamper ? opts.tamper(body) : body });
  return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as any };
}

/** One signed webhook delivery from `p`. */
export const deliverFrom = (p: TestPeer, items: unknown[]): Promise<Delivery> => deliver(p, items);

export async function statusOf(id: string): Promise<string> {
  const r = await get(`/v1/declarations/${encodeURIComponent(id)}`);
  return r.status === 200 ? r.body.status : `HTTP ${r.status}`;
}
