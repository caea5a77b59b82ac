import { hexToBytes } from "@noble/hashes/utils.js";
import { D1SimilarityIndex, verify } from "./d1-index";
import { unitsOfTypeIn } from "../store/iscc-units";
import { exactUnitType, type IndexChange, type IndexedUnit, type SimilarityIndex, type UnitHit, type UnitQuery } from "./similarity-index";

/** Vectorize binding limits: topK without values or metadata, and vectors (or ids) per mutation call. */
export const VECTORIZE_TOP_K = 100;
const MUTATION_BATCH = 1000;
const DIMENSIONS = 64;

/**
 * A 64-bit unit body as a 64-dimensional ±1 vector. For such vectors cosine similarity is
 * (64 − 2·hamming) / 64, so cosine ranking is Hamming ranking and the distance is recovered exactly.
 */
export function unitVector(body: Uint8Array): number[] {
  const v = new Array<number>(DIMENSIONS);
  for (let i = 0; i < DIMENSIONS; i++) v[i] = ((body[i >> 3] ?? 0) >> (7 - (i & 7))) & 1 ? 1 : -1;
  return v;
}

export function cosineToHamming(score: number): number {
  return Math.round(((1 - score) * DIMENSIONS) / 2);
}

/** Vector ids are `seq:i`, i counting a declaration's similarity units in stored order: far below the 64-byte limit. */
const vectorId = (seq: number, i: number) => `${seq}:${i}`;

/** The similarity units of `units` with their vector ids. */
function withVectorIds(units: IndexedUnit[]): { id: string; unit: IndexedUnit }[] {
  const counters = new Map<number, number>();
  return units
    .filter((u) => !exactUnitType(u.unitType)) // exact units match from D1 (iscc_units) only; every other unit gets a vector
    .map((unit) => {
      const i = counters.get(unit.seq) ?? 0;
      counters.set(unit.seq, i + 1);
      return { id: vectorId(unit.seq, i), unit };
    });
}

/**
 * Production similarity: Vectorize finds the nearest candidates in the unit type's namespace,
 * then the candidates' stored codes are read from D1 and their exact distances checked, so no false
 * positive is ever returned. Recall is bounded by topK (ANN, and at most 100 candidates per unit);
 * it is measured by the benchmark, not assumed. Exact (instance) units are answered by D1 directly.
 */
export class VectorizeSimilarityIndex implements SimilarityIndex {
  readonly backend = "vectorize" as const;
  private readonly exact: D1SimilarityIndex;

  constructor(
    private readonly vectors: VectorizeIndex,
    private readonly db: D1Database,
  ) {
    this.exact = new D1SimilarityIndex(db);
  }

  async search(queries: UnitQuery[], maxDistance: number): Promise<UnitHit[][]> {
    return Promise.all(
      queries.map(async (q) => {
        if (q.exact) return (await this.exact.search([q], maxDistance))[0]!;
        const found = await this.vectors.query(unitVector(q.body), {
          topK: VECTORIZE_TOP_K,
          namespace: q.unitType,
          returnValues: false,
          returnMetadata: "none",
        });
        // No cut on m.score: without returnValues Vectorize's scores are approximate, and a true hit
        // at exactly maxDistance could round past it. Every candidate is judged by its stored code.
        const seqs = [...new Set(found.matches.map((m) => Number(m.id.split(":")[0])))];
        if (!seqs.length) return [];
        return verify(q, await unitsOfTypeIn(this.db, q.unitType, seqs), maxDistance);
      }),
    );
  }

  async update(change: IndexChange): Promise<void> {
    const gone = withVectorIds(change.remove).map((v) => v.id);
    for (let i = 0; i < gone.length; i += MUTATION_BATCH) await this.vectors.deleteByIds(gone.slice(i, i + MUTATION_BATCH));
    const vectors: VectorizeVector[] = withVectorIds(change.add).map(({ id, unit }) => ({
      id,
      values: unitVector(hexToBytes(unit.bodyHex.slice(0, 16))),
      namespace: unit.unitType,
    }));
    for (let i = 0; i < vectors.length; i += MUTATION_BATCH) await this.vectors.upsert(vectors.slice(i, i + MUTATION_BATCH));
  }
}
