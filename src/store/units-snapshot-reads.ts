import type { Reader } from "./db";

/**
 * What the units snapshot (GET /v1/snapshot/units) reads at one registry version, page by page
 * through a D1 read session.
 */
const PAGE = 50_000;

/** Rows of `sql` (which must select `rowid` and take ?1 = version, ?2 = after rowid, ?3 = limit), page by page. */
async function* pages<T extends { rowid: number }>(db: Reader, sql: string, version: number): AsyncGenerator<T> {
  let after = -1;
  for (;;) {
    const { results } = await db.prepare(sql).bind(version, after, PAGE).all<T>();
    yield* results;
    if (results.length < PAGE) return;
    after = results[results.length - 1]!.rowid;
  }
}

export interface ActiveDeclarationRow {
  rowid: number;
  seq: number;
  id: string;
  verified: number;
  vocabulary: number;
  preferences: string;
}

/** Active declarations up to `version` that have units or a datahash, in seq order. */
export function activeDeclarationsWithUnits(db: Reader, version: number): AsyncGenerator<ActiveDeclarationRow> {
  return pages<ActiveDeclarationRow>(
    db,
    `SELECT seq AS rowid, seq, id, controller_verified AS verified, vocabulary, preferences FROM declarations
     WHERE status = 'active' AND seq <= ?1 AND seq > ?2
       AND (EXISTS (SELECT 1 FROM iscc_units u WHERE u.seq = declarations.seq) OR EXISTS (SELECT 1 FROM datahashes h WHERE h.seq = declarations.seq))
     ORDER BY seq LIMIT ?3`,
    version,
  );
}

/** Every ISCC unit of a declaration up to `version`, in rowid order. */
export function unitsUpTo(db: Reader, version: number): AsyncGenerator<{ rowid: number; seq: number; unitType: string; bodyHex: string }> {
  return pages(db, `SELECT rowid, seq, unit_type AS unitType, body_hex AS bodyHex FROM iscc_units WHERE seq <= ?1 AND rowid > ?2 ORDER BY rowid LIMIT ?3`, version);
}

/** Every datahash of a declaration up to `version`, in rowid order. */
export function datahashesUpTo(db: Reader, version: number): AsyncGenerator<{ rowid: number; seq: number; datahash: string }> {
  return pages(db, `SELECT rowid, seq, datahash FROM datahashes WHERE seq <= ?1 AND rowid > ?2 ORDER BY rowid LIMIT ?3`, version);
}
