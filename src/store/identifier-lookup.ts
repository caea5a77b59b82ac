import type { IdentifierKind, WorkIdentifier } from "../domain/work-identifier";
import type { Reader } from "./db";

/** An active declaration naming a looked-up identifier, tagged with the identifier's index; preferences still JSON text. */
export interface IdentifierRow {
  i: number;
  seq: number;
  id: string;
  kind: IdentifierKind;
  value: string;
  declarant: string;
  controller: string | null;
  /** The vocabulary the declaration's own `preferences` are in (src/domain/preferences.ts). */
  vocabulary: number;
  preferences: string;
}

/**
 * Identifiers per statement. Each statement carries its chunk as one JSON parameter, so the
 * 100 bound parameters never limit it; all statements of a request go in one D1 batch.
 */
export const IDENTIFIERS_PER_STATEMENT = 500;

/** Exact matches on (kind, value), each answered from the index work_identifiers_value. */
const IDENTIFIERS_SQL = `
WITH q AS (SELECT key AS i, value->>0 AS k, value->>1 AS v FROM json_each(?1))
SELECT q.i AS i, d.seq AS seq, d.id AS id, w.kind AS kind, w.value AS value, d.declarant AS declarant,
       d.controller AS controller, d.vocabulary AS vocabulary, d.preferences AS preferences
FROM q JOIN work_identifiers w ON w.kind = q.k AND w.value = q.v JOIN declarations d ON d.seq = w.seq
WHERE d.status = 'active'
ORDER BY 1, 2`;

/** The active declarations naming each identifier (canonical), in order, in one round trip. */
export async function declarationsNamingIdentifiers(db: Reader, ids: readonly WorkIdentifier[]): Promise<IdentifierRow[][]> {
  const out: IdentifierRow[][] = ids.map(() => []);
  if (!ids.length) return out;
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < ids.length; i += IDENTIFIERS_PER_STATEMENT) {
    const chunk = ids.slice(i, i + IDENTIFIERS_PER_STATEMENT).map((w) => [w.kind, w.value]);
    statements.push(db.prepare(IDENTIFIERS_SQL).bind(JSON.stringify(chunk)));
  }
  const results = await db.batch<IdentifierRow>(statements);
  results.forEach((r, c) => {
    for (const row of r.results) out[c * IDENTIFIERS_PER_STATEMENT + row.i]!.push(row);
  });
  return out;
}
