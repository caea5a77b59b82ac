import { jsonPointer, type FieldError } from "../domain/field-error";
import { combinePreferences, contentUsageHeader, isOptedOut, type ResolvedPreferences } from "../domain/preferences";
import { hostOfNormalized, matchKey, normalizeUrl, UrlError } from "../domain/url-normalize";
import { hostLookupKeys } from "../domain/url-pattern";

export interface UrlCitation {
  id: string;
  pattern: string;
  kind: string;
  verification: "domain-verified" | "self-asserted";
  declarant: string;
  controller: string | null;
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

interface RuleRow {
  id: string;
  pattern: string;
  kind: string;
  verification: "domain-verified" | "self-asserted";
  declarant: string;
  controller: string | null;
  preferences: string;
}

/** Statements per D1 batch; one batch is one round trip. */
const STATEMENTS_PER_BATCH = 500;

/**
 * Every active URL rule that covers the URL: the exact rule for its match key, prefix rules on
 * its host whose prefix it starts with, and host rules on its host or a parent domain.
 */
const RULES_SQL = `
SELECT d.id, r.pattern, r.kind, r.verification, d.declarant, d.controller, d.preferences
FROM url_rules r JOIN declarations d ON d.seq = r.seq
WHERE d.status = 'active' AND (
  (r.kind = 'exact' AND r.key = ?1) OR
  (r.kind = 'prefix' AND r.host = ?2 AND substr(?1, 1, length(r.key)) = r.key) OR
  (r.kind = 'host' AND r.host IN (SELECT value FROM json_each(?3))))
ORDER BY d.seq`;

/** Looks up many URLs in order; a bad URL gets its own error and does not spoil the others. */
export async function lookupUrls(db: D1Database, urls: string[], pointer: (i: number) => (string | number)[]): Promise<UrlLookup[]> {
  const parsed = urls.map((url, i) => {
    try {
      const normalized = normalizeUrl(url);
      return { url, normalized, host: hostOfNormalized(normalized) };
    } catch (e) {
      if (!(e instanceof UrlError)) throw e;
      return { url, error: { pointer: jsonPointer(pointer(i)), detail: e.message } };
    }
  });
  const valid = parsed.filter((p): p is { url: string; normalized: string; host: string } => "normalized" in p);
  const rows: RuleRow[][] = [];
  for (let i = 0; i < valid.length; i += STATEMENTS_PER_BATCH) {
    const statements = valid
      .slice(i, i + STATEMENTS_PER_BATCH)
      .map((v) => db.prepare(RULES_SQL).bind(matchKey(v.normalized), v.host, JSON.stringify(hostLookupKeys(v.host))));
    for (const r of await db.batch<RuleRow>(statements)) rows.push(r.results);
  }
  let next = 0;
  return parsed.map((p) => ("error" in p ? { url: p.url, error: p.error! } : answer(p.url, p.normalized!, rows[next++]!)));
}

function answer(url: string, normalized: string, rules: RuleRow[]): UrlLookup {
  const declarations = rules.map((r) => ({ ...r, preferences: JSON.parse(r.preferences) as Record<string, "y" | "n"> }));
  const preferences = combinePreferences(declarations.map((d) => d.preferences));
  return {
    url,
    normalized,
    opted_out: isOptedOut(preferences),
    preferences,
    content_usage: contentUsageHeader(preferences),
    declarations,
  };
}
