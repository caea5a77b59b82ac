import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof openDb>;

export function openDb(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database, { schema });
}

/** The raw D1 reads the hot read paths use: a database or a read-replica session. */
export type Reader = Pick<D1Database, "prepare" | "batch">;
