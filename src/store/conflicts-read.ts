import type { ConflictKind } from "../domain/conflicts";
import { inJson, jsonList } from "./bound-parameters";
import type { Reader } from "./db";

/** How an answer cites a conflict: enough to see that it is disputed and to look it up. */
export interface ConflictCitation {
  id: string;
  kind: ConflictKind;
  claim: string;
  counterpart: string;
}

/**
 * The conflicts involving any of these declarations while both sides are active (a revoked or
 * superseded claim disputes nothing any more), by declaration id. One statement.
 */
export async function conflictsOf(db: Reader, ids: readonly string[]): Promise<Map<string, ConflictCitation[]>> {
  if (!ids.length) return new Map();
  const { results } = await db.prepare(conflictsAmongSql(inJson("?1"))).bind(jsonList([...new Set(ids)])).all<ConflictCitation>();
  return conflictsById(results);
}

/**
 * FROM … WHERE of the conflicts involving the declarations `involves` names (`IN (…)`, or `= d.id`
 * in a subquery per declaration), both sides active: the one definition conflictsOf and the lookup's
 * rules-with-conflicts statement (url-rules-lookup.ts) both read.
 */
export function activeConflictsInvolving(involves: string): string {
  return `FROM conflicts c
       JOIN declarations a ON a.id = c.claim JOIN declarations b ON b.id = c.counterpart
       WHERE (c.claim ${involves} OR c.counterpart ${involves}) AND a.status = 'active' AND b.status = 'active'`;
}

/** SQL for the conflicts involving the declarations whose ids `inCited` ("IN (…)") names, both sides active, in order. */
function conflictsAmongSql(inCited: string): string {
  return `SELECT c.id AS id, c.kind AS kind, c.claim AS claim, c.counterpart AS counterpart ${activeConflictsInvolving(inCited)}
       ORDER BY c.n`;
}

/** Rows of conflictsAmongSql by declaration id, each conflict once per id. */
export function conflictsById(rows: readonly ConflictCitation[]): Map<string, ConflictCitation[]> {
  const out = new Map<string, ConflictCitation[]>();
  for (const c of rows)
    for (const id of [c.claim, c.counterpart]) {
      const list = out.get(id) ?? [];
      if (!list.some((x) => x.id === c.id)) list.push(c);
      out.set(id, list);
    }
  return out;
}

/** Conflicts concerning a party (a key, a verified controller, a member), newest first found last (keyset on n). */
export async function conflictsOfParty(db: Reader, party: string, afterN: number, limit: number) {
  const { results } = await db
    .prepare(
      `SELECT c.n AS n, c.id AS id, c.kind AS kind, c.claim AS claim, c.counterpart AS counterpart, c.matched AS matched, c.found_at AS found_at
       FROM conflict_parties p JOIN conflicts c ON c.id = p.conflict WHERE p.party = ?1 AND c.n > ?2 ORDER BY c.n LIMIT ?3`,
    )
    .bind(party, afterN, limit)
    .all<{ n: number; id: string; kind: ConflictKind; claim: string; counterpart: string; matched: string; found_at: string }>();
  return results;
}
