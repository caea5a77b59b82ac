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

/** A unit as stored, to be made searchable. */
export interface IndexedUnit {
  seq: number;
  unitType: string;
  code: string;
  bodyHex: string;
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
  /** Called after a registration committed; the d1 rows were written in the same batch. */
  index(units: IndexedUnit[]): Promise<void>;
}
