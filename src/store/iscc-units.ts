import { and, asc, gt, lte, sql } from "drizzle-orm";
import type { IndexedUnit } from "../similarity/similarity-index";
import { inList } from "./bound-parameters";
import type { Db } from "./db";
import { isccUnits } from "./schema";

/** Reads of iscc_units, the ISCC units of every declaration's `iscc` subject. */

const UNIT = { seq: isccUnits.seq, unitType: isccUnits.unitType, code: isccUnits.code, bodyHex: isccUnits.bodyHex };

/** The units of these declarations, each declaration's in stored order. */
export async function unitsOfDeclarations(db: Db, seqs: number[]): Promise<IndexedUnit[]> {
  if (!seqs.length) return [];
  return db.select(UNIT).from(isccUnits).where(inList(isccUnits.seq, [...new Set(seqs)])).orderBy(asc(isccUnits.seq), sql`rowid`);
}

/** The units of the declarations with seq in (after, upTo], in stored order. */
export async function unitsInSeqRange(db: Db, after: number, upTo: number): Promise<IndexedUnit[]> {
  return db
    .select(UNIT)
    .from(isccUnits)
    .where(and(gt(isccUnits.seq, after), lte(isccUnits.seq, upTo)))
    .orderBy(asc(isccUnits.seq), sql`rowid`);
}
