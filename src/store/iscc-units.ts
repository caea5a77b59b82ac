import { and, asc, gt, lte, sql, type SQL } from "drizzle-orm";
import type { IndexedUnit } from "../similarity/similarity-index";
import { inJson, inList, jsonList, jsonTuples } from "./bound-parameters";
import type { Db, Reader } from "./db";
import { assembleSnapshot, NEWEST_SNAPSHOT_VERSION, newestSnapshotHeadStatement, newestSnapshotStatement, type SnapshotPart } from "./index-snapshots";
import { isccUnits } from "./schema";

/** Reads of iscc_units, the ISCC units of every declaration's `iscc` subject (see schema.ts for the bands). */

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

/** A stored unit as the searches read it back. */
export interface UnitRow {
  seq: number;
  code: string;
  body_hex: string;
}

/** Exact-unit probes per statement: a JSON parameter of ~30 KB. */
const PREFIXES_PER_STATEMENT = 1000;

/** A unit named exactly: its canonical code, with its type and first band (what the index seeks by). */
export interface NamedUnit {
  unitType: string;
  b0: number;
  code: string;
}

/**
 * The seqs of declarations naming any of `units`. `code` has no index of its own (it would add a
 * third of the table again); the type and first band seek iscc_units_b0, and the code is compared
 * on the few rows that share them.
 */
export function seqsNamingUnits(units: readonly NamedUnit[]): SQL {
  return sql`SELECT u.seq FROM json_each(${jsonTuples(units.map((u) => [u.unitType, u.b0, u.code]))}) j CROSS JOIN iscc_units u
    WHERE u.unit_type = j.value ->> 0 AND u.b0 = j.value ->> 1 AND u.code = j.value ->> 2`;
}

/**
 * Per probe, the units of its type whose first two bands equal its b0, b1 (an exact unit's 32-bit
 * prefix): one statement per 1,000 probes (json_each drives, each probe one seek of a band index),
 * all in one round trip.
 */
export async function unitsWithPrefixes(db: Reader, probes: readonly { unitType: string; b0: number; b1: number }[]): Promise<UnitRow[][]> {
  const out = probes.map((): UnitRow[] => []);
  if (!probes.length) return out;
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < probes.length; i += PREFIXES_PER_STATEMENT)
    statements.push(
      db
        .prepare(
          `SELECT ${i} + j.key AS k, u.seq, u.code, u.body_hex FROM json_each(?1) j CROSS JOIN iscc_units u
           WHERE u.unit_type = j.value ->> 0 AND u.b0 = j.value ->> 1 AND u.b1 = j.value ->> 2`,
        )
        .bind(jsonTuples(probes.slice(i, i + PREFIXES_PER_STATEMENT).map((p) => [p.unitType, p.b0, p.b1]))),
    );
  for (const r of await db.batch<UnitRow & { k: number }>(statements)) for (const { k, ...row } of r.results) out[k]!.push(row);
  return out;
}

/**
 * Units of a type with band i among probes[i] for some i (multi-index hashing), for a batch. Each
 * band's probes are one JSON parameter, so any radius stays within the bound-parameter limit. One
 * SELECT per band, joined by UNION, so that each is answered from its (unit_type, bN) index whatever
 * statistics SQLite has: the registry never runs ANALYZE, and without it SQLite plans the same four
 * tests joined by OR as a scan of every unit of the type, ~30× slower at 25,000 units of a type.
 */
export function unitsWithBandsStatement(db: Reader, unitType: string, probes: readonly number[][]): D1PreparedStatement {
  const band = (i: number) => `SELECT seq, code, body_hex FROM iscc_units WHERE unit_type = ?1 AND b${i} ${inJson(`?${i + 2}`)}`;
  return db.prepare([0, 1, 2, 3].map(band).join(" UNION ")).bind(unitType, ...probes.map(jsonList));
}

/**
 * Units of a type belonging to these declarations: the seqs drive (CROSS JOIN keeps json_each
 * first), each one seek of iscc_units_seq. Written as `unit_type = ? AND seq IN (…)`, SQLite without
 * statistics chose an index on unit_type and read every unit of the type.
 */
export async function unitsOfTypeIn(db: Reader, unitType: string, seqs: number[]): Promise<UnitRow[]> {
  const { results } = await db.prepare(UNITS_OF_TYPE_IN).bind(unitType, jsonList([...new Set(seqs)])).all<UnitRow>();
  return results;
}

export const UNITS_OF_TYPE_IN = "SELECT u.seq, u.code, u.body_hex FROM json_each(?2) j CROSS JOIN iscc_units u WHERE u.seq = j.value AND u.unit_type = ?1";

/** The identity of a unit row, to tell a table that only grew from one rebuilt under a reader. */
export interface UnitMark {
  rowid: number;
  seq: number;
  code: string;
}

/**
 * What a reader of iscc_units checks its copy against, in one round trip (one consistent view): the
 * first and last unit rows and the row at `rowid`; with `snapshot`, also which unit index snapshot
 * is the newest and the unit row it ends at: its build (`head`, whose bytes the caller may hold in
 * the cache: snapshot-cache.ts) or its bytes (`whole`).
 */
export async function unitView(db: Reader, rowid: number, snapshot: "none" | "head" | "whole") {
  const statements = [
    db.prepare("SELECT rowid, seq, code FROM iscc_units ORDER BY rowid LIMIT 1"),
    db.prepare("SELECT rowid, seq, code FROM iscc_units ORDER BY rowid DESC LIMIT 1"),
    db.prepare("SELECT rowid, seq, code FROM iscc_units WHERE rowid = ?1").bind(rowid),
  ];
  if (snapshot !== "none")
    statements.push(
      snapshot === "head" ? newestSnapshotHeadStatement(db, "units") : newestSnapshotStatement(db, "units"),
      db.prepare(`SELECT rowid, seq, code FROM iscc_units WHERE rowid = ${NEWEST_SNAPSHOT_VERSION}`).bind("units"),
    );
  const [first, last, at, newest, atSnapshot] = await db.batch(statements);
  const whole = snapshot === "whole" ? assembleSnapshot(newest!.results as SnapshotPart[]) : undefined;
  return {
    first: first!.results[0] as UnitMark | undefined,
    last: last!.results[0] as UnitMark | undefined,
    at: at!.results[0] as UnitMark | undefined,
    /** The newest snapshot's build: undefined when not asked for, null when there is none (or, read whole, it is damaged). */
    head: snapshot === "head" ? ((newest!.results[0] as { version: number; build: string } | undefined) ?? null) : whole && { version: whole.version, build: whole.build },
    /** Its bytes, read whole. */
    bytes: whole?.bytes,
    atSnapshot: atSnapshot?.results[0] as UnitMark | undefined,
  };
}

/** Hex digits per unit in a packed page: rowid (12), first 32 bits (8), next 32 bits (8). */
export const PACKED_UNIT_CHARS = 28;

/**
 * Up to `limit` units after `rowid`, packed for the in-memory index: one row per unit type whose
 * `packed` text holds PACKED_UNIT_CHARS hex digits per unit (rowid, then the first 64 bits as two
 * 32-bit halves), and the page's first and last rows as marks. D1 (and its local simulator) pays per
 * row and per value returned: a million units as rows of eight values cost seconds to read, as a
 * few strings a fraction of that. 50,000 units of one type make 1.4 MB, within D1's 2 MB per value.
 */
export async function unitPageAfter(db: Reader, rowid: number, limit: number) {
  const page = "SELECT rowid AS r FROM iscc_units WHERE rowid > ?1 ORDER BY rowid LIMIT ?2";
  const [packed, first, last] = await db.batch([
    db
      .prepare(
        `SELECT unit_type AS type, count(*) AS n, group_concat(printf('%012x%08x%08x', rowid, (b0 << 16) | b1, (b2 << 16) | b3), '') AS packed
         FROM iscc_units WHERE rowid IN (${page}) GROUP BY unit_type`,
      )
      .bind(rowid, limit),
    db.prepare("SELECT rowid, seq, code FROM iscc_units WHERE rowid > ?1 ORDER BY rowid LIMIT 1").bind(rowid),
    db.prepare(`SELECT rowid, seq, code FROM iscc_units WHERE rowid = (SELECT max(r) FROM (${page}))`).bind(rowid, limit),
  ]);
  const types = packed!.results as { type: string; n: number; packed: string }[];
  return {
    types,
    count: types.reduce((n, t) => n + t.n, 0),
    first: first!.results[0] as UnitMark | undefined,
    last: last!.results[0] as UnitMark | undefined,
  };
}

/** Up to `limit` units after `rowid`, in rowid order, whole. */
export async function unitsAfter(db: Reader, rowid: number, limit: number) {
  const { results } = await db
    .prepare("SELECT rowid, seq, unit_type, code, body_hex FROM iscc_units WHERE rowid > ?1 ORDER BY rowid LIMIT ?2")
    .bind(rowid, limit)
    .all<UnitRow & { rowid: number; unit_type: string }>();
  return results;
}

/** Units by rowid, 5,000 per statement and 50 statements per round trip. */
export async function unitsByRowid(db: Reader, rowids: number[]): Promise<Map<number, UnitRow>> {
  const out = new Map<number, UnitRow>();
  const unique = [...new Set(rowids)];
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < unique.length; i += 5000)
    statements.push(db.prepare(`SELECT rowid, seq, code, body_hex FROM iscc_units WHERE rowid ${inJson("?1")}`).bind(jsonList(unique.slice(i, i + 5000))));
  for (let i = 0; i < statements.length; i += 50)
    for (const r of await db.batch<UnitRow & { rowid: number }>(statements.slice(i, i + 50))) for (const row of r.results) out.set(row.rowid, row);
  return out;
}
