import { and, asc, gt, lte, sql } from "drizzle-orm";
import { logEntry } from "../log/entry";
import { openDb, type Db } from "./db";
import { declarations, observations } from "./schema";

/**
 * The transparency log rebuilt from D1: leaf n is the record with seq n + 1, whichever table holds
 * it. Every table whose rows are log leaves is read here, and only here (the sequencer catches the
 * log up with it, the entry-bundle tiles are served from it), so a new kind of record is one more
 * table in LEAF_TABLES and one more entry kind in src/log/entry.ts.
 */
const LEAF_TABLES = [declarations, observations] as const;

/** The highest seq of any log record in D1 (0 when empty): the log's size once caught up. */
export async function lastLogSeq(db: Db): Promise<number> {
  const maxima = await Promise.all(LEAF_TABLES.map((t) => db.select({ seq: sql<number | null>`max(${t.seq})` }).from(t)));
  return Math.max(0, ...maxima.map(([r]) => r?.seq ?? 0));
}

/** The log entries of seqs (after, upTo], in seq order; throws when a seq in the range has no record. */
export async function logEntriesInRange(d1: D1Database, after: number, upTo: number): Promise<Uint8Array[]> {
  const db = openDb(d1);
  const parts = await Promise.all(
    LEAF_TABLES.map((t) =>
      db.select({ seq: t.seq, body: t.body, receipt: t.receipt }).from(t).where(and(gt(t.seq, after), lte(t.seq, upTo))).orderBy(asc(t.seq)),
    ),
  );
  const rows = parts.flat().sort((a, b) => a.seq - b.seq);
  rows.forEach((r, i) => {
    if (r.seq !== after + 1 + i) throw new Error(`log record ${after + 1 + i} is missing from D1`);
  });
  if (rows.length !== upTo - after) throw new Error(`D1 holds ${rows.length} log records in (${after}, ${upTo}]`);
  return rows.map((r) => logEntry(JSON.parse(r.body), JSON.parse(r.receipt)));
}
