import { getTableColumns, getTableName, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./db";

/**
 * D1 and Durable Object SQLite both bind at most 100 parameters per statement (workerd enforces it
 * locally too: `too many SQL variables`). Every statement of every store stays within it, whatever
 * the input size, because lists only ever reach SQL in one of two shapes, both defined here:
 *
 * - a list of values (`x IN (…)`) is bound as ONE parameter, a JSON array that json_each reads;
 *   SQLite still answers `x IN (SELECT value FROM json_each(?))` from the index on x;
 * - a multi-row insert is cut into statements of ⌊100 / columns⌋ rows (insertRows), or carries its
 *   rows as ONE JSON parameter that json_each unpacks (insertJsonRows: what the sequencer's group
 *   commit uses, since one statement per few hundred rows costs D1 far less than one per five).
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

/** The JSON text of a list of tuples (json_each reads each as `value`, its fields as value->>0, …). */
export function jsonTuples(tuples: readonly (readonly (string | number)[])[]): string {
  return `[${tuples.map(jsonList).join(",")}]`;
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

/** The JSON text of one insert's rows: a string parameter, which D1 caps at 2,000,000 bytes. */
const JSON_ROWS_BYTES = 500_000;

/** What the JSON inserts are prepared on: the database binding or a session of it. */
export type Preparer = Pick<D1Database, "prepare">;

/**
 * Inserts `rows` into `table` with one bound parameter per statement: the rows as a JSON array of
 * column-ordered tuples, values as drizzle maps them for the driver (booleans as 0/1, …), which
 * `INSERT … SELECT value->>0, … FROM json_each(?1)` unpacks. Statements are cut so that each
 * parameter stays under JSON_ROWS_BYTES. They are D1 statements, not drizzle ones: drizzle's batch
 * cannot run a raw statement with parameters (its SQLiteRaw has no prepared statement to bind).
 */
export function insertJsonRows<T extends SQLiteTable>(d1: Preparer, table: T, rows: T["$inferInsert"][]): D1PreparedStatement[] {
  const columns = Object.entries(getTableColumns(table));
  const text =
    `INSERT INTO "${getTableName(table)}" (${columns.map(([, c]) => `"${c.name}"`).join(", ")}) ` +
    `SELECT ${columns.map((_, i) => `value->>${i}`).join(", ")} FROM json_each(?1)`;
  const out: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length) out.push(d1.prepare(text).bind(`[${chunk.join(",")}]`));
    chunk = [];
    bytes = 0;
  };
  for (const row of rows as Record<string, unknown>[]) {
    const tuple = JSON.stringify(columns.map(([key, c]) => (row[key] === undefined ? null : c.mapToDriverValue(row[key]))));
    if (bytes + tuple.length > JSON_ROWS_BYTES) flush();
    chunk.push(tuple);
    bytes += tuple.length + 1;
  }
  flush();
  return out;
}
