import { hostLookupKeys, type UrlPattern } from "../domain/url-pattern";
import { activeConflictsInvolving, conflictsById, type ConflictCitation } from "./conflicts-read";
import type { Reader } from "./db";

/** How fresh a D1 answer is: the highest declaration seq and conflict n of the database that gave it. */
export interface ReadAt {
  seq: number;
  conflicts: number;
}

/** An active URL rule covering a looked-up URL, tagged with the URL's index; preferences still JSON text. */
export interface RuleRow {
  i: number;
  seq: number;
  id: string;
  pattern: string;
  kind: UrlPattern["kind"];
  verification: "domain-verified" | "self-asserted";
  declarant: string;
  controller: string | null;
  /** The vocabulary the declaration's own `preferences` are in (src/domain/preferences.ts). */
  vocabulary: number;
  preferences: string;
  /** The declaration's `policy` (where its terms are), or null. */
  policy: string | null;
  /** The member of an agent's declaration, else null. */
  alsoBy: string | null;
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
 * its host or a parent domain. Each arm is answered from an index (url_rules_key, url_rules_host);
 * url_rules_host holds each rule's key, so the prefix arm tests a host's prefix rules in the index and
 * reads the table only for those that cover the URL (a host's rules are far apart in the table: the
 * table reads were most of the statement's time for URLs on declared hosts).
 */
const QUERIED = "q AS (SELECT key AS i, value->>0 AS k, value->>1 AS h, value->2 AS hs FROM json_each(?1))";
/** The three arms, selecting `columns` of q (the URL), r (the rule) and d (its active declaration). */
const arms = (columns: string) => `
SELECT ${columns}
FROM q JOIN url_rules r ON r.key = q.k AND r.kind = 'exact' JOIN declarations d ON d.seq = r.seq
WHERE d.status = 'active'
UNION ALL
SELECT ${columns}
FROM q JOIN url_rules r ON r.host = q.h AND r.kind = 'prefix' AND substr(q.k, 1, length(r.key)) = r.key
JOIN declarations d ON d.seq = r.seq
WHERE d.status = 'active'
UNION ALL
SELECT ${columns}
FROM q JOIN json_each(q.hs) AS p JOIN url_rules r ON r.host = p.value AND r.kind = 'host' JOIN declarations d ON d.seq = r.seq
WHERE d.status = 'active'`;

const RULE_COLUMNS = `q.i AS i, d.seq AS seq, d.id AS id, r.pattern AS pattern, r.kind AS kind, r.verification AS verification,
       d.declarant AS declarant, d.controller AS controller, d.vocabulary AS vocabulary, d.preferences AS preferences,
       d.body ->> '$.policy' AS policy, d.also_by AS alsoBy`;

const RULES_SQL = `WITH ${QUERIED} ${arms(RULE_COLUMNS)}
ORDER BY 1, 2`;

/**
 * RULES_SQL with each rule's conflicts (conflictsOf's rows for its declaration, as a JSON array
 * of [n, id, kind, claim, counterpart]; nearly always "[]") in one more column: a lookup that cites
 * declarations needs both, and one statement instead of two saves a statement's cost in D1 beyond the
 * query. `readAt`, `conflictsAt`: the highest declaration seq and conflict n the answering database
 * had applied, which say how fresh the answer is (filter/covering-rules-cache.ts).
 */
const RULES_WITH_CONFLICTS_SQL = `WITH ${QUERIED} ${arms(`${RULE_COLUMNS},
       (SELECT json_group_array(json_array(c.n, c.id, c.kind, c.claim, c.counterpart)) ${activeConflictsInvolving("= d.id")}) AS conflicts,
       (SELECT max(seq) FROM declarations) AS readAt, (SELECT coalesce(max(n), 0) FROM conflicts) AS conflictsAt`)}
ORDER BY 1, 2`;

/** The rules covering each URL, in order, with one statement per chunk and one round trip. */
export async function queryRules(db: Reader, urls: { key: string; host: string }[]): Promise<RuleRow[][]> {
  return (await queryCoveringRules(db, urls, false)).rules;
}

/**
 * queryRules, and with `withConflicts` the conflicts involving the declarations cited (as
 * conflictsOf gives them), in the same round trip: a lookup that cites declarations needs both.
 * `readAt`: how fresh the answer is (RULES_WITH_CONFLICTS_SQL; -Infinity when no rule was found or
 * without conflicts).
 */
export async function queryCoveringRules(
  db: Reader,
  urls: { key: string; host: string }[],
  withConflicts: boolean,
): Promise<{ rules: RuleRow[][]; conflicts: Map<string, ConflictCitation[]>; readAt: ReadAt }> {
  const out: RuleRow[][] = urls.map(() => []);
  const readAt = { seq: Infinity, conflicts: Infinity };
  if (!urls.length) return { rules: out, conflicts: new Map(), readAt: { seq: -Infinity, conflicts: -Infinity } };
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < urls.length; i += URLS_PER_STATEMENT) {
    const chunk = JSON.stringify(urls.slice(i, i + URLS_PER_STATEMENT).map((u) => [u.key, u.host, hostLookupKeys(u.host)]));
    statements.push(db.prepare(withConflicts ? RULES_WITH_CONFLICTS_SQL : RULES_SQL).bind(chunk));
  }
  const results = await db.batch<RuleRow & { conflicts?: string; readAt?: number; conflictsAt?: number }>(statements);
  const found: [n: number, conflict: ConflictCitation][] = [];
  results.forEach((r, c) => {
    for (const row of r.results) {
      if (row.conflicts !== undefined) {
        for (const [n, id, kind, claim, counterpart] of JSON.parse(row.conflicts) as [number, string, ConflictCitation["kind"], string, string][])
          found.push([n, { id, kind, claim, counterpart }]);
        readAt.seq = Math.min(readAt.seq, row.readAt!);
        readAt.conflicts = Math.min(readAt.conflicts, row.conflictsAt!);
        delete row.conflicts;
        delete row.readAt;
        delete row.conflictsAt;
      }
      out[c * URLS_PER_STATEMENT + row.i]!.push(row);
    }
  });
  // In conflictsOf's order (c.n); a conflict of two cited rules comes once per rule: conflictsById keeps one.
  const conflicts = conflictsById(found.sort((a, b) => a[0] - b[0]).map(([, c]) => c));
  if (readAt.seq === Infinity) readAt.seq = readAt.conflicts = -Infinity;
  return { rules: out, conflicts, readAt };
}
