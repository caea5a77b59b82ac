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
 * Per ASCII code: 1 if the character may appear raw in a path or query of a URL already in normal
 * form (WHATWG leaves it as is, and so do we): unreserved, sub-delims except "'", ":", "@", "/".
 * Everything else ("%", "?", "#", "\\", quotes, brackets, controls, non-ASCII, …) sends the URL
 * through the full normalizer.
 */
const PLAIN = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/") PLAIN[c.charCodeAt(0)] = 1;

/**
 * Whether `input` is already its own normal form, proved by one scan without parsing: the common
 * case for crawlers, which send URLs as they fetch them. Deliberately narrow; anything it does not
 * recognise returns false and takes the WHATWG path, so this never decides a result differently
 * (test/unit/url-fast-path.test.ts compares both on generated URLs). Accepts exactly:
 *   "http://" or "https://", lower-case;
 *   a host of non-empty labels of [a-z0-9-], none starting "xn--" (IDNA would validate it), the
 *   last not starting with a digit (WHATWG would parse the host as IPv4), no port, no userinfo;
 *   a path starting "/" of PLAIN characters and "%XX" escapes with upper-case hex of a character
 *   that is not unreserved, with no "." or ".." segment (nor any segment starting ".." or "./");
 *   optionally "?" and a non-empty query of the same characters and "?".
 */
export function isNormalForm(input: string): boolean {
  let i: number;
  if (input.startsWith("https://")) i = 8;
  else if (input.startsWith("http://")) i = 7;
  else return false;
  const len = input.length;
  // host
  let labelStart = i;
  for (;; i++) {
    const c = i < len ? input.charCodeAt(i) : 0x2f;
    if (c === 0x2e /* . */ || c === 0x2f /* / */) {
      if (i === labelStart) return false; // empty label
      if (input.charCodeAt(labelStart) === 0x78 && input.startsWith("xn--", labelStart)) return false;
      if (c === 0x2f) {
        const first = input.charCodeAt(labelStart);
        if (first >= 0x30 && first <= 0x39) return false; // last label starts with a digit
        break;
      }
      labelStart = i + 1;
    } else if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d)) return false;
  }
  if (i >= len) return false; // no path: WHATWG adds "/"
  // path, then query
  let inQuery = false;
  for (; i < len; i++) {
    const c = input.charCodeAt(i);
    if (c < 0x80 && PLAIN[c] === 1) {
      // A segment starting with "." may be a dot segment ("/.", "/..", also as %2e, which is unreserved: rejected below).
      if (c === 0x2f && !inQuery && input.charCodeAt(i + 1) === 0x2e) {
        const d = input.charCodeAt(i + 2);
        if (d !== d || d === 0x2f || d === 0x2e || d === 0x3f) return false; // NaN: end of input
      }
      continue;
    }
    if (c === 0x3f /* ? */) {
      if (i === len - 1 && !inQuery) return false; // empty query: dropped
      inQuery = true;
      continue;
    }
    if (c === 0x25 /* % */) {
      const h1 = input.charCodeAt(i + 1);
      const h2 = input.charCodeAt(i + 2);
      const v1 = h1 >= 0x30 && h1 <= 0x39 ? h1 - 0x30 : h1 >= 0x41 && h1 <= 0x46 ? h1 - 0x37 : -1;
      const v2 = h2 >= 0x30 && h2 <= 0x39 ? h2 - 0x30 : h2 >= 0x41 && h2 <= 0x46 ? h2 - 0x37 : -1;
      if (v1 < 0 || v2 < 0) return false;
      const v = v1 * 16 + v2;
      if (v < 0x80 && UNRESERVED_CODE[v] === 1) return false; // would be decoded
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

const UNRESERVED_CODE = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") UNRESERVED_CODE[c.charCodeAt(0)] = 1;

export function normalizeUrl(input: string): string {
  if (typeof input !== "string") throw new UrlError(String(input), "URL must be a string");
  if (isNormalForm(input)) return input;
  return normalizeUrlFull(input);
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
  const key = matchKey(normalizedUrl);
  const authority = key.slice(0, key.indexOf("/") === -1 ? key.length : key.indexOf("/"));
  if (authority.startsWith("[")) return authority.slice(0, authority.indexOf("]") + 1);
  const colon = authority.indexOf(":");
  return colon === -1 ? authority : authority.slice(0, colon);
}
