/**
 * The benchmark registry, generated deterministically (same seed, same corpus on every machine).
 *
 * Declarations are built and signed with the project's own domain code (ISCC-SIG, prepareDeclaration,
 * genIsccIdV1) and written with the sequencer's own statements (registrationWrites, in groups of
 * 1,000 as a batch registration commits them), so the seeded registry is what the registrations
 * would have left in D1, minus the time to push them one by one through the Durable Object.
 * bench/run.ts checks a sample of them through the API.
 */
import { prepareDeclaration, type PreparedDeclaration } from "../../src/domain/declaration";
import type { Declaration } from "../../src/domain/declaration-schema";
import { createPrivateKey, sign as nodeSign, type KeyObject } from "node:crypto";
import { base58btcEncode } from "../../src/encoding/base58";
import { canonicalBytes } from "../../src/encoding/canonical-json";
import { ISCC_SIG_VERSION, keypairFromSecret, type Keypair } from "../../src/domain/iscc-sig";
import { encodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { encodeUnit, genIsccCodeV0, genIsccIdV1, MainType } from "../../src/iscc/index";
import type { Receipt } from "../../src/store/receipt";
import { normalizeUrl } from "../../src/domain/url-normalize";
import type { NewDeclaration } from "../../src/store/registrations";

import { prng, type Rng } from "../../test/support/seeded-random";

export { prng, type Rng };

export const HOSTS = 10_000;
export const PREFIXES_PER_HOST = 10;

/**
 * Host h of the corpus. One in twenty is an internationalized name, declared and looked up in
 * Unicode (the registry stores and matches its punycode form, as WHATWG's URL parser gives it).
 */
export const hostName = (h: number) => (h % 20 === 7 ? `www.bücher-${h}.example` : `www.site${h}.example`);
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

/** A seeded declaration as the sequencer's registrationWrites takes it (status active, registered here). */
export function asNewDeclaration(s: SeedDeclaration, origin: string): NewDeclaration {
  return { seq: s.seq, id: s.id, status: "active", receipt: s.receipt as unknown as Receipt, prepared: s.prepared, origin, receivedFrom: null };
}

/**
 * Lookup URLs shaped like a crawl's, not like the registry's normal form: 99% not declared (half on
 * declared hosts outside their prefixes, half on unknown hosts), 1% under a declared prefix. Each URL
 * draws one shape (see URL_SHAPES), so most need the full WHATWG normalization: mixed-case scheme and
 * host, internationalized hosts in Unicode, query strings, explicit ports, percent-escapes (unreserved
 * ones, which normalization decodes, and lower-case ones), fragments, long paths. bench/run.ts prints
 * the share that takes the normal-form fast path.
 */
export function lookupUrls(n: number, seed: number): { urls: string[]; declared: number } {
  const rng = prng(seed);
  const urls: string[] = [];
  let declared = 0;
  for (let j = 0; j < n; j++) {
    let h = rng.int(HOSTS);
    let host: string;
    let path: string;
    if (j % 100 === 37) {
      urls.push(declaredUrl(rng, h));
      declared++;
      continue;
    } else if (j % 2 === 0) {
      host = hostName(h);
      path = `/other/${rng.int(1e6)}.html`;
    } else {
      host = rng.int(20) === 0 ? `www.müller-${rng.int(1e6)}.example` : `www.unknown${rng.int(1e6)}.example`;
      path = `/p/${rng.int(1e6)}`;
    }
    urls.push(shapeUrl(host, path, rng));
  }
  return { urls, declared };
}

/** A crawl-shaped URL under a declared prefix. */
function declaredUrl(rng: Rng, h = rng.int(HOSTS)): string {
  // Declaration i = k·HOSTS + h + 1 with k < 10. Every 100th declaration is an exact or whole-host
  // rule, and i ≡ h + 1 (mod 100) whatever k is: a host h with (h + 1) % 100 = 0 has no prefix rule
  // at all, so another host is drawn.
  while ((h + 1) % 100 === 0) h = rng.int(HOSTS);
  const k = rng.int(10);
  return shapeUrl(hostName(h), `${prefixPath(k)}img${rng.int(1e6)}.jpg`, rng);
}

/**
 * `n` crawl-shaped URLs under declared prefixes, as lookupUrls draws its 1%, each with its own match
 * key: for batches whose declared URLs were never looked up before (bench/wrk/lookup-fresh.lua).
 */
export function declaredLookupUrls(n: number, seed: number): string[] {
  const rng = prng(seed);
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < n) {
    const u = declaredUrl(rng);
    const key = normalizeUrl(u);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(u);
  }
  return out;
}

/**
 * Shapes of crawled URLs and their shares (per 100). Every shape keeps the URL's meaning: a URL under
 * a declared prefix stays under it after normalization. Only "plain" and most "query" and "long path"
 * URLs are already in normal form.
 */
export const URL_SHAPES: readonly [name: string, weight: number][] = [
  ["plain", 35],
  ["query string", 20],
  ["long path", 9],
  ["mixed-case scheme and host", 8],
  ["percent-escapes", 8],
  ["Unicode host or path", 5],
  ["explicit port", 5],
  ["fragment", 5],
  ["http scheme", 5],
];

function shapeUrl(host: string, path: string, rng: Rng): string {
  let w = rng.int(100);
  let shape = URL_SHAPES[0]![0];
  for (const [name, weight] of URL_SHAPES) {
    if (w < weight) {
      shape = name;
      break;
    }
    w -= weight;
  }
  const ascii = host.includes("ü") ? new URL(`https://${host}/`).host : host;
  const dir = path.slice(0, path.lastIndexOf("/") + 1);
  const file = path.slice(path.lastIndexOf("/") + 1);
  switch (shape) {
    case "query string":
      return `https://${ascii}${path}?id=${rng.int(1e5)}&utm_source=newsletter&utm_medium=email${rng.int(2) ? "&ref=a%2Fb" : ""}`;
    case "long path": {
      const segments = Array.from({ length: 8 + rng.int(12) }, () => `section-${rng.int(1e4)}-${"abcdefghij".slice(rng.int(10))}`);
      // Longer paths go after the declared directory, so a declared URL stays declared.
      return `https://${ascii}${dir}${segments.join("/")}/${file}`;
    }
    case "mixed-case scheme and host":
      return `HTTPS://${ascii.toUpperCase().replace("WWW.", "www.")}${path}`;
    case "percent-escapes":
      return `https://${ascii}${dir}%7e${rng.int(2) ? "caf%c3%a9-" : "na%C3%AFve%20"}${file}`;
    case "Unicode host or path":
      // An internationalized host as typed; on other hosts a Unicode file name (percent-encoded by normalization).
      return host.includes("ü") ? `https://${host}${path}` : `https://${ascii}${dir}fötó-${file}`;
    case "explicit port":
      return rng.int(2) ? `https://${ascii}:443${path}` : `https://${ascii}:8443${path}`;
    case "fragment":
      return `https://${ascii}${path}#section-${rng.int(100)}`;
    case "http scheme":
      return `http://${ascii}${path}`;
    default:
      return `https://${ascii}${path}`;
  }
}

/**
 * `n` new declarations for the write benchmarks, signed now (the registry refuses timestamps more
 * than 10 minutes off), as JSON lines: shaped like the seeded ones (a URL prefix on one of 1,000
 * hosts no seeded rule names, every 4th with an ISCC-CODE), each with its own nonce, so every POST
 * is a first registration. 100 declarant keys, as in the seeded registry.
 */
export function freshDeclarations(n: number, seed: number): string[] {
  const rng = prng(seed);
  const keys = declarantKeys();
  const now = Date.now();
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = signFast(
      {
        type: "OptOutDeclaration",
        version: 1,
        urls: [`https://www.new${rng.int(1000)}.example/w${seed.toString(36)}/${i}/*`],
        ...(i % 4 === 0 ? { iscc: randomCode(rng) } : {}),
        preferences: { "train-ai": "n" },
        intent: "activate",
        timestamp: new Date(now + (i % 1000)).toISOString(),
        nonce: (seed.toString(16) + i.toString(16)).padStart(32, "0").slice(-32),
      },
      keys[i % keys.length]!,
    );
    out.push(JSON.stringify(d));
  }
  return out;
}
