import { drizzle } from "drizzle-orm/d1";

export type Db = ReturnType<typeof build>;

/**
 * Without drizzle's relational query API (`db.query`, unused here): given the schema, drizzle walks
 * all of it (extractTablesRelationalConfig) on every build, and the sequencer builds one per group
 * (a new D1 session each): ~3% of the registry isolate's CPU under single POSTs.
 */
function build(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database);
}

/** The raw D1 reads the hot read paths use: a database or a read-replica session. */
export type Reader = Pick<D1Database, "prepare" | "batch">;

/** One drizzle instance per binding (or session). */
const instances = new WeakMap<object, Db>();

export function openDb(d1: D1Database | D1DatabaseSession): Db {
  let db = instances.get(d1);
  if (!db) instances.set(d1, (db = build(d1)));
  return db;
}
