/**
 * Which filter keys stand for a declared URL rule, and which keys a lookup probes, chosen so that
 * a URL covered by any rule always probes at least one of that rule's keys (no false negatives):
 *
 *   rule                             key                                    probed by a URL whose match key is K
 *   exact    K                       "x" K                                  "x" K
 *   prefix   P (authority A + path)  "a" A, and                             "a" A; only if it hits:
 *                                    "p" P cut to A + min(|path|, 16)       "p" K cut to A + t, t = 1…min(16, |path of K|)
 *   host     *.D                     "h" D                                  "h" H for H in hostLookupKeys(host of K)
 *
 * The "a" key gates the prefix probes: a URL on a host with no prefix rule costs one probe, not 16.
 * Why the prefix cut: a URL is covered by prefix P iff K starts with P; then K and P share their
 * first A + min(|path of P|, 16) characters, which is one of the lengths probed. Cutting at 16
 * keeps a lookup to at most 16 prefix probes however long the URL, and 16 characters of path
 * still separate most undeclared paths on a declared host from its declared prefixes.
 * Match keys are scheme-less (see matchKey), so http and https probe the same keys.
 *
 * Keys are hashed to 64 bits (two 32-bit halves) over their bytes: for each byte c,
 *   h1 = (h1 ^ c) · 0x01000193,  h2 = (h2 ^ c) · 0x5bd1e995, h2 ^= h2 >>> 15   (32-bit products)
 * from h1 = 0x811c9dc5, h2 = 0x9747b28c, then a = fmix32(h1 ^ n), b = fmix32(h2 ^ (n · 0x85ebca6b) ^ a)
 * for a key of n bytes. Normalized URLs are ASCII (punycode hosts, percent-encoded paths), so the
 * bytes are the characters; other characters are hashed as their UTF-8 bytes. The snapshot format
 * (snapshot-format.ts) depends on this exact function: changing it means a new format version.
 */
import { hostLookupKeys } from "../domain/url-pattern";
import { fmix32 } from "./binary-fuse";

/** Characters of path (and query) the prefix keys keep; a snapshot records the value it was built with. */
export const PREFIX_PROBE_CHARS = 16;

export interface RuleForFilter {
  kind: "exact" | "prefix" | "host" | string;
  /** url_rules.key: the match key (exact), the prefix's match key (prefix), the domain (host). */
  key: string;
}

/** The filter keys of a URL rule. */
export function ruleFilterKeys(rule: RuleForFilter, probeChars = PREFIX_PROBE_CHARS): string[] {
  switch (rule.kind) {
    case "exact":
      return ["x" + rule.key];
    case "prefix": {
      const a = authorityLength(rule.key);
      return ["a" + rule.key.slice(0, a), "p" + rule.key.slice(0, a + Math.min(rule.key.length - a, probeChars))];
    }
    case "host":
      return ["h" + rule.key];
    default:
      throw new Error(`unknown URL rule kind ${rule.kind}`);
  }
}

/** Where the path starts in a match key ("host[:port]/path?query"). */
function authorityLength(matchKey: string): number {
  const slash = matchKey.indexOf("/");
  return slash === -1 ? matchKey.length : slash;
}

/** Every key a lookup of this URL may probe (the "p" keys only when the "a" key hits; lookups use `probeUrl`). */
export function probeFilterKeys(matchKey: string, host: string, probeChars = PREFIX_PROBE_CHARS): string[] {
  const a = authorityLength(matchKey);
  const keys = ["x" + matchKey, "a" + matchKey.slice(0, a)];
  for (let t = 1; t <= Math.min(probeChars, matchKey.length - a); t++) keys.push("p" + matchKey.slice(0, a + t));
  for (const h of hostLookupKeys(host)) keys.push("h" + h);
  return keys;
}

// ---- hashing ---------------------------------------------------------------------------------

let h1 = 0;
let h2 = 0;
let n = 0;
/** The last digest, as two unsigned 32-bit halves. */
export let hashA = 0;
export let hashB = 0;

function start(): void {
  h1 = 0x811c9dc5;
  h2 = 0x9747b28c;
  n = 0;
}

function byte(c: number): void {
  h1 = Math.imul(h1 ^ c, 0x01000193);
  h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  h2 ^= h2 >>> 15;
  n++;
}

const encoder = new TextEncoder();

/** Feeds s[from, to) as bytes; false if a non-ASCII character was met (the caller re-hashes as UTF-8). */
function ascii(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return false;
    byte(c);
  }
  return true;
}

function finish(): void {
  const a = fmix32(h1 ^ n);
  hashA = a;
  hashB = fmix32(h2 ^ Math.imul(n, 0x85ebca6b) ^ a);
}

/** Hashes one key; the result is in hashA/hashB (no allocation on the hot path). */
export function hashKey(key: string): void {
  start();
  if (!ascii(key, 0, key.length)) {
    start();
    for (const c of encoder.encode(key)) byte(c);
  }
  finish();
}

export function hashKeyPair(key: string): [number, number] {
  hashKey(key);
  return [hashA, hashB];
}

/**
 * Whether `has` (a filter of rule keys) may hold a rule covering the URL: probes every key of
 * probeFilterKeys, hashing the shared prefix of the "p" keys once.
 */
export function probeUrl(has: (a: number, b: number) => boolean, matchKey: string, host: string, probeChars = PREFIX_PROBE_CHARS): boolean {
  // Keys are hashed from ranges of the URL, tag byte first, without building the key strings.
  if (hashRange(0x78 /* x */, matchKey, 0, matchKey.length) && has(hashA, hashB)) return true;
  const a = authorityLength(matchKey);
  const last = Math.min(probeChars, matchKey.length - a);
  if (hashRange(0x61 /* a */, matchKey, 0, a) && has(hashA, hashB)) return probePrefixes(has, matchKey, a, last) || probeHosts(has, host);
  return probeHosts(has, host);
}

/** Hashes tag + s[from, to) into hashA/hashB, as hashKey(tag + s.slice(from, to)) would. */
function hashRange(tag: number, s: string, from: number, to: number): boolean {
  start();
  byte(tag);
  if (!ascii(s, from, to)) hashKey(String.fromCharCode(tag) + s.slice(from, to));
  else finish();
  return true;
}

function probePrefixes(has: (a: number, b: number) => boolean, matchKey: string, a: number, last: number): boolean {
  start();
  byte(0x70); // "p"
  if (ascii(matchKey, 0, a)) {
    for (let t = 1; t <= last; t++) {
      const c = matchKey.charCodeAt(a + t - 1);
      if (c > 0x7f) break;
      byte(c);
      const s1 = h1;
      const s2 = h2;
      const sn = n;
      finish();
      if (has(hashA, hashB)) return true;
      h1 = s1;
      h2 = s2;
      n = sn;
    }
  }
  // Non-ASCII (never produced by normalizeUrl, but the filter must stay exact): probe the slow way.
  if (!isAscii(matchKey, a + last)) {
    for (let t = 1; t <= last; t++) {
      hashKey("p" + matchKey.slice(0, a + t));
      if (has(hashA, hashB)) return true;
    }
  }
  return false;
}

function probeHosts(has: (a: number, b: number) => boolean, host: string): boolean {
  // The keys of hostLookupKeys(host), hashed in place: the host, then each parent domain with at
  // least two labels (a.b.example.com → b.example.com → example.com).
  const h = host.endsWith(".") ? host.slice(0, -1) : host;
  const lastDot = h.lastIndexOf(".");
  if (h.startsWith("[") || lastDot === -1 || /^\d+\.\d+\.\d+\.\d+$/.test(h)) {
    for (const k of hostLookupKeys(host)) {
      hashKey("h" + k);
      if (has(hashA, hashB)) return true;
    }
    return false;
  }
  let from = 0;
  for (;;) {
    hashRange(0x68 /* h */, h, from, h.length);
    if (has(hashA, hashB)) return true;
    const dot = h.indexOf(".", from);
    if (dot === -1 || dot >= lastDot) return false;
    from = dot + 1;
  }
}

function isAscii(s: string, to: number): boolean {
  for (let i = 0; i < to; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
