import { jsonPointer, type FieldError } from "../domain/field-error";
import { effectivePreferences } from "../domain/consent";
import { dialectsFor, type DialectMap } from "../dialects/dialect-map";
import { combinePreferences, contentUsageHeader, isOptedOut, type ResolvedPreferences } from "../domain/preferences";
import { hostOfKey, matchKey, normalizeUrl, UrlError } from "../domain/url-normalize";
import type { AgencyLabel, AgentCitation } from "../domain/agency";
import { declaredUrls } from "../filter/declared-urls";
import { coveringRulesCache } from "../filter/covering-rules-cache";
import type { ConflictCitation } from "../store/conflicts-read";
import type { Reader } from "../store/db";
import { queryCoveringRules, URLS_PER_STATEMENT, type RuleRow } from "../store/url-rules-lookup";
import type { IdentifierLookup } from "./lookup-identifiers";
import { annotateCitations } from "./agency-labels";

/** A declaration as a lookup cites it. */
export interface UrlCitation extends Omit<RuleRow, "i" | "seq" | "preferences" | "alsoBy" | "verification"> {
  /** The rule's own label, or for an agent's declaration its agency label (flows/agency-labels.ts). */
  verification: RuleRow["verification"] | AgencyLabel;
  preferences: Record<string, "y" | "n">;
  /** For an agent's declaration: who acts for whom, on what authority (flows/agency-labels.ts); else null. */
  agent: AgentCitation | null;
}

export type UrlLookup =
  | {
      url: string;
      normalized: string;
      opted_out: boolean;
      preferences: ResolvedPreferences;
      content_usage: string;
      declarations: UrlCitation[];
      /** Only when declarations cover the URL: the preferences in every dialect (dialect-map.ts). */
      dialects?: DialectMap;
      /** Conflicts involving the cited declarations (src/domain/conflicts.ts): the answer is disputed. Absent when nothing is cited. */
      conflicts?: ConflictCitation[];
    }
  | { url: string; error: FieldError };

export interface LookupOptions {
  /** Use the isolate's filter of declared URL keys (declared-urls.ts); off: every URL is queried. */
  filter: boolean;
  /** How old the isolate's registry version may be before it is re-read, in ms. */
  freshnessMs: number;
  /** The client sent a bookmark: it expects its own writes, so the filter is not used. */
  forceFresh?: boolean;
  /**
   * The request's waitUntil: an old or missing filter is then refreshed in the background
   * (declared-urls.ts). Without a filter yet, only a request of at most one statement's URLs is
   * answered from D1 meanwhile; a bigger one waits for the filter (one snapshot read).
   */
  background?: (load: Promise<unknown>) => void;
}

interface ParsedUrl {
  url: string;
  normalized: string;
  key: string;
  host: string;
}

/** Normalizes a URL for lookup, or says why it cannot be looked up. */
export function parseLookupUrl(url: string, pointer: (string | number)[] | (() => (string | number)[])): ParsedUrl | { url: string; error: FieldError } {
  try {
    const normalized = normalizeUrl(url);
    const key = matchKey(normalized);
    return { url, normalized, key, host: hostOfKey(key) };
  } catch (e) {
    if (!(e instanceof UrlError)) throw e;
    return { url, error: { pointer: jsonPointer(typeof pointer === "function" ? pointer() : pointer), detail: e.message } };
  }
}

/** Looks up many URLs in order; a bad URL gets its own error and does not spoil the others. */
export async function lookupUrls(db: Reader, urls: string[], pointer: (i: number) => (string | number)[], opts: LookupOptions): Promise<UrlLookup[]> {
  // The pointer of a URL is built only for one that fails (no array per URL on the common path).
  const parsed = urls.map((url, i) => parseLookupUrl(url, () => pointer(i)));
  // With a bookmark the client expects its own writes: D1 through the bookmarked session decides.
  const background = declaredUrls.hasFilter || parsed.length <= URLS_PER_STATEMENT ? opts.background : undefined;
  const filter = opts.filter && !opts.forceFresh && (await declaredUrls.refresh(db, opts.freshnessMs, background));
  const toQuery: ParsedUrl[] = [];
  for (const p of parsed) if ("normalized" in p && (!filter || declaredUrls.mayCover(p.key, p.host))) toQuery.push(p);
  const { rules, conflicts } = await coveringRulesOf(db, toQuery, filter);
  let next = 0;
  const results = parsed.map((p) => {
    if ("error" in p) return p;
    const mine = toQuery[next] === p ? rules[next++]! : [];
    return answer(p.url, p.normalized, mine);
  });
  await annotateLookups(db, results, rules.flat(), conflicts);
  return results;
}

/**
 * The rules covering each URL and the conflicts of their declarations. On the filter's path
 * (`kept`: the isolate's registry version is current within the freshness bound) URLs whose rules
 * the isolate kept for that version (filter/covering-rules-cache.ts) cost no D1 round trip; the
 * others are read in one, and what they cite is kept. Without it (a bookmark, URL_FILTER=off), D1.
 */
export async function coveringRulesOf(db: Reader, urls: { key: string; host: string }[], kept: boolean): Promise<{ rules: RuleRow[][]; conflicts: Map<string, ConflictCitation[]> }> {
  const version = declaredUrls.version;
  if (!kept || !version) return queryCoveringRules(db, urls, true);
  const rules: RuleRow[][] = new Array(urls.length);
  const conflicts = new Map<string, ConflictCitation[]>();
  const missing: number[] = [];
  for (let i = 0; i < urls.length; i++) {
    const hit = coveringRulesCache.get(version, urls[i]!.key);
    if (!hit) {
      missing.push(i);
      continue;
    }
    rules[i] = hit.rules;
    for (const [id, list] of hit.conflicts) conflicts.set(id, list);
  }
  if (!missing.length) return { rules, conflicts };
  const read = await queryCoveringRules(db, missing.map((i) => urls[i]!), true);
  // Only the cited declarations' lists are whole (read.conflicts also lists their counterparts'
  // conflicts with them alone, which must not replace a kept whole list).
  for (const found of read.rules) for (const r of found) conflicts.set(r.id, read.conflicts.get(r.id) ?? []);
  // Kept under the version the isolate holds now (it may have moved during the read): put() refuses
  // an answer from a replica older than that version.
  const now = declaredUrls.version ?? version;
  missing.forEach((i, j) => {
    const found = read.rules[j]!;
    rules[i] = found;
    if (found.length) coveringRulesCache.put(now, urls[i]!.key, { rules: found, conflicts: new Map(found.map((r) => [r.id, read.conflicts.get(r.id) ?? []])) }, read.readAt);
  });
  return { rules, conflicts };
}

/** Agents and conflicts of the answers that cite declarations (flows/agency-labels.ts); `conflicts` as queryCoveringRules read them. */
export async function annotateLookups(db: Reader, results: UrlLookup[], rules: readonly RuleRow[], conflicts: Map<string, ConflictCitation[]>): Promise<void> {
  const cited = results.filter((r): r is Extract<UrlLookup, { declarations: unknown }> & { conflicts: ConflictCitation[] } => "declarations" in r && r.declarations.length > 0 && r.conflicts !== undefined);
  await annotateCitations(db, cited, rules.flatMap((r) => (r.alsoBy !== null ? [r.id] : [])), conflicts);
}

/** The preferences of a subject nothing covers: one shared value, since most answers are this one. */
export const NONE = Object.freeze(combinePreferences([]));
export const NONE_USAGE = contentUsageHeader(NONE);

/** The JSON text of a not-declared answer after its subject and normalized fields, written once. */
const NONE_TAIL = `,"opted_out":false,"preferences":${JSON.stringify(NONE)},"content_usage":${JSON.stringify(NONE_USAGE)},"declarations":[]}`;

/**
 * `JSON.stringify({ results, identifiers })`, byte for byte, without stringifying 10,000 objects:
 * a not-declared answer (the shared NONE preferences, no declarations) is its subject as asked and
 * normalized plus the constant NONE_TAIL; any other result is stringified as usual. `identifiers`
 * (src/flows/lookup-identifiers.ts) only when the request had them.
 */
export function serializeLookups(results: readonly UrlLookup[], identifiers?: readonly IdentifierLookup[]): string {
  const out = '{"results":' + serializeList(results, "url");
  return (identifiers ? out + ',"identifiers":' + serializeList(identifiers, "identifier") : out) + "}";
}

function serializeList<F extends "url" | "identifier">(results: readonly (UrlLookup | IdentifierLookup)[], field: F): string {
  let out = "[";
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    if (i > 0) out += ",";
    if ("error" in r || r.preferences !== NONE || r.declarations.length !== 0) {
      out += JSON.stringify(r);
      continue;
    }
    const asked = (r as unknown as Record<F, string>)[field];
    const name = jsonString(asked);
    out += `{"${field}":` + name + ',"normalized":' + (r.normalized === asked ? name : jsonString(r.normalized)) + NONE_TAIL;
  }
  return out + "]";
}

/** JSON.stringify of a string: one that needs no escape (most URLs) is only quoted. */
function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

export function answer(url: string, normalized: string, rules: RuleRow[]): UrlLookup {
  if (!rules.length) return { url, normalized, opted_out: false, preferences: NONE, content_usage: NONE_USAGE, declarations: [] };
  // Typed with the rule's own label: consent is decided on it, before any agent label replaces it.
  const declarations = rules.map(({ id, pattern, kind, verification, declarant, controller, vocabulary, preferences, policy }) => ({
    id,
    pattern,
    kind,
    verification,
    declarant,
    controller,
    vocabulary,
    preferences: JSON.parse(preferences) as Record<string, "y" | "n">,
    policy: policy ?? null,
    agent: null as AgentCitation | null,
  }));
  // A `y` counts only from a domain-verified rule; every `n` counts (src/domain/consent.ts).
  const preferences = effectivePreferences(declarations);
  return {
    url,
    normalized,
    opted_out: isOptedOut(preferences),
    preferences,
    content_usage: contentUsageHeader(preferences),
    declarations,
    // A licensing policy sent as tdm-policy must be the site's own: only a domain-verified declarant's.
    dialects: dialectsFor(preferences, declarations.find((d) => d.policy && d.verification === "domain-verified")?.policy ?? null),
    conflicts: [],
  };
}
