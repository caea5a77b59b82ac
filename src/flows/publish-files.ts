/**
 * GET /v1/publish/{host}/{file}: a declarant's active declarations whose URL rules fall on a host
 * (src/store/publish-reads.ts), each mapped to the current vocabulary, written as the file
 * (src/dialects/publish.ts).
 */
import { toCurrent, vocabularyOf } from "../domain/preferences";
import { hostLookupKeys } from "../domain/url-pattern";
import { pathPreferences, type PathPreferences, type PublishedRule } from "../dialects/publish";
import { declarantRulesOnHosts } from "../store/publish-reads";

export async function declarantPaths(db: D1Database, declarant: string, host: string): Promise<PathPreferences[]> {
  const rows = await declarantRulesOnHosts(db, declarant, hostLookupKeys(host.replace(/:\d+$/, "")));
  const rules: PublishedRule[] = rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    pattern: r.pattern,
    preferences: toCurrent(vocabularyOf(r), JSON.parse(r.preferences) as Record<string, "y" | "n">),
    ...(r.policy ? { policy: r.policy } : {}),
  }));
  return pathPreferences(rules, host);
}
