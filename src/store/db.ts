import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof build>;

function build(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database, { schema });
}

/** The raw D1 reads the hot read paths use: a database or a read-replica session. */
export type Reader = Pick<D1Database, "prepare" | "batch">;

/**
 * One drizzle instance per binding (or session): building one walks the whole schema
 * (extractTablesRelationalConfig), which the write path measured at ~3% of its CPU when each
 * group and each peer query built its own.
 */
const instances = new WeakMap<object, Db>();

export function openDb(d1: D1Database | D1DatabaseSession): Db {
  let db = instances.get(d1);
  if (!db) instances.set(d1, (db = build(d1)));
  return db;
}
