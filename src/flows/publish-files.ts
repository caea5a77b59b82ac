/**
 * GET /v1/publish/{host}/{file}: a declarant's active declarations whose URL rules fall on a host,
 * read from D1, written as the file (src/dialects/publish.ts). The declarant is its key (z6Mk…),
 * or its did:web controller, which counts only where the registry verified it: anyone can write a
 * controller into a signature, and a site must not publish what someone else declared in its name.
 */
import { toCurrent, vocabularyOf } from "../domain/preferences";
import { hostLookupKeys } from "../domain/url-pattern";
import { pathPreferences, publishFile, type PathPreferences, type PublishFile, type PublishedRule } from "../dialects/publish";

interface Row {
  id: string;
  vocabulary: number;
  preferences: string;
  policy: string | null;
  kind: PublishedRule["kind"];
  pattern: string;
}

const RULES_SQL = `
SELECT d.id AS id, d.vocabulary AS vocabulary, d.preferences AS preferences, d.body ->> '$.policy' AS policy, r.kind AS kind, r.pattern AS pattern
FROM url_rules r JOIN declarations d ON d.seq = r.seq
WHERE d.status = 'active'
  AND (d.declarant = ?1 OR (d.controller = ?1 AND d.controller_verified = 1))
  AND r.host IN (SELECT value FROM json_each(?2))
ORDER BY d.seq`;

export async function declarantPaths(db: D1Database, declarant: string, host: string): Promise<PathPreferences[]> {
  const hostname = host.replace(/:\d+$/, "");
  const { results } = await db.prepare(RULES_SQL).bind(declarant, JSON.stringify(hostLookupKeys(hostname))).all<Row>();
  const rules: PublishedRule[] = results.map((r) => ({
    id: r.id,
    kind: r.kind,
    pattern: r.pattern,
    preferences: toCurrent(vocabularyOf(r), JSON.parse(r.preferences) as Record<string, "y" | "n">),
    ...(r.policy ? { policy: r.policy } : {}),
  }));
  return pathPreferences(rules, host);
}

export { publishFile, type PublishFile };
