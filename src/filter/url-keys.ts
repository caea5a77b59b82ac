/**
 * Which filter keys stand for a declared URL rule, and which keys a lookup probes, chosen so that
 * a URL covered by any rule always probes at least one of that rule's keys (no false negatives):
 *
 *   rule                             key                                    probed by a URL whose match key is K
 *   any      on host or domain H     "d" filterDomain(H)                    "d" filterDomain(host of K), first; only if it hits:
 *   exact    K                       "x" K                                  "x" K
 *   prefix   P (authority A + path)  "a" A, and                             "a" A; only if it hits:
 *                                    "p" P cut to A + min(|path|, 16)       "p" K cut to A + t, t = 1…min(16, |path of K|)
 *   host     *.D                     "h" D                                  "h" H for H in hostLookupKeys(host of K)
 *
 * The "d" key gates everything: a rule covers a URL only on the URL's host or a parent domain of it
 * (hostLookupKeys), and all of those end in the same last two labels (filterDomain), so a URL on a
 * domain no rule names costs one probe and hashes only those labels, not its whole key; most URLs a
 * crawler asks about are on such domains.
 * The "a" key gates the prefix probes: a URL on a host with no prefix rule costs no "p" probe, not 16.
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
import { hostOfKey } from "../domain/url-normalize";
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
      return ["d" + filterDomain(hostOfKey(rule.key)), "x" + rule.key];
    case "prefix": {
      const a = authorityLength(rule.key);
      return ["d" + filterDomain(hostOfKey(rule.key)), "a" + rule.key.slice(0, a), "p" + rule.key.slice(0, a + Math.min(rule.key.length - a, probeChars))];
    }
    case "host":
      return ["d" + filterDomain(rule.key), "h" + rule.key];
    default:
      throw new Error(`unknown URL rule kind ${rule.kind}`);
  }
}

/**
 * The domain a host's "d" key names: the last of its hostLookupKeys, i.e. its last two labels (the
 * host itself when it is an IP literal or a single label). Every host hostLookupKeys gives for a host
 * ends in the same two labels, so a rule on any of them has the URL's "d" key.
 */
export function filterDomain(host: string): string {
  const keys = hostLookupKeys(host);
  return keys[keys.length - 1]!;
}

/** Where the path starts in a match key ("host[:port]/path?query"). */
function authorityLength(matchKey: string): number {
  const slash = matchKey.indexOf("/");
  return slash === -1 ? matchKey.length : slash;
}

/** Every key a lookup of this URL may probe (the others only when the "d" key hits, the "p" keys only when the "a" key hits; lookups use `probeUrl`). */
export function probeFilterKeys(matchKey: string, host: string, probeChars = PREFIX_PROBE_CHARS): string[] {
  const a = authorityLength(matchKey);
  const keys = ["d" + filterDomain(host), "x" + matchKey, "a" + matchKey.slice(0, a)];
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
  // The common case (ASCII key, host at the start of it, not an IP literal) in one pass with the
  // hash states in locals: "x", "a" and "p" share the authority's bytes.
  const len = matchKey.length;
  const hl = host.length;
  // The host keys need an ASCII host that is not an IP literal (a host ending in a digit may be
  // IPv4) and has no trailing dot; anything else takes the general path.
  let lastDot = -1;
  for (let k = 0; k < hl; k++) {
    const c = host.charCodeAt(k);
    if (c > 0x7f || c === 0x5b /* [ */) return probeUrlGeneral(has, matchKey, host, probeChars);
    if (c === 0x2e) lastDot = k;
  }
  const end = hl === 0 ? 0 : host.charCodeAt(hl - 1);
  if (end === 0 || end === 0x2e || (end >= 0x30 && end <= 0x39)) return probeUrlGeneral(has, matchKey, host, probeChars);
  // The "d" key: the host's last two labels (all of it when it has one), as filterDomain.
  let domain = 0;
  if (lastDot > 0) for (let k = lastDot - 1; k >= 0; k--) if (host.charCodeAt(k) === 0x2e) {
    domain = k + 1;
    break;
  }
  if (!keyHit(has, D1, D2, host, domain, hl)) return false;
  let x1 = X1, x2 = X2, a1 = A1, a2 = A2, p1 = P1, p2 = P2;
  let i = 0;
  for (; i < len; i++) {
    const c = matchKey.charCodeAt(i);
    if (c === 0x2f) break;
    if (c > 0x7f) return probeUrlGeneral(has, matchKey, host, probeChars);
    x1 = Math.imul(x1 ^ c, 0x01000193);
    x2 = Math.imul(x2 ^ c, 0x5bd1e995);
    x2 ^= x2 >>> 15;
    a1 = Math.imul(a1 ^ c, 0x01000193);
    a2 = Math.imul(a2 ^ c, 0x5bd1e995);
    a2 ^= a2 >>> 15;
    p1 = Math.imul(p1 ^ c, 0x01000193);
    p2 = Math.imul(p2 ^ c, 0x5bd1e995);
    p2 ^= p2 >>> 15;
  }
  const auth = i;
  let ha = fmix32(a1 ^ (auth + 1));
  if (has(ha, fmix32(a2 ^ Math.imul(auth + 1, 0x85ebca6b) ^ ha))) {
    const last = auth + Math.min(probeChars, len - auth);
    for (let j = auth; j < last; j++) {
      const c = matchKey.charCodeAt(j);
      if (c > 0x7f) return probeUrlGeneral(has, matchKey, host, probeChars);
      p1 = Math.imul(p1 ^ c, 0x01000193);
      p2 = Math.imul(p2 ^ c, 0x5bd1e995);
      p2 ^= p2 >>> 15;
      const pa = fmix32(p1 ^ (j + 2));
      if (has(pa, fmix32(p2 ^ Math.imul(j + 2, 0x85ebca6b) ^ pa))) return true;
    }
  }
  for (; i < len; i++) {
    const c = matchKey.charCodeAt(i);
    if (c > 0x7f) return probeUrlGeneral(has, matchKey, host, probeChars);
    x1 = Math.imul(x1 ^ c, 0x01000193);
    x2 = Math.imul(x2 ^ c, 0x5bd1e995);
    x2 ^= x2 >>> 15;
  }
  ha = fmix32(x1 ^ (len + 1));
  if (has(ha, fmix32(x2 ^ Math.imul(len + 1, 0x85ebca6b) ^ ha))) return true;
  // Host keys: "h" + the host from each label start, down to two labels (as probeHosts).
  if (lastDot <= 0) return hostKeyHit(has, host, 0, hl);
  for (let from = 0; ; ) {
    if (hostKeyHit(has, host, from, hl)) return true;
    let dot = from;
    while (host.charCodeAt(dot) !== 0x2e) dot++;
    if (dot >= lastDot) return false;
    from = dot + 1;
  }
}

/** The "h" key of host[from, to) (ASCII), probed. */
function hostKeyHit(has: (a: number, b: number) => boolean, host: string, from: number, to: number): boolean {
  return keyHit(has, H1, H2, host, from, to);
}

/** The key of tag + s[from, to) (ASCII), probed; (k1, k2): the hash state after the tag (tagState). */
function keyHit(has: (a: number, b: number) => boolean, k1: number, k2: number, host: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = host.charCodeAt(i);
    k1 = Math.imul(k1 ^ c, 0x01000193);
    k2 = Math.imul(k2 ^ c, 0x5bd1e995);
    k2 ^= k2 >>> 15;
  }
  const n1 = to - from + 1;
  const a = fmix32(k1 ^ n1);
  return has(a, fmix32(k2 ^ Math.imul(n1, 0x85ebca6b) ^ a));
}

/** The hash state after the tag byte alone, for each tag. */
function tagState(tag: number): [number, number] {
  const s1 = Math.imul(0x811c9dc5 ^ tag, 0x01000193);
  let s2 = Math.imul(0x9747b28c ^ tag, 0x5bd1e995);
  s2 ^= s2 >>> 15;
  return [s1, s2];
}
const [X1, X2] = tagState(0x78 /* x */);
const [A1, A2] = tagState(0x61 /* a */);
const [P1, P2] = tagState(0x70 /* p */);
const [H1, H2] = tagState(0x68 /* h */);
const [D1, D2] = tagState(0x64 /* d */);

/** probeUrl for any input (non-ASCII keys, IP literals, a host not at the start of the key). */
export function probeUrlGeneral(has: (a: number, b: number) => boolean, matchKey: string, host: string, probeChars = PREFIX_PROBE_CHARS): boolean {
  hashKey("d" + filterDomain(host));
  if (!has(hashA, hashB)) return false;
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
