import { getTableColumns, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./db";

/**
 * D1 and Durable Object SQLite both bind at most 100 parameters per statement (workerd enforces it
 * locally too: `too many SQL variables`). Every statement of every store stays within it, whatever
 * the input size, because lists only ever reach SQL in one of two shapes, both defined here:
 *
 * - a list of values (`x IN (…)`) is bound as ONE parameter, a JSON array that json_each reads;
 *   SQLite still answers `x IN (SELECT value FROM json_each(?))` from the index on x;
 * - a multi-row insert is cut into statements of ⌊100 / columns⌋ rows.
 *
 * test/unit/bound-parameters.test.ts checks that no other code builds an IN-list or a multi-row insert.
 */
export const MAX_BOUND_PARAMETERS = 100;

/** The JSON text json_each reads. Only strings and safe integers: JSON carries both exactly. */
export function jsonList(values: readonly (string | number)[]): string {
  for (const v of values)
    if (typeof v !== "string" && !Number.isSafeInteger(v)) throw new TypeError(`a SQL list holds strings and safe integers, got ${String(v)}`);
  return JSON.stringify(values);
}

/** For raw SQL: `IN (SELECT value FROM json_each(<param>))`, with `param` e.g. "?" or "?2"; bind jsonList(values). */
export function inJson(param = "?"): string {
  return `IN (SELECT value FROM json_each(${param}))`;
}

/** For drizzle: `column IN (values)` as one bound parameter. An empty list matches nothing. */
export function inList(column: SQLiteColumn | SQL, values: readonly (string | number)[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${jsonList(values)}))`;
}

/** Rows per multi-row insert into a table of `columns` columns. */
export function rowsPerInsert(columns: number): number {
  return Math.max(1, Math.floor(MAX_BOUND_PARAMETERS / columns));
}

/** Multi-row inserts of `rows` into `table`, each within the limit (counted on every column of the table). */
export function insertRows<T extends SQLiteTable>(db: Db, table: T, rows: T["$inferInsert"][]) {
  const per = rowsPerInsert(Object.keys(getTableColumns(table)).length);
  const out = [];
  for (let i = 0; i < rows.length; i += per) out.push(db.insert(table).values(rows.slice(i, i + per)));
  return out;
}
