/**
 * How far an isolate's in-memory copy of an append-only table (url_rules, iscc_units) reaches, and
 * what a newer read of the table means for it. Pure: the callers read the rows, this decides.
 *
 * A copy is marked by the first and the last row it holds, each as `rowid:seq:key`, so that a
 * table holding other rows at the same rowids (a database rebuilt or restored, a test's fresh
 * storage) is told apart from the same table grown. Reads may come from a D1 read replica that
 * has not yet applied the latest writes: a view that ends before the copy does is the same table
 * seen from behind, and must neither shrink the copy nor make it reload everything.
 */

export interface RowMark {
  rowid: number;
  /** `rowid:seq:key`: who the row is, not only where. */
  ident: string;
}

/** What a copy holds: rows first…last of one table (null: nothing loaded yet). */
export interface TableMark {
  first: RowMark;
  last: RowMark;
}

/** One consistent read of the table: its first and last rows, and the row at the copy's last rowid. */
export interface TableView {
  first: RowMark | null;
  last: RowMark | null;
  atMark: RowMark | null;
}

export type ViewVerdict =
  /** The view ends where the copy ends: nothing to load. */
  | "current"
  /** The view holds the copy's rows and more: load the rows after mark.last. */
  | "grown"
  /** The view ends before the copy does, on the same table: a lagging replica; keep the copy as it is. */
  | "behind"
  /** Another table (or an emptied one): drop the copy and load it whole. */
  | "other";

export function rowMark(rowid: number, seq: number, key: string): RowMark {
  return { rowid, ident: `${rowid}:${seq}:${key}` };
}

/** What `view` means for a copy marked `mark`. */
export function compareView(mark: TableMark | null, view: TableView): ViewVerdict {
  if (!mark || !view.first || !view.last) return "other";
  if (view.first.ident !== mark.first.ident) return "other";
  if (view.last.rowid < mark.last.rowid) return "behind";
  if (view.atMark?.ident !== mark.last.ident) return "other";
  return view.last.rowid === mark.last.rowid ? "current" : "grown";
}
