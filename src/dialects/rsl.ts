/**
 * RSL 1.0 (Really Simple Licensing, RSL-SPEC-1.0, rslstandard.org/rsl): an XML document
 * (`application/rsl+xml`), root `<rsl xmlns="https://rslstandard.org/rsl">`, with `<content url=…>`
 * elements, each with `<license>` elements whose `<permits type="usage">` and
 * `<prohibits type="usage">` list usage tokens. Found through robots.txt `License:`, an HTTP
 * `Link: <…>; rel="license"` or HTML `<link rel="license" type="application/rsl+xml">`.
 *
 * Reading a license for one category (spec §3, as its element definitions state):
 * - `<prohibits type="usage">` naming the category's token (or `ai-all` for an AI use, or `all`)
 *   prohibits it, whatever the permits say;
 * - a `<permits type="usage">` is a closed list: what it does not name is not permitted;
 * - a license without either permits every use, on its terms.
 * Usage tokens: `all` (any use), `ai-all` (every AI use), `ai-train`, `ai-input`, `ai-index`,
 * `search`. Tokens are separated by whitespace (commas, which early drafts used, are accepted).
 *
 * A permitted use is a plain `y` only when it costs nothing: no `server` on the content (the spec:
 * clients must then obtain a license, even a free one) and a payment of type `free` or
 * `attribution`, or none. A use permitted only against payment is reserved until licensed: `n`,
 * with the reason reported. Several licenses are alternatives: the use is `y` if any grants it freely.
 * The content element for a URL is the one whose `url` matches it most specifically (RFC 9309
 * matching for paths, longest pattern in octets); equally specific ones combine, `n` winning.
 *
 * Into the vocabulary: ai-train → train-ai, ai-input → draft-ai-use, search → search;
 * `ai-index` (an AI system's own index) has no current category and is only reported.
 */
import { combinePreferences, unknownPreferences, type Category, type Outcome, type ResolvedPreferences } from "../domain/preferences";
import { normalizePercent, patternMatches } from "./robots-txt";
import { attribute, childElements, escapeXml, parseXml, textContent, XmlError, type XmlElement } from "./xml";

export const RSL_NS = "https://rslstandard.org/rsl";
export const RSL_MEDIA_TYPE = "application/rsl+xml";

export const RSL_TOKEN: Readonly<Record<Category, string>> = { "train-ai": "ai-train", "draft-ai-use": "ai-input", search: "search" };
const AI_TOKENS = new Set(["ai-train", "ai-input", "ai-index"]);
const FREE_PAYMENTS = new Set(["free", "attribution"]);

export interface RslLicense {
  permits: Record<string, string[]>;
  prohibits: Record<string, string[]>;
  /** The `type` of each `<payment>`; "free" when the attribute is absent. */
  payments: string[];
}

export interface RslContent {
  url: string;
  server?: string;
  licenses: RslLicense[];
  terms?: string;
}

export interface RslDocument {
  contents: RslContent[];
}

export class RslError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RslError";
  }
}

const tokens = (text: string) => text.split(/[\s,]+/).filter((t) => t !== "");

export function parseRsl(text: string): RslDocument {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    if (e instanceof XmlError) throw new RslError(`not well-formed XML: ${e.message}`);
    throw e;
  }
  if (root.local !== "rsl" || root.ns !== RSL_NS) throw new RslError(`the root element is not <rsl xmlns="${RSL_NS}">`);
  const contents: RslContent[] = [];
  for (const c of childElements(root)) {
    if (c.ns !== RSL_NS || c.local !== "content") continue;
    const url = attribute(c, "url");
    if (url === undefined || url === "") throw new RslError("a <content> has no url attribute");
    const server = attribute(c, "server");
    const licenses: RslLicense[] = [];
    let terms: string | undefined;
    for (const part of childElements(c)) {
      if (part.ns !== RSL_NS) continue;
      if (part.local === "terms") terms = textContent(part).trim();
      if (part.local !== "license") continue;
      const license: RslLicense = { permits: {}, prohibits: {}, payments: [] };
      for (const term of childElements(part)) {
        if (term.ns !== RSL_NS) continue;
        if (term.local === "permits" || term.local === "prohibits") {
          const type = attribute(term, "type");
          if (!type) throw new RslError(`a <${term.local}> has no type attribute`);
          const bucket = license[term.local];
          if (bucket[type]) throw new RslError(`two <${term.local} type="${type}"> in one license`);
          bucket[type] = tokens(textContent(term));
        } else if (term.local === "payment") license.payments.push(attribute(term, "type") ?? "free");
      }
      licenses.push(license);
    }
    contents.push({ url, ...(server !== undefined ? { server } : {}), licenses, ...(terms ? { terms } : {}) });
  }
  if (!contents.length) throw new RslError("an RSL document has at least one <content>");
  return { contents };
}

export function serializeRsl(doc: RslDocument): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<rsl xmlns="${RSL_NS}">`];
  for (const c of doc.contents) {
    lines.push(`  <content url="${escapeXml(c.url)}"${c.server !== undefined ? ` server="${escapeXml(c.server)}"` : ""}>`);
    for (const l of c.licenses) {
      lines.push("    <license>");
      for (const [type, list] of Object.entries(l.permits)) lines.push(`      <permits type="${escapeXml(type)}">${escapeXml(list.join(" "))}</permits>`);
      for (const [type, list] of Object.entries(l.prohibits)) lines.push(`      <prohibits type="${escapeXml(type)}">${escapeXml(list.join(" "))}</prohibits>`);
      for (const p of l.payments) lines.push(`      <payment type="${escapeXml(p)}"/>`);
      lines.push("    </license>");
    }
    if (c.terms) lines.push(`    <terms>${escapeXml(c.terms)}</terms>`);
    lines.push("  </content>");
  }
  lines.push("</rsl>");
  return lines.join("\n") + "\n";
}

/** How specifically a content's `url` matches `url`: its pattern length, or -1 when it does not match. */
function contentMatch(pattern: string, url: URL): number {
  let path = pattern;
  if (!pattern.startsWith("/")) {
    let p: URL;
    try {
      p = new URL(pattern.replace(/\*/g, "%2A"));
    } catch {
      return -1;
    }
    if (p.origin !== url.origin) return -1;
    path = pattern.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, "") || "/";
  }
  const normalized = normalizePercent(path);
  return patternMatches(normalized, normalizePercent(url.pathname + url.search)) ? new TextEncoder().encode(normalized).length : -1;
}

/** What a license says of one usage token. */
function licenseOutcome(license: RslLicense, token: string, free: boolean): { outcome: Outcome; why: string } {
  const covers = (list: string[] | undefined) => !!list && (list.includes(token) || list.includes("all") || (AI_TOKENS.has(token) && list.includes("ai-all")));
  if (covers(license.prohibits.usage)) return { outcome: "n", why: `prohibits ${token}` };
  if (license.permits.usage && !covers(license.permits.usage)) return { outcome: "n", why: `permits only ${license.permits.usage.join(" ")}` };
  if (!free) return { outcome: "n", why: `permits ${token} only under a license to obtain` };
  return { outcome: "y", why: `permits ${token}` };
}

export interface RslReading {
  preferences: ResolvedPreferences;
  /** The matched content's url, or null when none matches (then everything is unknown). */
  content: string | null;
  reasons: string[];
}

/** What the document says for one URL. */
export function rslPreferencesFor(doc: RslDocument, url: URL): RslReading {
  let best = -1;
  let matched: RslContent[] = [];
  for (const c of doc.contents) {
    const m = contentMatch(c.url, url);
    if (m > best) {
      best = m;
      matched = [c];
    } else if (m === best && m >= 0) matched.push(c);
  }
  if (best < 0) return { preferences: unknownPreferences(), content: null, reasons: [] };
  const reasons: string[] = [];
  const perContent = matched.map((c) => {
    const r = rslContentPreferences(c);
    reasons.push(...r.reasons);
    return r.preferences;
  });
  return { preferences: combinePreferences(perContent), content: matched.map((c) => c.url).join(" "), reasons };
}

/** What one `<content>` says for each category, whatever URL it matches. */
export function rslContentPreferences(c: RslContent): { preferences: ResolvedPreferences; reasons: string[] } {
  const p = unknownPreferences();
  const reasons: string[] = [];
  if (!c.licenses.length) return { preferences: p, reasons };
  for (const [category, token] of Object.entries(RSL_TOKEN) as [Category, string][]) {
    const results = c.licenses.map((l) => licenseOutcome(l, token, c.server === undefined && l.payments.every((t) => FREE_PAYMENTS.has(t))));
    const free = results.find((r) => r.outcome === "y");
    p[category] = free ? "y" : "n";
    reasons.push(`${category}: ${(free ?? results[0]!).why}`);
  }
  return { preferences: p, reasons };
}

/**
 * A license expressing `preferences`: each `n` as a prohibited token. RSL has no "unstated": a
 * license without a prohibition permits the use, so `y` and unknown categories both read back as
 * permitted (as `y`); `policy`, when given, becomes the content's `<terms>`.
 */
export function rslContentFor(url: string, preferences: ResolvedPreferences, policy?: string): RslContent {
  const prohibited = (Object.entries(RSL_TOKEN) as [Category, string][]).filter(([c]) => preferences[c] === "n").map(([, t]) => t);
  return { url, licenses: [{ permits: {}, prohibits: prohibited.length ? { usage: prohibited } : {}, payments: [] }], ...(policy ? { terms: policy } : {}) };
}
