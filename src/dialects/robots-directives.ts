/**
 * Indexing directives: the `X-Robots-Tag` response header and the robots `<meta>` element
 * (`<meta name="robots" content="…">`, or a crawler's own name instead of `robots`), as search
 * engines document them (Google Search Central, "Robots meta tag, data-nosnippet, and
 * X-Robots-Tag specifications"): comma-separated directives, a header value optionally prefixed by
 * a user agent (`googlebot: noindex`) that scopes it to that crawler.
 *
 * The directives that state a usage preference, and how:
 *   noindex, none  → search=n (do not show the resource in search results; `none` is
 *                    `noindex, nofollow`)
 *   noai           → train-ai=n (DeviantArt's 2022 directive, adopted by others: not for AI training)
 *   noimageai      → train-ai=n for images: applied when the resource is an image
 * Every other directive (nofollow, nosnippet, max-snippet, …) concerns presentation or crawling
 * and is kept in the statement only. Nothing here ever allows: the absence of `noindex` is no
 * consent.
 */
import { unknownPreferences, type ResolvedPreferences } from "../domain/preferences";

export interface RobotsDirectives {
  /** The crawler the directives are scoped to (lower case), or null for every crawler. */
  userAgent: string | null;
  directives: string[];
}

const KNOWN_NON_AGENT = /^(?:unavailable_after|max-snippet|max-image-preview|max-video-preview)$/i;

/** One X-Robots-Tag field value (a comma-joined header is one value per comma-separated run). */
export function parseXRobotsTag(value: string): RobotsDirectives {
  const trimmed = value.trim();
  // "googlebot: noindex" names a crawler; "max-snippet: 20" and "unavailable_after: …" do not.
  const m = /^([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*)$/.exec(trimmed);
  if (m && !KNOWN_NON_AGENT.test(m[1]!)) return { userAgent: m[1]!.toLowerCase(), directives: splitDirectives(m[2]!) };
  return { userAgent: null, directives: splitDirectives(trimmed) };
}

/**
 * A whole X-Robots-Tag field as HTTP delivers it (several field lines joined with ", "): a part
 * `name: directive` starts directives scoped to that crawler, which run until the next such part.
 */
export function parseXRobotsTagField(value: string): RobotsDirectives[] {
  const out: RobotsDirectives[] = [];
  let current: RobotsDirectives | null = null;
  for (const part of value.split(",")) {
    const scoped = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*)$/.exec(part);
    if (scoped && !KNOWN_NON_AGENT.test(scoped[1]!)) {
      current = { userAgent: scoped[1]!.toLowerCase(), directives: [] };
      out.push(current);
      if (scoped[2]!.trim()) current.directives.push(scoped[2]!.trim().toLowerCase());
      continue;
    }
    if (!current) {
      current = { userAgent: null, directives: [] };
      out.push(current);
    }
    const d = part.trim().toLowerCase();
    if (d) current.directives.push(d);
  }
  return out;
}

/** A robots meta element's content; `name` is "robots" or a crawler's name. */
export function parseRobotsMeta(name: string, content: string): RobotsDirectives {
  const n = name.trim().toLowerCase();
  return { userAgent: n === "robots" ? null : n, directives: splitDirectives(content) };
}

function splitDirectives(s: string): string[] {
  return s
    .split(",")
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d !== "");
}

export function serializeXRobotsTag(d: RobotsDirectives): string {
  return (d.userAgent ? `${d.userAgent}: ` : "") + d.directives.join(", ");
}

/** Whether directives scoped to `userAgent` apply to a crawler with this product token. */
export function appliesTo(d: RobotsDirectives, productToken: string): boolean {
  return d.userAgent === null || d.userAgent === productToken.toLowerCase();
}

/** What the directives say in the vocabulary; `isImage` decides whether `noimageai` applies. */
export function directivesPreferences(d: RobotsDirectives, isImage: boolean): ResolvedPreferences {
  const p = unknownPreferences();
  const has = (x: string) => d.directives.includes(x);
  if (has("noindex") || has("none")) p.search = "n";
  if (has("noai") || (isImage && has("noimageai"))) p["train-ai"] = "n";
  return p;
}
