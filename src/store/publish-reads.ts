/**
 * The URL rules a declarant holds on a host, for GET /v1/publish: its active declarations, by key,
 * or by did:web controller only where the registry verified it (anyone can write a controller into
 * a signature; a site must not publish what someone else declared in its name).
 */

export interface DeclarantRuleRow {
  id: string;
  vocabulary: number;
  preferences: string;
  policy: string | null;
  kind: "exact" | "prefix" | "host";
  pattern: string;
}

const RULES_SQL = `
SELECT d.id AS id, d.vocabulary AS vocabulary, d.preferences AS preferences, d.body ->> '$.policy' AS policy, r.kind AS kind, r.pattern AS pattern
FROM url_rules r JOIN declarations d ON d.seq = r.seq
WHERE d.status = 'active'
  AND (d.declarant = ?1 OR (d.controller = ?1 AND d.controller_verified = 1))
  AND r.host IN (SELECT value FROM json_each(?2))
ORDER BY d.seq`;

/** Rules indexed under any of `hosts` (a host and its parent domains, as url_rules.host holds them). */
export async function declarantRulesOnHosts(db: D1Database, declarant: string, hosts: string[]): Promise<DeclarantRuleRow[]> {
  const { results } = await db.prepare(RULES_SQL).bind(declarant, JSON.stringify(hosts)).all<DeclarantRuleRow>();
  return results;
}
