import { env, SELF } from "cloudflare:test";
import { generateKeypair, signJson, type Keypair } from "../../src/domain/iscc-sig";
import { encodeUnit, MainType } from "../../src/iscc/index";

export const BASE = "http://registry.test";

export interface Response<T = any> {
  status: number;
  type: string | null;
  body: T;
  headers: Headers;
}

export async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    if (typeof body !== "string") (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const res = await SELF.fetch(BASE + path, init);
  const type = res.headers.get("content-type");
  const text = await res.text();
  return { status: res.status, type, body: type?.includes("json") ? JSON.parse(text) : text, headers: res.headers };
}

export const post = <T = any>(path: string, body: unknown, headers?: Record<string, string>) => call<T>("POST", path, body, headers);
export const get = <T = any>(path: string) => call<T>("GET", path);

export function newKey(controller?: string): Keypair {
  return generateKeypair(controller ? { controller } : undefined);
}

export function nonce(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A signed declaration with sensible defaults; `fields` override or add members before signing. */
export async function declaration(key: Keypair, fields: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const unsigned: Record<string, unknown> = {
    type: "OptOutDeclaration",
    version: 1,
    preferences: { "train-ai": "n" },
    intent: "activate",
    timestamp: new Date().toISOString(),
    nonce: nonce(),
    ...fields,
  };
  for (const [k, v] of Object.entries(unsigned)) if (v === undefined) delete unsigned[k];
  return signJson(unsigned, key);
}

/** A 64-bit content unit of the given subtype with `body`; flip bits with `flip`. */
export function contentUnit(body: Uint8Array, subtype = 1): string {
  return encodeUnit(MainType.CONTENT, subtype, 0, 64, body);
}

export function flipBits(body: Uint8Array, bits: number[]): Uint8Array {
  const out = Uint8Array.from(body);
  for (const b of bits) out[b >> 3]! ^= 0x80 >> (b & 7);
  return out;
}

export function randomBody(bytes = 8): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(bytes));
}

/** Row counts of every table: "changes nothing" means these stay equal. */
export async function tableCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ["declarations", "url_rules", "iscc_units", "datahashes", "work_identifiers"]) {
    const r = await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>();
    out[t] = r!.n;
  }
  return out;
}

/** Waits until conflict detection, which runs beside the commits (Sequencer.detectConflictsUpTo), has caught up with every record. */
export async function conflictsDetected(ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const r = (await env.DB.prepare(
      "SELECT (SELECT coalesce(max(seq), 0) FROM declarations) AS last, (SELECT coalesce(max(value), 0) FROM registry_state WHERE key = 'conflicts_detected_seq') AS done",
    ).first<{ last: number; done: number }>())!;
    if (r.done >= r.last) return;
    if (Date.now() > end) throw new Error(`conflict detection stopped at seq ${r.done} of ${r.last}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
