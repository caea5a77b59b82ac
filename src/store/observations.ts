import { and, asc, eq, gt } from "drizzle-orm";
import { openDb, type Db } from "./db";
import { observations } from "./schema";

/** Notarized observations in D1: written by the sequencer (their seq is a log leaf), read by the routes. */

export interface ObservationRow {
  seq: number;
  digest: string;
  host: string;
  url: string;
  observedAt: string;
  body: string;
  receipt: string;
}

export function insertObservation(db: Db, row: ObservationRow) {
  const { seq, digest, host, url, observedAt, body, receipt } = row;
  return db.insert(observations).values({ seq, digest, host, url, observedAt, body, receipt });
}

/** Observations of one host (host[:port]), in registry order, after `afterSeq`. */
export function observationsOfHost(d1: D1Database, host: string, afterSeq: number, limit: number): Promise<ObservationRow[]> {
  return openDb(d1).select().from(observations).where(and(eq(observations.host, host), gt(observations.seq, afterSeq))).orderBy(asc(observations.seq)).limit(limit);
}

export async function findObservation(d1: D1Database, digest: string): Promise<ObservationRow | undefined> {
  const [row] = await openDb(d1).select().from(observations).where(eq(observations.digest, digest)).limit(1);
  return row;
}
