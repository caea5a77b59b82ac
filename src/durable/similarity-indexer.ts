import type { IndexChange, IndexedUnit, SimilarityIndex } from "../similarity/similarity-index";
import type { Db } from "../store/db";
import { unitsInSeqRange, unitsOfDeclarations } from "../store/iscc-units";
import { statusesInSeqRange, statusesOfIds } from "../store/registrations";

/** Declarations read from D1 per catch-up step. */
const PAGE = 500;
/** A commit that finds the index behind catches up this many pages itself and leaves the rest to the alarm. */
const CATCH_UP_PAGES_PER_COMMIT = 2;

/**
 * Keeps a similarity index outside D1 (Vectorize) in step with D1, the way the log is: a cursor
 * "indexed up to seq" in the sequencer's own SQLite, advanced only after the index took a change.
 * Declaration n is indexed once every change that declarations 1…n make is applied: units of the
 * active ones added, units of those no longer active removed, and units of what an update or revoke
 * among them superseded removed. A failed or missed update (Vectorize down, the object evicted
 * between the D1 commit and the upsert) leaves the cursor behind; `catchUp` redoes it from D1.
 * Updates are serialized: a commit's and a catch-up's never interleave.
 */
export class SimilarityIndexer {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS similarity_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  /** Every declaration up to this seq is in the index. */
  get cursor(): number {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM similarity_state WHERE key = 'cursor'").toArray()[0];
    return row ? Number(row.value) : 0;
  }

  private advance(seq: number): void {
    this.sql.exec("INSERT OR REPLACE INTO similarity_state (key, value) VALUES ('cursor', ?)", String(seq));
  }

  /** The index is not kept here (backend d1): a later switch to one that is starts from seq 0. */
  forget(): void {
    this.sql.exec("DELETE FROM similarity_state");
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * After declarations first…last were committed: applies their change, as the commit knows it, when
   * everything before them is indexed; otherwise catches up from D1 towards `last` (a little: a long
   * backlog is the alarm's). True when the cursor reached `last`.
   */
  committed(index: SimilarityIndex, db: Db, first: number, last: number, change: () => Promise<IndexChange>): Promise<boolean> {
    return this.serialized(async () => {
      const cursor = this.cursor;
      if (cursor >= last) return true;
      if (cursor !== first - 1) return this.catchUpNow(index, db, last, CATCH_UP_PAGES_PER_COMMIT);
      await index.update(await change());
      this.advance(last);
      return true;
    });
  }

  /** Redoes from D1 what the index misses up to `upTo`, at most `maxPages` pages; true when done. */
  catchUp(index: SimilarityIndex, db: Db, upTo: number, maxPages: number): Promise<boolean> {
    return this.serialized(() => this.catchUpNow(index, db, upTo, maxPages));
  }

  private async catchUpNow(index: SimilarityIndex, db: Db, upTo: number, maxPages: number): Promise<boolean> {
    for (let page = 0; this.cursor < upTo; page++) {
      if (page >= maxPages) return false;
      const after = this.cursor;
      const to = Math.min(after + PAGE, upTo);
      await index.update(await changeFromD1(db, after, to));
      this.advance(to);
    }
    return true;
  }
}

/** What declarations (after, upTo] change in the index, from D1 as it is now. */
async function changeFromD1(db: Db, after: number, upTo: number): Promise<IndexChange> {
  const [rows, units] = await Promise.all([statusesInSeqRange(db, after, upTo), unitsInSeqRange(db, after, upTo)]);
  const targets = await statusesOfIds(db, rows.flatMap((r) => (r.supersedes ? [r.supersedes] : [])));
  const active = new Set(rows.filter((r) => r.status === "active").map((r) => r.seq));
  const gone = targets.filter((t) => t.status !== "active").map((t) => t.seq);
  return {
    add: units.filter((u) => active.has(u.seq)),
    remove: [...units.filter((u) => !active.has(u.seq)), ...(await unitsOfDeclarations(db, gone))],
  };
}

/** What a committed group changes, from the rows it wrote and the status changes it made: D1 is read only for the units of the latter. */
export async function changeFromCommit(
  db: Db,
  created: { seq: number; status: string; units: IndexedUnit[] }[],
  statusChanges: { seq: number; status: string }[],
): Promise<IndexChange> {
  return {
    add: created.filter((c) => c.status === "active").flatMap((c) => c.units),
    remove: await unitsOfDeclarations(
      db,
      statusChanges.filter((c) => c.status !== "active").map((c) => c.seq),
    ),
  };
}
