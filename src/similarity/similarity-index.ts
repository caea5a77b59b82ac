import { MainType } from "../iscc/index";

/** Instance units match exactly (on their common prefix); every other unit by Hamming distance. */
export function exactUnitType(unitType: string): boolean {
  return unitType.startsWith(INSTANCE);
}
const INSTANCE = `${MainType[MainType.INSTANCE]}-`;

/** A unit to search for: its type (main type, subtype, version) and body. */
export interface UnitQuery {
  unitType: string;
  body: Uint8Array;
  /** Instance units match exactly (on their common prefix); every other unit by Hamming distance. */
  exact: boolean;
}

/** A stored unit within range of a query, with its exact distance over the first 64 bits. */
export interface UnitHit {
  seq: number;
  code: string;
  distance: number;
}

/** A unit as stored (iscc_units), to be made searchable or forgotten. */
export interface IndexedUnit {
  seq: number;
  unitType: string;
  code: string;
  bodyHex: string;
}

/**
 * What committed declarations change in an index kept outside D1: units of active declarations to
 * make searchable, and units of declarations now superseded or revoked to forget. Each lists every
 * unit of its declarations, in their stored order (the index picks the ones it keeps).
 */
export interface IndexChange {
  add: IndexedUnit[];
  remove: IndexedUnit[];
}

/**
 * One interface, two backends (chosen by SIMILARITY_BACKEND): `d1`, an exact multi-index search
 * over the iscc_units table, and `vectorize`, approximate nearest neighbours whose candidates are
 * re-checked against the stored codes. Both return, per query, every hit within `maxDistance`
 * that they find, whatever the declaration's status (the caller filters by status).
 */
export interface SimilarityIndex {
  readonly backend: "d1" | "vectorize";
  search(queries: UnitQuery[], maxDistance: number): Promise<UnitHit[][]>;
  /**
   * Applies what committed declarations changed (the sequencer calls it in seq order, and again from
   * D1 after a failure, so it must be idempotent). The d1 backend searches iscc_units itself: no-op.
   */
  update(change: IndexChange): Promise<void>;
}
