/**
 * robots.txt: the Robots Exclusion Protocol (RFC 9309) with the rules that attach usage
 * preferences to paths — `Content-Usage` (draft-ietf-aipref-attach-05 §3) and Cloudflare's
 * `Content-Signal` (contentsignals.org, same shape: an optional path, then the statement) — and the
 * file-level `License:` records that point to RSL documents (RSL 1.0) and `Sitemap:`.
 *
 * Parsing (RFC 9309 §2.2): records are `name: value` lines, names case-insensitive, `#` starts a
 * comment. A group is one or more `user-agent` lines followed by rules; a `user-agent` line after a
 * rule starts a new group. Rules before any group, and records this module does not know, belong to
 * no group and are kept (ignored) only to be reported. Only the first 500 KiB are parsed (§2.5).
 *
 * Matching: the crawler's groups are every group naming its product token (case-insensitive),
 * merged, else the `*` groups, else none (§2.2.1). Allow/Disallow take the longest matching path in
 * octets of the percent-normalized path, Allow winning a tie (§2.2.2), with `*` and `$` (§2.2.3).
 * Content-Usage and Content-Signal rules match the same way (attach §3.1); a rule without a path
 * applies to every path, more weakly than any rule with one; rules with identical paths all apply
 * and are combined by the vocabulary's rule; disallowed paths carry no preferences.
 */

export const ROBOTS_PARSE_LIMIT = 500 * 1024;

export type PathRule = { kind: "allow" | "disallow"; path: string };
/** A preference rule: `path` is "" when the rule has none (it then applies to every path). */
export type PreferenceRule = { kind: "content-usage" | "content-signal"; path: string; statement: string };
export type Rule = PathRule | PreferenceRule;

export interface Group {
  userAgents: string[];
  rules: Rule[];
}

export interface RobotsTxt {
  groups: Group[];
  /** `License:` records (RSL 1.0), file-level. */
  licenses: string[];
  sitemaps: string[];
  /** Lines that are no record of this grammar, or rules outside any group: ignored, as RFC 9309 says. */
  ignored: { line: number; text: string; why: string }[];
  /** True when the file was longer than the parsing limit and its tail was not read. */
  truncated: boolean;
}

const RULE_NAMES: Record<string, Rule["kind"]> = {
  allow: "allow",
  disallow: "disallow",
  "content-usage": "content-usage",
  "content-signal": "content-signal",
};

/** Parses robots.txt text (already decoded as UTF-8). */
export function parseRobotsTxt(text: string): RobotsTxt {
  const bytes = new TextEncoder().encode(text);
  const truncated = bytes.length > ROBOTS_PARSE_LIMIT;
  if (truncated) text = new TextDecoder().decode(bytes.subarray(0, ROBOTS_PARSE_LIMIT));
  const out: RobotsTxt = { groups: [], licenses: [], sitemaps: [], ignored: [], truncated };
  let current: Group | null = null;
  let lastWasAgent = false;
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    const hash = raw.indexOf("#");
    const content = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (content === "") return;
    const colon = content.indexOf(":");
    if (colon < 0) {
      out.ignored.push({ line, text: raw, why: "not a 'name: value' record" });
      return;
    }
    const name = content.slice(0, colon).trim().toLowerCase();
    const value = content.slice(colon + 1).trim();
    if (name === "user-agent") {
      if (!current || !lastWasAgent) {
        current = { userAgents: [], rules: [] };
        out.groups.push(current);
      }
      current.userAgents.push(value);
      lastWasAgent = true;
      return;
    }
    if (name === "license") {
      out.licenses.push(value);
      return;
    }
    if (name === "sitemap") {
      out.sitemaps.push(value);
      return;
    }
    const kind = RULE_NAMES[name];
    if (!kind) {
      out.ignored.push({ line, text: raw, why: `unknown record '${name}'` });
      return;
    }
    if (!current) {
      out.ignored.push({ line, text: raw, why: "a rule before any user-agent line" });
      return;
    }
    lastWasAgent = false;
    if (kind === "allow" || kind === "disallow") current.rules.push({ kind, path: value });
    else current.rules.push({ kind, ...splitPreferenceRule(value) });
  });
  return out;
}

/**
 * attach-05 §3.2: the value starts with "/" when it has a path, which ends at the first SP or HTAB;
 * the rest is the statement. A value not starting with "/" is all statement.
 */
export function splitPreferenceRule(value: string): { path: string; statement: string } {
  if (!value.startsWith("/")) return { path: "", statement: value };
  const end = value.search(/[ \t]/);
  if (end < 0) return { path: value, statement: "" };
  return { path: value.slice(0, end), statement: value.slice(end).replace(/^[ \t]+/, "") };
}

/** Writes robots.txt text; parseRobotsTxt reads back the same groups, licenses and sitemaps. */
export function serializeRobotsTxt(r: Pick<RobotsTxt, "groups" | "licenses" | "sitemaps">): string {
  const lines: string[] = [];
  for (const l of r.licenses) lines.push(`License: ${l}`);
  for (const s of r.sitemaps) lines.push(`Sitemap: ${s}`);
  for (const g of r.groups) {
    if (lines.length) lines.push("");
    for (const ua of g.userAgents) lines.push(`User-agent: ${ua}`);
    for (const rule of g.rules) lines.push(serializeRule(rule));
  }
  return lines.join("\n") + "\n";
}

function serializeRule(rule: Rule): string {
  const name = { allow: "Allow", disallow: "Disallow", "content-usage": "Content-Usage", "content-signal": "Content-Signal" }[rule.kind];
  if (rule.kind === "allow" || rule.kind === "disallow") return `${name}: ${rule.path}`;
  const { path, statement } = rule as PreferenceRule;
  return `${name}: ${[path, statement].filter((s) => s !== "").join(" ")}`;
}

// ---- Matching ----

/** The rules that apply to a crawler with this product token (RFC 9309 §2.2.1), merged; null when no group applies. */
export function rulesFor(r: RobotsTxt, productToken: string): Rule[] | null {
  const token = productToken.toLowerCase();
  const named = r.groups.filter((g) => g.userAgents.some((ua) => ua.toLowerCase() === token));
  const chosen = named.length ? named : r.groups.filter((g) => g.userAgents.includes("*"));
  return chosen.length ? chosen.flatMap((g) => g.rules) : null;
}

/**
 * The path and query a rule is matched against: the URL's path plus `?query`, percent-normalized.
 * The robots.txt URI itself is always allowed (§2.2.2).
 */
export function matchTarget(url: URL): string {
  return normalizePercent(url.pathname + url.search);
}

/** Whether the crawler may fetch `target` (from matchTarget) under `rules` (§2.2.2). */
export function isAllowed(rules: Rule[] | null, target: string): boolean {
  return target === "/robots.txt" || (pathDecision(rules, target) ?? "allow") === "allow";
}

/** The longest-matching Allow/Disallow rule's verdict for `target`, or null when none matches. */
export function pathDecision(rules: Rule[] | null, target: string): "allow" | "disallow" | null {
  return decisiveRule(rules, target)?.kind ?? null;
}

/** The longest-matching Allow/Disallow rule for `target` (Allow on a tie), or null (§2.2.2). */
export function decisiveRule(rules: Rule[] | null, target: string): PathRule | null {
  if (!rules) return null;
  let best: { length: number; rule: PathRule } | null = null;
  for (const rule of rules) {
    if (rule.kind !== "allow" && rule.kind !== "disallow") continue;
    if (rule.path === "") continue; // "Disallow:" with no path matches nothing
    const pattern = normalizePercent(rule.path);
    if (!patternMatches(pattern, target)) continue;
    const length = octets(pattern);
    if (!best || length > best.length || (length === best.length && rule.kind === "allow")) best = { length, rule };
  }
  return best?.rule ?? null;
}

/**
 * The statements of the longest-matching `kind` rules for `target` (several when their paths are
 * identical); [] when none matches or when the path may not be crawled (attach-05 §3.1).
 */
export function preferenceRulesFor(rules: Rule[] | null, target: string, kind: PreferenceRule["kind"]): PreferenceRule[] {
  if (!rules || !isAllowed(rules, target)) return [];
  let best: PreferenceRule[] = [];
  let bestLength = -1;
  for (const rule of rules) {
    if (rule.kind !== kind) continue;
    const pattern = normalizePercent(rule.path);
    if (rule.path !== "" && !patternMatches(pattern, target)) continue;
    const length = rule.path === "" ? 0 : octets(pattern);
    if (length > bestLength) {
      best = [rule];
      bestLength = length;
    } else if (length === bestLength) best.push(rule);
  }
  return best;
}

const octets = (s: string) => new TextEncoder().encode(s).length;

/**
 * RFC 9309 §2.2.2: octets outside US-ASCII and reserved ones are compared percent-encoded; a
 * percent-encoded unreserved octet is compared decoded; hex digits are compared upper-case.
 */
export function normalizePercent(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%" && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      const byte = parseInt(s.slice(i + 1, i + 3), 16);
      const ch = String.fromCharCode(byte);
      out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : "%" + s.slice(i + 1, i + 3).toUpperCase();
      i += 2;
    } else if (c.charCodeAt(0) > 0x7e || c.charCodeAt(0) <= 0x20) {
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of new TextEncoder().encode(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
      i += ch.length - 1;
    } else out += c;
  }
  return out;
}

/**
 * Whether `pattern` (with `*` for any run of octets and a final `$` for the end) matches a prefix
 * of `target` (§2.2.3). Greedy with one backtrack point per `*`: linear in practice, and never
 * exponential, whatever a hostile file writes.
 */
export function patternMatches(pattern: string, target: string): boolean {
  const anchored = pattern.endsWith("$");
  const p = anchored ? pattern.slice(0, -1) : pattern;
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < target.length) {
    if (pi < p.length && p[pi] === "*") {
      star = pi++;
      mark = ti;
    } else if (pi < p.length && p[pi] === target[ti]) {
      pi++;
      ti++;
    } else if (pi === p.length && !anchored) {
      return true; // the pattern is a prefix of the target
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}
