import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof openDb>;

export function openDb(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database, { schema });
}

/** D1 binds at most 100 parameters per statement; multi-row inserts are cut to fit. */
export const D1_MAX_PARAMS = 100;

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Rows per multi-row insert for a table of `columns` columns. */
export const rowsPerInsert = (columns: number) => Math.max(1, Math.floor(D1_MAX_PARAMS / columns));
