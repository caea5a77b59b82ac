import { jsonPointer, type FieldError } from "../domain/field-error";
import { combinePreferences, contentUsageHeader, isOptedOut, toCurrent, vocabularyOf, type ResolvedPreferences } from "../domain/preferences";
import { hostOfNormalized, matchKey, normalizeUrl, UrlError } from "../domain/url-normalize";
import { hostLookupKeys } from "../domain/url-pattern";
import { declaredUrls, type Reader } from "../filter/declared-urls";

export interface UrlCitation {
  id: string;
  pattern: string;
  kind: string;
  verification: "domain-verified" | "self-asserted";
  declarant: string;
  controller: string | null;
  /** The vocabulary the declaration's own `preferences` are in (src/domain/preferences.ts). */
  vocabulary: number;
  preferences: Record<string, "y" | "n">;
}

export type UrlLookup =
  | {
      url: string;
      normalized: string;
      opted_out: boolean;
      preferences: ResolvedPreferences;
      content_usage: string;
      declarations: UrlCitation[];
    }
  | { url: string; error: FieldError };

/** A citation as D1 returns it: tagged with its URL's index, preferences still JSON text. */
interface RuleRow extends Omit<UrlCitation, "preferences"> {
  i: number;
  preferences: string;
}

/**
 * URLs per statement. Each statement carries its chunk as one JSON parameter, so the number of
 * bound parameters (D1 allows 100) never limits the chunk; 100 URLs keeps a statement's text and
 * result small. All statements of a request go in one D1 batch: one round trip.
 */
export const URLS_PER_STATEMENT = 100;

/**
 * Every active URL rule that covers any URL of the chunk, tagged with the URL's index: the exact
 * rule for its match key, prefix rules on its host whose prefix it starts with, and host rules on
 * its host or a parent domain. Each arm is answered from an index (url_rules_key, url_rules_host).
 */
const RULES_SQL = `
WITH q AS (SELECT key AS i, value->>0 AS k, value->>1 AS h, value->2 AS hs FROM json_each(?1))
SELECT q.i AS i, d.seq AS seq, d.id AS id, r.pattern AS pattern, r.kind AS kind, r.verification AS verification,
       d.declarant AS declarant, d.controller AS controller, d.vocabulary AS vocabulary, d.preferences AS preferences
FROM q JOIN url_rules r ON r.key = q.k AND r.kind = 'exact' JOIN declarations d ON d.seq = r.seq
WHERE d.status = 'active'
UNION ALL
SELECT q.i, d.seq, d.id, r.pattern, r.kind, r.verification, d.declarant, d.controller, d.vocabulary, d.preferences
FROM q JOIN url_rules r ON r.host = q.h AND r.kind = 'prefix' AND substr(q.k, 1, length(r.key)) = r.key
JOIN declarations d ON d.seq = r.seq
WHERE d.status = 'active'
UNION ALL
SELECT q.i, d.seq, d.id, r.pattern, r.kind, r.verification, d.declarant, d.controller, d.vocabulary, d.preferences
FROM q JOIN json_each(q.hs) AS p JOIN url_rules r ON r.host = p.value AND r.kind = 'host' JOIN declarations d ON d.seq = r.seq
WHERE d.status = 'active'
ORDER BY 1, 2`;

export interface LookupOptions {
  /** Use the isolate's filter of declared URL keys (declared-urls.ts); off: every URL is queried. */
  filter: boolean;
  /** How old the isolate's registry version may be before it is re-read, in ms. */
  freshnessMs: number;
  /** The client sent a bookmark: it expects its own writes, so the filter is not used. */
  forceFresh?: boolean;
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
    return { url, normalized, key: matchKey(normalized), host: hostOfNormalized(normalized) };
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
  const filter = opts.filter && !opts.forceFresh && (await declaredUrls.refresh(db, opts.freshnessMs));
  const toQuery: ParsedUrl[] = [];
  for (const p of parsed) if ("normalized" in p && (!filter || declaredUrls.mayCover(p.key, p.host))) toQuery.push(p);
  const rules = await queryRules(db, toQuery);
  let next = 0;
  return parsed.map((p) => {
    if ("error" in p) return p;
    const mine = toQuery[next] === p ? rules[next++]! : [];
    return answer(p.url, p.normalized, mine);
  });
}

/** The rules covering each URL, in order, with one statement per chunk and one round trip. */
export async function queryRules(db: Reader, urls: { key: string; host: string }[]): Promise<RuleRow[][]> {
  const out: RuleRow[][] = urls.map(() => []);
  if (!urls.length) return out;
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < urls.length; i += URLS_PER_STATEMENT) {
    const chunk = urls.slice(i, i + URLS_PER_STATEMENT).map((u) => [u.key, u.host, hostLookupKeys(u.host)]);
    statements.push(db.prepare(RULES_SQL).bind(JSON.stringify(chunk)));
  }
  const results = await db.batch<RuleRow>(statements);
  results.forEach((r, c) => {
    for (const row of r.results) out[c * URLS_PER_STATEMENT + row.i]!.push(row);
  });
  return out;
}

/** The preferences of a URL nothing covers: one shared value, since most answers are this one. */
const NONE = Object.freeze(combinePreferences([]));
const NONE_USAGE = contentUsageHeader(NONE);

/** The JSON text of a not-declared answer after its url and normalized fields, written once. */
const NONE_TAIL = `,"opted_out":false,"preferences":${JSON.stringify(NONE)},"content_usage":${JSON.stringify(NONE_USAGE)},"declarations":[]}`;

/**
 * `JSON.stringify({ results })`, byte for byte, without stringifying 10,000 objects: a
 * not-declared answer (the shared NONE preferences, no declarations) is its two URLs plus the
 * constant NONE_TAIL; any other result is stringified as usual.
 */
export function serializeLookups(results: readonly UrlLookup[]): string {
  let out = '{"results":[';
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    if (i > 0) out += ",";
    if ("error" in r || r.preferences !== NONE || r.declarations.length !== 0) {
      out += JSON.stringify(r);
      continue;
    }
    const url = JSON.stringify(r.url);
    out += '{"url":' + url + ',"normalized":' + (r.normalized === r.url ? url : JSON.stringify(r.normalized)) + NONE_TAIL;
  }
  return out + "]}";
}

export function answer(url: string, normalized: string, rules: RuleRow[]): UrlLookup {
  if (!rules.length) return { url, normalized, opted_out: false, preferences: NONE, content_usage: NONE_USAGE, declarations: [] };
  const declarations = rules.map(({ id, pattern, kind, verification, declarant, controller, vocabulary, preferences }) => ({
    id,
    pattern,
    kind,
    verification,
    declarant,
    controller,
    vocabulary,
    preferences: JSON.parse(preferences) as Record<string, "y" | "n">,
  }));
  const preferences = combinePreferences(declarations.map((d) => toCurrent(vocabularyOf(d), d.preferences)));
  return {
    url,
    normalized,
    opted_out: isOptedOut(preferences),
    preferences,
    content_usage: contentUsageHeader(preferences),
    declarations,
  };
}
