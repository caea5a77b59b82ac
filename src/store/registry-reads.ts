import type { Reader } from "./db";

/**
 * Small reads the HTTP edge makes through a plain D1 binding or a read session (a session offers
 * only prepare and batch, so these are SQL, not drizzle).
 */

/** The number of declarations held: GET /healthz's round trip that proves D1 answers. */
export async function countDeclarations(db: Reader): Promise<number> {
  const row = await db.prepare("SELECT count(*) AS n FROM declarations").first<{ n: number }>();
  return row?.n ?? 0;
}

/** The registry version: the highest seq, 0 when empty. */
export async function registryVersion(db: Reader): Promise<number> {
  const row = await db.prepare("SELECT max(seq) AS seq FROM declarations").first<{ seq: number | null }>();
  return row?.seq ?? 0;
}

/**
 * A round trip on a session that started at the primary, after a write committed: its bookmark
 * then covers the write (read-your-writes across replicas).
 */
export async function touchPrimary(session: D1DatabaseSession): Promise<void> {
  await session.prepare("SELECT 1").first();
}

export interface RuleKeyRow {
  rowid: number;
  kind: string;
  key: string;
}

/** A page of the URL rules of active declarations up to `version`, in rowid order after `afterRowid`. */
export async function activeRulesPage(db: Reader, version: number, afterRowid: number, limit: number): Promise<RuleKeyRow[]> {
  const { results } = await db
    .prepare(
      `SELECT r.rowid AS rowid, r.kind AS kind, r.key AS key FROM url_rules r JOIN declarations d ON d.seq = r.seq
       WHERE d.status = 'active' AND r.seq <= ?1 AND r.rowid > ?2 ORDER BY r.rowid LIMIT ?3`,
    )
    .bind(version, afterRowid, limit)
    .all<RuleKeyRow>();
  return results;
}
