import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { bandNeighbours, bandRadii, bandsOf, distance64 } from "./bands";
import type { Reader } from "../store/db";
import { unitsWithBandsStatement, unitsWithPrefixes, type UnitRow } from "../store/iscc-units";
import { pollWhile } from "../runtime/poll-while";
import { memoryUnitIndex } from "./memory-index";
import type { SimilarityIndex, UnitHit, UnitQuery } from "./similarity-index";

/** How long a match waits for another request's load of the in-memory index before searching SQL. */
const WAIT_FOR_LOAD_MS = 60_000;
/** Read statements per D1 batch: one round trip carries many unit searches. */
const STATEMENTS_PER_BATCH = 50;

/** Exact Hamming search in D1 by multi-index hashing (see bands.ts for the recall guarantee). */
export class D1SimilarityIndex implements SimilarityIndex {
  readonly backend = "d1" as const;
  /**
   * `memory` (the default) answers from the isolate's in-memory copy of the bands (memory-index.ts),
   * refreshed from D1 on every search, so a committed unit is always found; false: SQL only.
   * `background` (the request's waitUntil) takes work the answer need not wait for.
   */
  constructor(
    private readonly db: Reader,
    private readonly options: { memory?: boolean; background?: (work: Promise<unknown>) => void } = {},
  ) {}

  /**
   * Exact units (instance) are always searched in D1, by their 32-bit prefix: one seek each, all in one
   * round trip, run beside the distance search; the in-memory index holds only the units searched
   * by distance, so a cold isolate does not read the instance units (a quarter of an ISCC-CODE's).
   */
  async search(queries: UnitQuery[], maxDistance: number): Promise<UnitHit[][]> {
    const exact = queries.flatMap((q, k) => (q.exact ? [k] : []));
    const near = queries.flatMap((q, k) => (q.exact ? [] : [k]));
    const [exactHits, nearHits] = await Promise.all([this.exactSearch(exact.map((k) => queries[k]!)), this.distanceSearch(near.map((k) => queries[k]!), maxDistance)]);
    const out: UnitHit[][] = new Array(queries.length);
    exact.forEach((k, j) => (out[k] = exactHits[j]!));
    near.forEach((k, j) => (out[k] = nearHits[j]!));
    return out;
  }

  private async exactSearch(queries: UnitQuery[]): Promise<UnitHit[][]> {
    // Exact units match on their common prefix, and the shortest unit has 32 bits: only b0 and b1
    // are always real bits of both sides (bands past a short body are zero padding). verify() checks the rest.
    const rows = await unitsWithPrefixes(
      this.db,
      queries.map((q) => {
        const [b0, b1] = bandsOf(q.body);
        return { unitType: q.unitType, b0, b1 };
      }),
    );
    return queries.map((q, k) => verify(q, rows[k]!, 0));
  }

  private async distanceSearch(queries: UnitQuery[], maxDistance: number): Promise<UnitHit[][]> {
    if (!queries.length) return [];
    if (this.options.memory ?? true) {
      if (await memoryUnitIndex.refresh(this.db, this.options.background)) return memoryUnitIndex.search(this.db, queries, maxDistance);
      const hits = await memoryUnitIndex.searchWithTail(this.db, queries, maxDistance);
      if (hits) return hits;
      // Another request is loading an index too far behind to cover from here (a cold isolate): wait
      // for it, since the SQL search costs minutes at a million units; SQL only if it does not finish.
      await pollWhile(() => memoryUnitIndex.isLoading, WAIT_FOR_LOAD_MS);
      if (await memoryUnitIndex.refresh(this.db, this.options.background)) return memoryUnitIndex.search(this.db, queries, maxDistance);
    }
    const radius = bandRadii(maxDistance);
    const statements = queries.map((q) => unitsWithBandsStatement(this.db, q.unitType, bandsOf(q.body).map((b, i) => bandNeighbours(b, radius[i]!))));
    const results: UnitHit[][] = [];
    for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
      const batch = await this.db.batch<UnitRow>(statements.slice(i, i + STATEMENTS_PER_BATCH));
      batch.forEach((r, j) => results.push(verify(queries[i + j]!, r.results, maxDistance)));
    }
    return results;
  }

  async update(): Promise<void> {
    // iscc_units is written by the sequencer in the registration's own atomic batch, and searched with
    // the declarations' statuses: nothing else to keep.
  }
}

/** Drops the multi-index false positives; exact units must agree on their whole common prefix. */
export function verify(q: UnitQuery, rows: UnitRow[], maxDistance: number): UnitHit[] {
  const hits: UnitHit[] = [];
  const queryHex = bytesToHex(q.body);
  for (const r of rows) {
    if (q.exact) {
      const n = Math.min(queryHex.length, r.body_hex.length);
      if (queryHex.slice(0, n) === r.body_hex.slice(0, n)) hits.push({ seq: r.seq, code: r.code, distance: 0 });
      continue;
    }
    const distance = distance64(q.body, hexToBytes(r.body_hex));
    if (distance <= maxDistance) hits.push({ seq: r.seq, code: r.code, distance });
  }
  return hits;
}
