/**
 * The benchmark registry, generated deterministically (same seed, same corpus on every machine).
 *
 * Declarations are built and signed with the project's own domain code (signJson, prepareDeclaration,
 * genIsccIdV1), and turned into exactly the rows the sequencer's insertStatements writes, so the
 * seeded registry is what 100,000 registrations would have produced, minus the time to push them
 * one by one through the Durable Object. bench/run.ts checks a sample of them through the API.
 */
import { prepareDeclaration, type PreparedDeclaration } from "../../src/domain/declaration";
import type { Declaration } from "../../src/domain/declaration-schema";
import { createPrivateKey, sign as nodeSign, type KeyObject } from "node:crypto";
import { base58btcEncode } from "../../src/encoding/base58";
import { canonicalBytes } from "../../src/encoding/canonical-json";
import { ISCC_SIG_VERSION, keypairFromSecret, type Keypair } from "../../src/domain/iscc-sig";
import { encodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { encodeUnit, genIsccCodeV0, genIsccIdV1, MainType, parseIsccIdV1 } from "../../src/iscc/index";

import { prng, type Rng } from "../../test/support/seeded-random";

export { prng, type Rng };

export const HOSTS = 10_000;
export const PREFIXES_PER_HOST = 10;

export const hostName = (h: number) => `www.site${h}.example`;
/** The k-th declared prefix of a host ends in "/" so that /c1/ does not also cover /c10/. */
export const prefixPath = (k: number) => `/c${k}/`;

/** Content unit types of ISCC-CODEs: subtype of MainType.CONTENT (Text, Image, Audio, Video, Mixed). */
export const CONTENT_SUBTYPES = [0, 1, 2, 3, 4];

export interface SeedDeclaration {
  seq: number;
  prepared: PreparedDeclaration;
  id: string;
  receipt: Record<string, unknown>;
  registeredAt: string;
}

export interface UnitsOfCode {
  /** unit bodies (64 bits of each unit) by type name, in decompose order */
  code: string;
}

/**
 * ISCC-SIG v1.0 exactly as src/domain/iscc-sig.ts signJson makes it (signature object without
 * proof, JCS, Ed25519, base58btc proof), but signed with Node's native Ed25519: Ed25519 is
 * deterministic, so the bytes are identical, and 20× faster for 325,000 declarations and receipts.
 * bench/run.ts verifies a sample with the project's own verifyJson.
 */
const nodeKeys = new WeakMap<Keypair, KeyObject>();
function signFast<T extends object>(obj: T, kp: Keypair): T & { signature: Record<string, string> } {
  let k = nodeKeys.get(kp);
  if (!k) {
    const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(kp.secretKey)]);
    k = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    nodeKeys.set(kp, k);
  }
  const signature: Record<string, string> = { version: ISCC_SIG_VERSION };
  if (kp.controller) signature.controller = kp.controller;
  signature.pubkey = encodeEd25519PublicMultikey(kp.publicKey);
  const copy = { ...obj, signature };
  signature.proof = "z" + base58btcEncode(nodeSign(null, canonicalBytes(copy), k));
  return copy;
}

/** Deterministic Ed25519 keys: 100 declarants, so that declarant indexes are realistic. */
export function declarantKeys(n = 100): Keypair[] {
  return Array.from({ length: n }, (_, i) => {
    const seed = new Uint8Array(32);
    seed[0] = 0xbe;
    seed[1] = i & 0xff;
    seed[2] = i >> 8;
    return keypairFromSecret(seed);
  });
}

/** An ISCC-CODE with Meta, one Content type, Data and Instance units, from the given 64-bit bodies. */
export function isccCode(bodies: { meta: Uint8Array; content: Uint8Array; data: Uint8Array; instance: Uint8Array }, contentSubtype: number): string {
  return genIsccCodeV0([
    encodeUnit(MainType.META, 0, 0, 64, bodies.meta),
    encodeUnit(MainType.CONTENT, contentSubtype, 0, 64, bodies.content),
    encodeUnit(MainType.DATA, 0, 0, 64, bodies.data),
    encodeUnit(MainType.INSTANCE, 0, 0, 64, bodies.instance),
  ]).iscc;
}

export interface DeclarationSpec {
  urls?: string[];
  iscc?: string;
  preferences: Record<string, "y" | "n">;
}

/**
 * The i-th declaration of the registry (1-based). Stage A (i ≤ 100,000): one URL subject each
 * (10 prefixes per host over 10,000 hosts; every 100th an exact URL instead, every 1,000th a
 * whole-host rule), and every 4th also carries an ISCC-CODE. Stage B (i > 100,000) carries only
 * an ISCC-CODE: it grows the similarity index from 100,000 to 1,000,000 units.
 */
export function specOf(i: number, rng: Rng, stageA: number): DeclarationSpec {
  const preferences: Record<string, "y" | "n"> = i % 7 === 0 ? { "train-genai": "n" } : { "train-ai": "n", search: "y" };
  if (i > stageA) return { iscc: randomCode(rng), preferences };
  const h = (i - 1) % HOSTS;
  const k = Math.floor((i - 1) / HOSTS);
  let url: string;
  if (i % 1000 === 0) url = `https://*.whole${i / 1000}.example/*`;
  else if (i % 100 === 0) url = `https://${hostName(h)}/exact/${k}.jpg`;
  else url = `https://${hostName(h)}${prefixPath(k)}*`;
  return { urls: [url], ...(i % 4 === 0 ? { iscc: randomCode(rng) } : {}), preferences };
}

export function randomCode(rng: Rng): string {
  return isccCode({ meta: rng.bytes(8), content: rng.bytes(8), data: rng.bytes(8), instance: rng.bytes(8) }, CONTENT_SUBTYPES[rng.int(CONTENT_SUBTYPES.length)]!);
}

/**
 * Signs and prepares declarations [from, to] as the registry would have registered them: a
 * receipt signed by the registry key, strictly increasing ISCC-IDs from `startMicros`.
 */
export async function buildDeclarations(
  from: number,
  to: number,
  keys: Keypair[],
  registry: { keypair: Keypair; name: string; hubId: number },
  startMicros: bigint,
  specs: (i: number) => DeclarationSpec,
): Promise<SeedDeclaration[]> {
  const out: SeedDeclaration[] = [];
  const base = Number(startMicros / 1000n);
  for (let i = from; i <= to; i++) {
    const spec = specs(i);
    const key = keys[i % keys.length]!;
    const timestamp = new Date(base + i).toISOString();
    const d = signFast(
      {
        type: "OptOutDeclaration",
        version: 1,
        ...(spec.iscc ? { iscc: spec.iscc } : {}),
        ...(spec.urls ? { urls: spec.urls } : {}),
        preferences: spec.preferences,
        intent: "activate",
        timestamp,
        nonce: i.toString(16).padStart(32, "0"),
      },
      key,
    ) as unknown as Declaration;
    const prepared = prepareDeclaration(d, null);
    const id = genIsccIdV1({ timestampMicros: startMicros + BigInt(i), hubId: registry.hubId });
    const receipt = signFast(
      { type: "OptOutReceipt", id, seq: i, digest: prepared.digest, registered_at: timestamp, registry: registry.name },
      registry.keypair,
    );
    out.push({ seq: i, prepared, id, receipt, registeredAt: timestamp });
  }
  return out;
}

/** Row tuples in column order, for INSERT … SELECT … FROM json_each(?). */
export function rowsOf(decls: SeedDeclaration[], origin: string) {
  const declarations: unknown[][] = [];
  const urlRules: unknown[][] = [];
  const units: unknown[][] = [];
  for (const s of decls) {
    const p = s.prepared;
    const d = p.declaration;
    declarations.push([
      s.seq, s.id, p.digest, parseIsccIdV1(s.id).hubId, d.intent, null, "active", p.declarant, p.controller, p.controllerVerified ? 1 : 0,
      d.timestamp, s.registeredAt, s.registeredAt, origin, JSON.stringify(d.preferences ?? {}), p.canonical, JSON.stringify(s.receipt),
    ]);
    for (const u of p.urls) urlRules.push([s.seq, u.kind, u.pattern, u.host, u.key, u.verification]);
    for (const u of p.units) units.push([s.seq, u.unitType, u.code, u.bodyHex, ...u.bands]);
  }
  return { declarations, urlRules, units };
}

export const INSERT_SQL = {
  declarations: `INSERT INTO declarations (seq, id, digest, hub_id, intent, supersedes, status, declarant, controller, controller_verified,
     timestamp, registered_at, received_at, origin, preferences, body, receipt)
     SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9,
            value->>10, value->>11, value->>12, value->>13, value->>14, value->>15, value->>16 FROM json_each(?1)`,
  urlRules: `INSERT INTO url_rules (seq, kind, pattern, host, key, verification)
     SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5 FROM json_each(?1)`,
  units: `INSERT INTO iscc_units (seq, unit_type, code, body_hex, b0, b1, b2, b3)
     SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 FROM json_each(?1)`,
};

/** 99% not declared (half on declared hosts outside their prefixes, half on unknown hosts), 1% declared. */
export function lookupUrls(n: number, seed: number): { urls: string[]; declared: number } {
  const rng = prng(seed);
  const urls: string[] = [];
  let declared = 0;
  for (let j = 0; j < n; j++) {
    const h = rng.int(HOSTS);
    if (j % 100 === 37) {
      // a prefix-declared URL: declaration i = k·HOSTS + h + 1 with k < 10, skipping exact/host ones
      let k = rng.int(10);
      while ((k * HOSTS + h + 1) % 100 === 0) k = (k + 1) % 10;
      urls.push(`https://${hostName(h)}${prefixPath(k)}img${rng.int(1e6)}.jpg`);
      declared++;
    } else if (j % 2 === 0) urls.push(`https://${hostName(h)}/other/${rng.int(1e6)}.html`);
    else urls.push(`https://www.unknown${rng.int(1e6)}.example/p/${rng.int(1e6)}`);
  }
  return { urls, declared };
}
