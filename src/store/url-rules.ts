import type { Reader } from "./db";
import { assembleSnapshot, NEWEST_SNAPSHOT_VERSION, newestSnapshotStatement, type SnapshotPart } from "./index-snapshots";

/**
 * Reads of url_rules for the per-isolate URL filter (src/filter/declared-urls.ts): the table only
 * grows, so readers follow it by rowid and tell a rebuilt table from a grown one by the row at their mark.
 */

/** The identity of a rule row. */
export interface RuleMark {
  rowid: number;
  seq: number;
  key: string;
}

export interface RuleRow extends RuleMark {
  kind: string;
}

/**
 * What a reader of url_rules checks its copy against, in one round trip (one consistent view): the
 * registry version (highest declaration seq and its id, and the highest conflict n: conflicts are
 * detected after their declarations are written), the first and last rule rows, the row at
 * `rowid`; with `withSnapshot`, also the newest URL filter snapshot and the rule row it ends at.
 */
export async function ruleView(db: Reader, rowid: number, withSnapshot: boolean) {
  const statements = [
    db.prepare("SELECT seq, id, (SELECT coalesce(max(n), 0) FROM conflicts) AS conflicts FROM declarations ORDER BY seq DESC LIMIT 1"),
    db.prepare("SELECT rowid, seq, key FROM url_rules ORDER BY rowid LIMIT 1"),
    db.prepare("SELECT rowid, seq, key FROM url_rules ORDER BY rowid DESC LIMIT 1"),
    db.prepare("SELECT rowid, seq, key FROM url_rules WHERE rowid = ?1").bind(rowid),
  ];
  if (withSnapshot) statements.push(newestSnapshotStatement(db, "urls"), db.prepare(`SELECT rowid, seq, key FROM url_rules WHERE rowid = ${NEWEST_SNAPSHOT_VERSION}`).bind("urls"));
  const [top, first, last, at, snapshot, atSnapshot] = await db.batch(statements);
  return {
    version: top!.results[0] as { seq: number; id: string; conflicts: number } | undefined,
    first: first!.results[0] as RuleMark | undefined,
    last: last!.results[0] as RuleMark | undefined,
    at: at!.results[0] as RuleMark | undefined,
    /** Undefined when not asked for; null when there is none (or it is damaged). */
    snapshot: snapshot && assembleSnapshot(snapshot.results as SnapshotPart[]),
    atSnapshot: atSnapshot?.results[0] as RuleMark | undefined,
  };
}

/** Every rule row after `rowid`, in rowid order. */
export async function rulesAfter(db: Reader, rowid: number): Promise<RuleRow[]> {
  const { results } = await db.prepare("SELECT rowid, seq, kind, key FROM url_rules WHERE rowid > ?1 ORDER BY rowid").bind(rowid).all<RuleRow>();
  return results;
}

/** Up to `limit` rule rows after `rowid` with whether their declaration is active, and the last rule row: one round trip. */
export async function rulesWithStatusAfter(db: Reader, rowid: number, limit: number) {
  const [page, last] = await db.batch([
    db
      .prepare(
        `SELECT r.rowid AS rowid, r.seq AS seq, r.kind AS kind, r.key AS key, d.status = 'active' AS active
         FROM url_rules r JOIN declarations d ON d.seq = r.seq WHERE r.rowid > ?1 ORDER BY r.rowid LIMIT ?2`,
      )
      .bind(rowid, limit),
    db.prepare("SELECT rowid, seq, key FROM url_rules ORDER BY rowid DESC LIMIT 1"),
  ]);
  return { rows: page!.results as (RuleRow & { active: number })[], last: last!.results[0] as RuleMark | undefined };
}
