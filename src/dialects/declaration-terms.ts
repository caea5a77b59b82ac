/**
 * From what a rightsholder already publishes to the terms of declarations: each site file's rules
 * become URL patterns on the site's host, grouped by what they say, one group per distinct set of
 * preferences (a declaration states one set). Path patterns become declaration URL patterns:
 *   "" or "/"      → https://HOST/*          (the whole site)
 *   "/art/"        → https://HOST/art/*      (robots.txt paths are prefixes)
 *   "/a*"          → https://HOST/a*         (a trailing * changes nothing)
 *   "/page.html$"  → https://HOST/page.html  (exact)
 * A pattern with `*` inside, or one not starting with "/" (ai.txt's `*.jpg`), has no declaration
 * form and is skipped, with the reason. Rules saying nothing known are skipped too.
 */
import { CATEGORIES, combinePreferences, type Outcome, type ResolvedPreferences } from "../domain/preferences";
import { parseAiTxt } from "./ai-txt";
import { readContentSignal } from "./content-signal";
import { readContentUsage } from "./content-usage";
import { parseRobotsTxt, rulesFor, type PreferenceRule } from "./robots-txt";
import { parseRsl, rslContentPreferences } from "./rsl";
import { parseTdmRepFile, reservationPreferences } from "./tdmrep";

export interface TermsGroup {
  urls: string[];
  preferences: ResolvedPreferences;
  /** The statements the group was read from, as published. */
  from: string[];
  policy?: string;
}

export interface ImportedTerms {
  groups: TermsGroup[];
  skipped: { statement: string; why: string }[];
}

/** A robots.txt-style path as a declaration URL pattern on `host`, or why it has none. */
export function pathToUrlPattern(host: string, path: string): { url: string } | { why: string } {
  if (path === "" || path === "/") return { url: `https://${host}/*` };
  if (!path.startsWith("/")) return { why: "not a path (it does not start with /)" };
  if (path.endsWith("$")) {
    const exact = path.slice(0, -1);
    return exact.includes("*") ? { why: "a wildcard inside the path has no declaration form" } : { url: `https://${host}${exact}` };
  }
  const prefix = path.replace(/\*+$/, "");
  if (prefix.includes("*") || prefix.includes("$")) return { why: "a wildcard inside the path has no declaration form" };
  return { url: `https://${host}${prefix}*` };
}

const said = (p: ResolvedPreferences) => CATEGORIES.some((c) => p[c] !== "unknown");
const keyOf = (p: ResolvedPreferences) => CATEGORIES.map((c) => p[c]).join(",");

function group(entries: { path: string; preferences: ResolvedPreferences; from: string; policy?: string }[], host: string): ImportedTerms {
  const byKey = new Map<string, TermsGroup>();
  const skipped: ImportedTerms["skipped"] = [];
  for (const e of entries) {
    if (!said(e.preferences)) {
      skipped.push({ statement: e.from, why: "states no known preference" });
      continue;
    }
    const pattern = pathToUrlPattern(host, e.path);
    if ("why" in pattern) {
      skipped.push({ statement: e.from, why: pattern.why });
      continue;
    }
    const key = keyOf(e.preferences) + "|" + (e.policy ?? "");
    const g = byKey.get(key) ?? { urls: [], preferences: e.preferences, from: [], ...(e.policy ? { policy: e.policy } : {}) };
    if (!g.urls.includes(pattern.url)) g.urls.push(pattern.url);
    g.from.push(e.from);
    byKey.set(key, g);
  }
  return { groups: [...byKey.values()], skipped };
}

/**
 * robots.txt: the Content-Usage and Content-Signal rules of the group `userAgent` selects (default
 * `*`, what a file says to every crawler), rules with the same path combined by the vocabulary's rule.
 */
export function termsFromRobotsTxt(text: string, host: string, userAgent = "*"): ImportedTerms {
  const rules = rulesFor(parseRobotsTxt(text), userAgent) ?? [];
  const byPath = new Map<string, { preferences: ResolvedPreferences[]; from: string[] }>();
  for (const r of rules) {
    if (r.kind !== "content-usage" && r.kind !== "content-signal") continue;
    const rule = r as PreferenceRule;
    const reading = rule.kind === "content-usage" ? readContentUsage(rule.statement) : readContentSignal(rule.statement);
    const e = byPath.get(rule.path) ?? { preferences: [], from: [] };
    e.preferences.push(reading.preferences);
    e.from.push(`${rule.kind === "content-usage" ? "Content-Usage" : "Content-Signal"}: ${[rule.path, rule.statement].filter(Boolean).join(" ")}`);
    byPath.set(rule.path, e);
  }
  return group(
    [...byPath].map(([path, e]) => ({ path, preferences: combinePreferences(e.preferences), from: e.from.join("\n") })),
    host,
  );
}

/** tdmrep.json: each rule's location with its reservation; tdm-policy becomes the declaration's policy. */
export function termsFromTdmRep(text: string, host: string): ImportedTerms {
  const rules = parseTdmRepFile(text);
  return group(
    rules.map((r) => ({
      path: r.location,
      preferences: reservationPreferences(r.reservation),
      from: JSON.stringify({ location: r.location, "tdm-reservation": r.reservation ?? r.invalid, ...(r.policy ? { "tdm-policy": r.policy } : {}) }),
      ...(r.policy && r.reservation === 1 ? { policy: r.policy } : {}),
    })),
    host,
  );
}

/** An RSL document: each content's url (a path, or a full URL on `host`) with what its licenses say. */
export function termsFromRsl(text: string, host: string): ImportedTerms {
  const doc = parseRsl(text);
  const entries = doc.contents.map((c) => {
    let path = c.url;
    if (!c.url.startsWith("/")) {
      const m = /^https?:\/\/([^/?#]*)(.*)$/i.exec(c.url);
      path = m && m[1]!.toLowerCase() === host.toLowerCase() ? m[2] || "/" : "\u0000";
    }
    const terms = c.terms && /^https?:\/\//.test(c.terms) ? { policy: c.terms } : {};
    return { path: path === "\u0000" ? "not on this host" : path, preferences: rslContentPreferences(c).preferences, from: `<content url="${c.url}">`, ...terms };
  });
  return group(entries, host);
}

/** ai.txt: each Allow/Disallow path of the group `userAgent` selects (default `*`) as train-ai y/n. */
export function termsFromAiTxt(text: string, host: string, userAgent = "*"): ImportedTerms {
  const file = parseAiTxt(text);
  const rules = rulesFor(file, userAgent) ?? [];
  return group(
    rules
      .filter((r) => (r.kind === "allow" || r.kind === "disallow") && r.path !== "")
      .map((r) => {
        const train: Outcome = r.kind === "allow" ? "y" : "n";
        return { path: r.path, preferences: { "train-ai": train, "draft-ai-use": "unknown", search: "unknown" } as ResolvedPreferences, from: `${r.kind === "allow" ? "Allow" : "Disallow"}: ${r.path}` };
      }),
    host,
  );
}
