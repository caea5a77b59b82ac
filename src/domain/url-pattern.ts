/**
 * URL patterns of declarations (SPEC "Declarations", `urls`):
 *   exact   https://example.com/a.jpg         the normalized URL only
 *   prefix  https://example.com/art/*         every URL whose normalized form starts with the part
 *                                             before "*" ("*" only as the last character of the
 *                                             path; no query, no fragment)
 * A "*" inside a query or fragment is literal, so "https://example.com/s?q=*" is an exact URL.
 *   host    https://*.example.com/*           example.com and every subdomain, any path, any port
 * Matching ignores the scheme (see matchKey): a pattern written with https also matches http.
 * `pattern` keeps the declarant's scheme, normalized, because it is what we store and show.
 */
import { hostOfNormalized, matchKey, normalizeUrl, UrlError } from "./url-normalize.js";

export interface UrlPattern {
  kind: "exact" | "prefix" | "host";
  /** Normalized pattern, as stored and shown. */
  pattern: string;
  /**
   * The host the rule is indexed under (no port). For "host" rules the domain after "*.", which
   * lookups find through hostLookupKeys.
   */
  host: string;
  /** For "prefix": the normalized URL text before the "*". */
  prefix?: string;
}

// scheme://*.host/*  — the authority may not carry a port or userinfo.
const HOST_PATTERN = /^(https?):\/\/\*\.([^/?#\\@:]+)\/\*$/i;
// A prefix pattern must visibly have a path: scheme://authority/…* (WHATWG would also accept
// "https:example.com" or backslashes, but a pattern is a declaration, not a browser address bar).
const PREFIX_SHAPE = /^https?:\/\/[^/?#\\]+\/[^?#\\]*\*$/i;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

function isIpLiteral(host: string): boolean {
  return host.startsWith("[") || IPV4.test(host);
}

export function parseUrlPattern(pattern: string): UrlPattern {
  if (typeof pattern !== "string") throw new UrlError(String(pattern), "URL pattern must be a string");
  // A "*" in the query or fragment is an ordinary character (search URLs contain "?q=*"); only a
  // "*" before them makes a pattern.
  const queryStart = pattern.search(/[?#]/);
  const beforeQuery = queryStart === -1 ? pattern : pattern.slice(0, queryStart);
  const star = beforeQuery.indexOf("*");
  if (star === -1) {
    const normalized = normalizeUrl(pattern);
    return { kind: "exact", pattern: normalized, host: hostOfNormalized(normalized) };
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(pattern)?.[1]?.toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    throw new UrlError(pattern, scheme ? `unsupported scheme '${scheme}' (only http and https)` : "not a valid absolute URL");
  }

  const hostMatch = HOST_PATTERN.exec(pattern);
  if (hostMatch) {
    const base = normalizeUrl(`${scheme}://${hostMatch[2]!}/`);
    const host = hostOfNormalized(base);
    if (isIpLiteral(host)) throw new UrlError(pattern, "a host pattern needs a domain name, not an IP address");
    if (!host.includes(".")) {
      throw new UrlError(pattern, "a host pattern needs a registrable domain (at least two labels), not a bare TLD");
    }
    return { kind: "host", pattern: `${scheme}://*.${host}/*`, host };
  }

  if (star !== beforeQuery.length - 1 || beforeQuery.indexOf("*", star + 1) !== -1) {
    throw new UrlError(
      pattern,
      "'*' is only allowed once, at the end of the path (https://host/path/*) or as a whole host (https://*.example.com/*)",
    );
  }
  if (queryStart !== -1) throw new UrlError(pattern, "a prefix pattern may not contain a query or fragment");
  if (!PREFIX_SHAPE.test(pattern)) {
    throw new UrlError(pattern, "'*' must be in the path: write https://host/path/*");
  }
  const base = pattern.slice(0, -1);
  if (/%[0-9A-Fa-f]?$/.test(base)) throw new UrlError(pattern, "incomplete percent-escape before '*'");
  // Normalize with a sentinel in place of "*", so that a trailing "." or "%2e" is kept as the
  // start of a segment name instead of being resolved away as a dot segment.
  const withSentinel = normalizeUrl(base + "Z");
  if (!withSentinel.endsWith("Z")) throw new UrlError(pattern, "cannot normalize the prefix");
  const prefix = withSentinel.slice(0, -1);
  return { kind: "prefix", pattern: prefix + "*", host: hostOfNormalized(withSentinel), prefix };
}

/** Whether `normalizedUrl` (the output of normalizeUrl) is covered by the pattern, ignoring the scheme. */
export function matchesUrl(p: UrlPattern, normalizedUrl: string): boolean {
  switch (p.kind) {
    case "exact":
      return matchKey(normalizedUrl) === matchKey(p.pattern);
    case "prefix":
      return matchKey(normalizedUrl).startsWith(matchKey(p.prefix ?? p.pattern.slice(0, -1)));
    case "host": {
      const host = hostOfNormalized(normalizedUrl);
      return host === p.host || host.endsWith("." + p.host);
    }
  }
}

/**
 * The host itself and each parent domain, for finding "host" rules indexed under their domain:
 * a.b.example.com → [a.b.example.com, b.example.com, example.com]. The bare TLD is left out
 * because no host rule can be indexed under one. IP literals and single-label hosts have no
 * parents. Expects a normalized host (lower-case, punycode), as hostOfNormalized returns.
 */
export function hostLookupKeys(host: string): string[] {
  const h = host.endsWith(".") ? host.slice(0, -1) : host;
  if (isIpLiteral(h)) return [h];
  const labels = h.split(".");
  if (labels.length < 2) return [h];
  const keys: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) keys.push(labels.slice(i).join("."));
  return keys;
}
