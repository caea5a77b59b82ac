/**
 * URL normalization for declarations and lookups (SPEC "Declarations": WHATWG parsing, lower-case
 * scheme and host, IDNA to punycode, default port and fragment removed, unreserved
 * percent-escapes decoded).
 *
 * Both sides of a match go through this function, so two spellings of one resource must come out
 * identical. What WHATWG `new URL` already does for http(s): lower-cases scheme and host, converts
 * IDNs to punycode, canonicalizes IPv4/IPv6 literals, removes the default port, resolves dot
 * segments (including %2e forms), turns "\" into "/", makes an empty path "/", and percent-encodes
 * characters that may not appear raw. On top of that we:
 *   - drop the fragment (never sent to a server, so it cannot distinguish resources);
 *   - decode escapes of unreserved characters (ALPHA DIGIT - . _ ~; RFC 3986 §6.2.2.2) and
 *     upper-case the hex of every other escape (§6.2.2.1). Reserved characters stay encoded:
 *     %2F is not "/" to a server;
 *   - drop an empty query ("?" with nothing after it), which servers treat as no query;
 *   - drop one trailing dot of the host ("example.com." is the same DNS name).
 * Rejected: schemes other than http/https, and userinfo ("user:pass@"). Credentials have no place
 * in a public registry, and a URL carrying them names the same resource as one without, so
 * accepting them would mean either storing secrets or silently rewriting the declarant's input.
 * Known limit: a literal "*" in a path cannot be declared as an exact URL (patterns reserve "*");
 * write it as %2A, which is then a different URL from one containing a raw "*".
 */

export class UrlError extends Error {
  readonly input: string;
  constructor(input: string, reason: string) {
    super(`${reason}: ${JSON.stringify(input.length > 200 ? input.slice(0, 200) + "…" : input)}`);
    this.name = "UrlError";
    this.input = input;
  }
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** Decodes escapes of unreserved characters and upper-cases the hex of the others. */
function normalizeEscapes(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => {
    const ch = String.fromCharCode(parseInt(h, 16));
    return UNRESERVED.test(ch) ? ch : "%" + h.toUpperCase();
  });
}

/**
 * Per ASCII code: 1 if the character may appear raw in a path or query of a URL in normal form
 * (WHATWG leaves it as is, and so do we): unreserved, sub-delims except "'", ":", "@", "/".
 * Everything else ("%", "?", "#", "\\", quotes, brackets, controls, …) is either rewritten by
 * `normalizeCommon` below (escapes, non-ASCII) or sends the URL through the full normalizer.
 */
const PLAIN = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/") PLAIN[c.charCodeAt(0)] = 1;

const UNRESERVED_CODE = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") UNRESERVED_CODE[c.charCodeAt(0)] = 1;

const HEX = "0123456789ABCDEF";
const hexValue = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);
const escapeByte = (b: number) => "%" + HEX[b >> 4] + HEX[b & 15];

/**
 * The normal form of the URLs crawlers send, computed in one scan without `new URL`; null for
 * anything it does not handle, which then takes the WHATWG path (`normalizeUrlFull`), so this never
 * decides a result differently (test/unit/url-fast-path.test.ts compares both on generated URLs and
 * on the benchmark's crawl corpus). Handles exactly:
 *   "http://" or "https://" in any case;
 *   a host of non-empty ASCII labels of [A-Za-z0-9-] (lower-cased), the last not starting with a digit
 *   (WHATWG would parse the host as IPv4), no userinfo, no trailing dot; a host with a non-ASCII or
 *   "xn--" label goes through the WHATWG host parser alone (IDNA: mapping, punycode, validity),
 *   memoized per host, and is kept when that gives plain ASCII labels;
 *   an optional port of 1–5 digits, dropped when it is the scheme's default, else without leading zeros;
 *   a path of PLAIN characters, "%XX" escapes in either case (unreserved ones decoded, the others'
 *   hex upper-cased) and non-ASCII characters (UTF-8 percent-encoded, as WHATWG does), with no "." or
 *   ".." segment once decoded; an empty path becomes "/";
 *   a query of the same characters and "?"; an empty query is dropped; a fragment is dropped.
 */
export function normalizeCommon(input: string): string | null {
  const len = input.length;
  // scheme: "http" or "https", any case, then "://"
  if (len < 8 || (input.charCodeAt(0) | 0x20) !== 0x68 || (input.charCodeAt(1) | 0x20) !== 0x74 || (input.charCodeAt(2) | 0x20) !== 0x74 || (input.charCodeAt(3) | 0x20) !== 0x70) return null;
  let i = 4;
  const https = (input.charCodeAt(4) | 0x20) === 0x73;
  if (https) i = 5;
  if (input.charCodeAt(i) !== 0x3a || input.charCodeAt(i + 1) !== 0x2f || input.charCodeAt(i + 2) !== 0x2f) return null;
  i += 3;
  // host
  const hostStart = i;
  let labelStart = i;
  let upper = false;
  /** A non-ASCII or "xn--" label: IDNA decides, through the WHATWG host parser (idnHost). */
  let idn = false;
  let c = 0;
  for (;; i++) {
    c = i < len ? input.charCodeAt(i) : 0x2f;
    if (c === 0x2e || c === 0x2f || c === 0x3f || c === 0x23 || c === 0x3a) {
      if (i === labelStart && !idn) return null; // empty label (also a trailing dot, or no host)
      if ((input.charCodeAt(labelStart) | 0x20) === 0x78 && (input.charCodeAt(labelStart + 1) | 0x20) === 0x6e && input.startsWith("--", labelStart + 2)) idn = true;
      if (c !== 0x2e) {
        const first = input.charCodeAt(labelStart);
        if (first >= 0x30 && first <= 0x39 && !idn) return null; // last label starts with a digit
        break;
      }
      labelStart = i + 1;
    } else if (c >= 0x41 && c <= 0x5a) upper = true;
    else if (c >= 0x80) idn = true;
    else if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d)) return null;
  }
  let host = upper ? input.slice(hostStart, i).toLowerCase() : input.slice(hostStart, i);
  if (idn) {
    const ascii = idnHost(host);
    if (ascii === null) return null;
    host = ascii;
  }
  let out = (https ? "https://" : "http://") + host;
  // port
  if (c === 0x3a) {
    let port = 0;
    let digits = 0;
    for (i++; i < len; i++) {
      const d = input.charCodeAt(i);
      if (d === 0x2f || d === 0x3f || d === 0x23) break;
      if (d < 0x30 || d > 0x39 || ++digits > 5) return null;
      port = port * 10 + d - 0x30;
    }
    if (digits === 0 || port > 65535) return null;
    if (port !== (https ? 443 : 80)) out += ":" + port;
  }
  // path, then query; text is copied in runs, rewritten only where an escape or a non-ASCII character needs it
  if (i >= len || input.charCodeAt(i) !== 0x2f) out += "/";
  const pathStart = out.length;
  let inQuery = false;
  let run = i;
  for (; i < len; i++) {
    c = input.charCodeAt(i);
    if (c < 0x80 && PLAIN[c] === 1) continue;
    if (c === 0x3f /* ? */ && !inQuery) {
      out += input.slice(run, i);
      run = i;
      inQuery = true;
      if (dotSegment(out, pathStart)) return null;
      continue;
    }
    if (c === 0x3f) continue;
    if (c === 0x23 /* # */) break;
    if (c === 0x25 /* % */) {
      const v1 = hexValue(input.charCodeAt(i + 1));
      const v2 = hexValue(input.charCodeAt(i + 2));
      if (v1 < 0 || v2 < 0) return null;
      const v = v1 * 16 + v2;
      const h1 = input.charCodeAt(i + 1);
      const h2 = input.charCodeAt(i + 2);
      if (v < 0x80 && UNRESERVED_CODE[v] === 1) {
        out += input.slice(run, i) + String.fromCharCode(v);
        run = i + 3;
      } else if (h1 >= 0x61 || h2 >= 0x61) {
        out += input.slice(run, i) + escapeByte(v);
        run = i + 3;
      }
      i += 2;
      continue;
    }
    if (c < 0x80) return null; // a character WHATWG rewrites, removes or rejects
    // Non-ASCII: its UTF-8 bytes, percent-encoded; a lone surrogate (WHATWG: U+FFFD) goes to WHATWG.
    out += input.slice(run, i);
    let cp = c;
    if (c >= 0xd800 && c <= 0xdfff) {
      const lo = input.charCodeAt(i + 1);
      if (c > 0xdbff || !(lo >= 0xdc00 && lo <= 0xdfff)) return null;
      cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
      i++;
    }
    if (cp < 0x800) out += escapeByte(0xc0 | (cp >> 6)) + escapeByte(0x80 | (cp & 63));
    else if (cp < 0x10000) out += escapeByte(0xe0 | (cp >> 12)) + escapeByte(0x80 | ((cp >> 6) & 63)) + escapeByte(0x80 | (cp & 63));
    else out += escapeByte(0xf0 | (cp >> 18)) + escapeByte(0x80 | ((cp >> 12) & 63)) + escapeByte(0x80 | ((cp >> 6) & 63)) + escapeByte(0x80 | (cp & 63));
    run = i + 1;
  }
  out += input.slice(run, i);
  if (!inQuery) {
    if (dotSegment(out, pathStart)) return null;
  } else if (out.charCodeAt(out.length - 1) === 0x3f && out.indexOf("?", pathStart) === out.length - 1) out = out.slice(0, -1); // empty query
  return out;
}

/** Hosts WHATWG turned into plain ASCII labels (or null: anything else), per isolate; cleared when full. */
const idnHosts = new Map<string, string | null>();
const PLAIN_HOST = /^(?:[a-z0-9-]+\.)*[a-z-][a-z0-9-]*$/;

/**
 * The WHATWG host parser's result for a host of ASCII letters, digits, "-", "." and non-ASCII
 * characters, when it is plain lower-case labels with no trailing dot and not IPv4-like; else null.
 * `host` contains none of the characters that end a host, so WHATWG parses exactly it as the host.
 */
function idnHost(host: string): string | null {
  let ascii = idnHosts.get(host);
  if (ascii !== undefined) return ascii;
  try {
    ascii = new URL(`http://${host}/`).hostname;
    if (!PLAIN_HOST.test(ascii)) ascii = null;
  } catch {
    ascii = null;
  }
  if (idnHosts.size >= 4096) idnHosts.clear();
  idnHosts.set(host, ascii);
  return ascii;
}

/** Whether the path from `start` to the end of `s` has a "." or ".." segment (WHATWG would resolve it). */
function dotSegment(s: string, start: number): boolean {
  for (let k = s.indexOf("/.", start); k !== -1; k = s.indexOf("/.", k + 1)) {
    const a = s.charCodeAt(k + 2);
    if (a !== a || a === 0x2f || (a === 0x2e && ((s.charCodeAt(k + 3) | 0) === 0 || s.charCodeAt(k + 3) === 0x2f))) return true;
  }
  return false;
}

/** Whether `input` is already its own normal form (the benchmark reports the share). */
export function isNormalForm(input: string): boolean {
  return normalizeCommon(input) === input;
}

export function normalizeUrl(input: string): string {
  if (typeof input !== "string") throw new UrlError(String(input), "URL must be a string");
  return normalizeCommon(input) ?? normalizeUrlFull(input);
}

/** The full normalizer (WHATWG parse + our rules); normalizeUrl skips it for URLs already in normal form. */
export function normalizeUrlFull(input: string): string {
  if (typeof input !== "string") throw new UrlError(String(input), "URL must be a string");
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UrlError(input, "not a valid absolute URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UrlError(input, `unsupported scheme '${url.protocol.slice(0, -1)}' (only http and https)`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new UrlError(input, "URLs with credentials (user:password@) are not allowed");
  }
  let hostname = url.hostname;
  if (hostname.endsWith(".")) hostname = hostname.slice(0, -1);
  if (hostname === "" || hostname.endsWith(".")) throw new UrlError(input, "empty host label");
  const host = url.port === "" ? hostname : `${hostname}:${url.port}`;
  const path = normalizeEscapes(url.pathname);
  const query = url.search.length > 1 ? normalizeEscapes(url.search) : "";
  return `${url.protocol}//${host}${path}${query}`;
}

/**
 * The key two normalized URLs are compared by: the URL without its scheme ("host[:port]/path?query").
 * http and https are deliberately treated as one: a crawler fetching http://x/ must see a
 * declaration made for https://x/ (sites commonly serve both, or redirect one to the other), and
 * a rightsholder cannot be expected to declare both. A non-default port stays part of the key.
 */
export function matchKey(normalizedUrl: string): string {
  if (normalizedUrl.startsWith("https://")) return normalizedUrl.slice(8);
  if (normalizedUrl.startsWith("http://")) return normalizedUrl.slice(7);
  throw new UrlError(normalizedUrl, "not a normalized http(s) URL");
}

/** The host (no port, no brackets removed for IPv6) of a normalized URL, e.g. for indexing. */
export function hostOfNormalized(normalizedUrl: string): string {
  return hostOfKey(matchKey(normalizedUrl));
}

/** hostOfNormalized for a URL's match key (matchKey). */
export function hostOfKey(key: string): string {
  const slash = key.indexOf("/");
  const authority = slash === -1 ? key : key.slice(0, slash);
  if (authority.charCodeAt(0) === 0x5b /* [ */) return authority.slice(0, authority.indexOf("]") + 1);
  const colon = authority.indexOf(":");
  return colon === -1 ? authority : authority.slice(0, colon);
}
