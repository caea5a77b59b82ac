import { bandMasks, bandRadii, BANDS, BAND_BITS, DEFAULT_MAX_DISTANCE } from "./bands";
import { verify } from "./d1-index";
import type { Reader } from "../store/db";
import { PACKED_UNIT_CHARS, unitPageAfter, unitsAfter, unitsByRowid, unitView, type UnitMark } from "../store/iscc-units";
import { exactUnitType, type UnitHit, type UnitQuery } from "./similarity-index";
import { compareView, rowMark, type RowMark, type TableMark, type TableView } from "../domain/table-mark";
import { publishSnapshot } from "../store/index-snapshots";
import { cachedSnapshot, cacheSnapshot } from "../store/snapshot-cache";
import { decodeUnitSnapshot, encodeUnitSnapshot, type UnitSnapshot } from "./unit-snapshot";

/**
 * The d1 backend's search, in memory: every unit's first 64 bits, loaded from D1 once per isolate
 * and kept up to date by iscc_units rowid (the table is append-only), searched by the same
 * multi-index hashing as the SQL (bands.ts: 4 bands of 16 bits, probe the band values within
 * bandRadii(d) bits, so every unit within d bits is a candidate; exact distances then drop the rest).
 *
 * Why memory: at 1,000,000 units a 16-bit band value holds ~15 units of a type, and a radius-3 probe
 * touches 697 values per band, so one query reads ~40,000 index entries. SQLite does that as
 * 2,788 index seeks per query unit; an array walk does it in microseconds. The candidates that pass
 * the 64-bit distance are then read back from D1 (code and whole body, by rowid) and checked by
 * `verify`, exactly as the SQL path checks its rows, so both paths return the same hits.
 *
 * It holds the units searched by distance only: exact units (instance) are searched in D1 by their
 * prefix, one index seek each (d1-index.ts), so a cold isolate neither reads nor sorts them.
 *
 * Memory: 16 bytes a unit (its two halves and rowid), 16 of bands and 4 of stamp, about 36 MB per
 * million units held, within a Worker's 128 MB. Loading reads the newest snapshot (unit-snapshot.ts),
 * its build named by D1 and its bytes from the colo's cache or else D1 (snapshot-cache.ts), its
 * columns used as decoded, then the rows after it in pages of 50,000 units,
 * packed as text; the bands are sorted when a search first needs them. A cold isolate's first match
 * pays that load (BENCHMARKS.md, "The first match of a fresh isolate").
 */

const PAGE = 50_000;
const POP = new Uint8Array(1 << 16);
for (let i = 1; i < POP.length; i++) POP[i] = (i & 1) + POP[i >> 1]!;

const SIZE = 1 << BAND_BITS;
/** Where each band value's next unit goes while a band is sorted: one array for every sort. */
const scratch = { next: new Uint32Array(SIZE) };

/**
 * Units of one type, columnar: the units the band index covers (a counting sort per band: ids of
 * value v are ids[off[v]..off[v+1])), and the tail appended since it was built, searched by a scan
 * until the next build. The tail is kept apart so that appending a few rows to an index started from
 * a snapshot never copies its million-unit columns.
 */
export class TypeIndex {
  hi: Int32Array = new Int32Array(0);
  lo: Int32Array = new Int32Array(0);
  rowid: Float64Array = new Float64Array(0);
  /** Per band, built by band() on first use. */
  private offsets: (Uint32Array | undefined)[] = [];
  private ids: (Uint32Array | undefined)[] = [];
  tail = 0;
  private tailHi = new Int32Array(1024);
  private tailLo = new Int32Array(1024);
  private tailRowid = new Float64Array(1024);

  /** Units the band index covers. */
  get built(): number {
    return this.hi.length;
  }

  get n(): number {
    return this.hi.length + this.tail;
  }

  push(hi: number, lo: number, rowid: number): void {
    if (this.tail >= this.tailHi.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.tailHi = grow(this.tailHi);
      this.tailLo = grow(this.tailLo);
      this.tailRowid = grow(this.tailRowid);
    }
    this.tailHi[this.tail] = hi;
    this.tailLo[this.tail] = lo;
    this.tailRowid[this.tail] = rowid;
    this.tail++;
  }

  /** A type index holding these units (a snapshot's columns, kept as they are). */
  static fromColumns(hi: Int32Array, lo: Int32Array, rowid: Float64Array): TypeIndex {
    const t = new TypeIndex();
    t.hi = hi;
    t.lo = lo;
    t.rowid = rowid;
    t.build();
    return t;
  }

  /** All the units, tail included, as a snapshot stores them (never changed in place: build replaces them). */
  columns(): { hi: Int32Array; lo: Int32Array; rowid: Float64Array } {
    if (!this.tail) return { hi: this.hi, lo: this.lo, rowid: this.rowid };
    const join = <T extends Int32Array | Float64Array>(a: T, b: T): T => {
      const c = new (a.constructor as new (n: number) => T)(a.length + this.tail);
      c.set(a);
      c.set(b.subarray(0, this.tail), a.length);
      return c;
    };
    return { hi: join(this.hi, this.tailHi), lo: join(this.lo, this.tailLo), rowid: join(this.rowid, this.tailRowid) };
  }

  /** Takes the tail into the columns and drops the band index; each band is sorted again when a search first needs it (band). */
  build(): void {
    if (this.tail) {
      ({ hi: this.hi, lo: this.lo, rowid: this.rowid } = this.columns());
      this.tail = 0;
      this.tailHi = new Int32Array(1024);
      this.tailLo = new Int32Array(1024);
      this.tailRowid = new Float64Array(1024);
    }
    this.offsets = new Array(BANDS).fill(undefined);
    this.ids = new Array(BANDS).fill(undefined);
  }

  /** Band b's counting sort (built on first use): a count of each value, then a scatter of the units. */
  private band(b: number): void {
    if (this.ids[b]) return;
    const n = this.hi.length;
    const half = b < 2 ? this.hi : this.lo;
    const shift = b % 2 === 0 ? 16 : 0;
    const off = new Uint32Array(SIZE + 1);
    for (let i = 0; i < n; i++) off[((half[i]! >>> shift) & 0xffff) + 1]!++;
    for (let v = 0; v < SIZE; v++) off[v + 1]! += off[v]!;
    const next = scratch.next;
    next.set(off.subarray(0, SIZE));
    const ids = new Uint32Array(n);
    for (let i = 0; i < n; i++) ids[next[(half[i]! >>> shift) & 0xffff]!++] = i;
    this.offsets[b] = off;
    this.ids[b] = ids;
  }

  /** Generation stamps: a unit is checked once per query even when several bands list it. */
  private stamp = new Uint32Array(0);
  private generation = 0;

  /**
   * Rowids of the units within maxDistance over 64 bits, probing band b within radii[b] bits
   * (bandRadii: full recall).
   */
  search(qhi: number, qlo: number, maxDistance: number, masks: Int32Array[]): number[] {
    const out: number[] = [];
    const hi = this.hi;
    const lo = this.lo;
    const rowid = this.rowid;
    if (this.stamp.length < hi.length) {
      this.stamp = new Uint32Array(hi.length);
      this.generation = 0;
    }
    const stamp = this.stamp;
    let gen = ++this.generation;
    if (gen === 0xffffffff) {
      stamp.fill(0);
      gen = this.generation = 1;
    }
    // Fewer units than the bands would probe (1,108 values at the default distance): a scan of them all is
    // less work than the probes, and needs no band sorted.
    let probes = 0;
    for (let b = 0; b < BANDS; b++) probes += masks[b]!.length;
    if (hi.length < probes) scan(hi, lo, rowid, hi.length, qhi, qlo, maxDistance, out);
    // Nothing built yet (hi empty): every unit is in the tail.
    for (let b = 0; b < BANDS && hi.length >= probes; b++) {
      this.band(b);
      const off = this.offsets[b]!;
      const ids = this.ids[b]!;
      const mb = masks[b]!;
      const qv = b === 0 ? qhi >>> 16 : b === 1 ? qhi & 0xffff : b === 2 ? qlo >>> 16 : qlo & 0xffff;
      for (let m = 0; m < mb.length; m++) {
        const v = qv ^ mb[m]!;
        for (let k = off[v]!, end = off[v + 1]!; k < end; k++) {
          const i = ids[k]!;
          if (stamp[i] === gen) continue;
          stamp[i] = gen;
          const x = hi[i]! ^ qhi;
          let d = POP[x & 0xffff]! + POP[x >>> 16]!;
          if (d > maxDistance) continue;
          const y = lo[i]! ^ qlo;
          d += POP[y & 0xffff]! + POP[y >>> 16]!;
          if (d <= maxDistance) out.push(rowid[i]!);
        }
      }
    }
    // The tail appended since the last build, by a scan.
    scan(this.tailHi, this.tailLo, this.tailRowid, this.tail, qhi, qlo, maxDistance, out);
    return out;
  }
}

/** Appends to `out` the rowids of the first n units within maxDistance of (qhi, qlo), one by one. */
function scan(hi: Int32Array, lo: Int32Array, rowid: Float64Array, n: number, qhi: number, qlo: number, maxDistance: number, out: number[]): void {
  for (let i = 0; i < n; i++) {
    const x = hi[i]! ^ qhi;
    const y = lo[i]! ^ qlo;
    if (POP[x & 0xffff]! + POP[x >>> 16]! + POP[y & 0xffff]! + POP[y >>> 16]! <= maxDistance) out.push(rowid[i]!);
  }
}

const markOf = (r: UnitMark | undefined): RowMark | null => (r ? rowMark(r.rowid, r.seq, r.code) : null);

/** When an isolate publishes its index as the shared snapshot (index-snapshots.ts): after loading this many units from rows… */
const PUBLISH_MIN_UNITS = 20_000;
/** …and at least this share of the index; so a cold isolate reads at most ~5% of the index row by row. */
const PUBLISH_SHARE = 0.05;

export class MemoryUnitIndex {
  private types = new Map<string, TypeIndex>();
  /** The rows this copy holds (domain/table-mark.ts); null: none. */
  private mark: TableMark | null = null;
  /** Units read row by row since the snapshot this copy started from (all of them without one). */
  private unpublished = 0;
  private loading = false;
  private units = 0;
  readonly stats = { fullLoads: 0, snapshotLoads: 0, cachedSnapshots: 0, incrementalLoads: 0, replicaBehind: 0, published: 0 };

  constructor(private readonly publishMinUnits = PUBLISH_MIN_UNITS) {}

  get size(): number {
    return this.units;
  }

  /**
   * Loads what D1 has that this index has not; a table that changed under it is reloaded whole, from
   * the newest snapshot and the rows after it. A read replica behind this copy changes nothing.
   * Returns false when another request is loading: a request never waits on another's I/O (Workers
   * forbid it), so the caller covers the gap itself (searchWithTail). With `background` (the request's
   * waitUntil), publishing a snapshot (index-snapshots.ts) does not hold up the request's answer.
   */
  async refresh(db: Reader, background?: (work: Promise<unknown>) => void): Promise<boolean> {
    if (this.loading) return false;
    this.loading = true;
    try {
      await this.load(db, background);
      return true;
    } finally {
      this.loading = false;
    }
  }

  /** Whether a request is loading rows into this index now. */
  get isLoading(): boolean {
    return this.loading;
  }

  /** The last rowid the index holds (−1: none). */
  get loadedRowid(): number {
    return this.mark?.last.rowid ?? -1;
  }

  /**
   * While another request loads: search what is loaded up to a fixed rowid, and check the rows after
   * it here, from D1. Null when that tail is too long (a cold or reloading index): use SQL instead.
   */
  async searchWithTail(db: Reader, queries: UnitQuery[], maxDistance: number): Promise<UnitHit[][] | null> {
    const upTo = this.loadedRowid;
    if (upTo < 0) return null;
    const TAIL = 50_000;
    const tail = await unitsAfter(db, upTo, TAIL + 1);
    if (tail.length > TAIL) return null;
    const hits = await this.search(db, queries, maxDistance, upTo);
    return hits.map((h, k) => {
      const q = queries[k]!;
      return [...h, ...verify(q, tail.filter((r) => r.unit_type === q.unitType), maxDistance)];
    });
  }

  /**
   * One consistent view of iscc_units against this copy (store/iscc-units.ts), as marks; with
   * `withSnapshot`, the newest snapshot too: D1 names its build and the bytes come from this colo's
   * cache (snapshot-cache.ts), or, when the cache does not hold them (or `fromD1`), the view is read
   * again with the snapshot's parts, in one batch, and the bytes put in the cache for the next
   * fresh isolate (in `background` when given).
   */
  private async readView(db: Reader, withSnapshot: boolean, background?: (work: Promise<unknown>) => void, fromD1 = false) {
    let v = await unitView(db, this.loadedRowid, !withSnapshot ? "none" : fromD1 ? "whole" : "head");
    let bytes = v.bytes;
    let cached = false;
    if (withSnapshot && !fromD1 && v.head) {
      const hit = await cachedSnapshot("units", v.head.version, v.head.build);
      if (hit) {
        bytes = hit;
        cached = true;
      } else {
        v = await unitView(db, this.loadedRowid, "whole");
        bytes = v.bytes;
      }
    }
    if (!cached && bytes && v.head) {
      const put = cacheSnapshot("units", v.head.version, v.head.build, bytes);
      if (background) background(put);
      else await put;
    }
    return {
      view: { first: markOf(v.first), last: markOf(v.last), atMark: markOf(v.at) },
      snapshot: withSnapshot ? (bytes && v.head ? { version: v.head.version, bytes } : null) : undefined,
      atSnapshot: markOf(v.atSnapshot),
      cached,
    };
  }

  private async load(db: Reader, background?: (work: Promise<unknown>) => void): Promise<void> {
    let read = await this.readView(db, this.mark === null, background);
    const verdict = compareView(this.mark, read.view);
    if (verdict === "current") return;
    if (verdict === "behind") {
      this.stats.replicaBehind++;
      return;
    }
    const touched = new Set<TypeIndex>();
    if (verdict === "other") {
      this.types = new Map();
      this.units = 0;
      this.mark = null;
      this.unpublished = 0;
      if (read.snapshot === undefined) read = await this.readView(db, true, background);
      let adopted = this.adopt(read.snapshot, { ...read.view, atMark: read.atSnapshot ?? null });
      // A cached copy that does not decode: D1's before a load from every row.
      if (!adopted && read.cached) {
        read = await this.readView(db, true, background, true);
        adopted = this.adopt(read.snapshot, { ...read.view, atMark: read.atSnapshot ?? null });
      }
      if (adopted) this.stats.snapshotLoads++;
      else this.stats.fullLoads++;
      if (read.cached) this.stats.cachedSnapshots++;
    } else this.stats.incrementalLoads++;
    for (const t of this.types.values()) touched.add(t);
    await this.loadRows(db, touched);
    // Rebuild a type's band index when its unindexed tail grows past 1/8 of it; scan the tail until then.
    for (const t of touched) if (t.tail > Math.max(2048, t.built / 8)) t.build();
    if (this.unpublished >= Math.max(this.publishMinUnits, PUBLISH_SHARE * this.units)) {
      const published = this.publish(db);
      if (background) background(published);
      else await published;
    }
  }

  /** Starts the copy from a snapshot, if it is one of this table (its last row is there, as it was). */
  private adopt(snapshot: { version: number; bytes: Uint8Array } | null | undefined, view: TableView): boolean {
    if (!snapshot) return false;
    let s: UnitSnapshot;
    try {
      s = decodeUnitSnapshot(snapshot.bytes);
    } catch (e) {
      console.error("unit index snapshot unreadable; loading from rows", e);
      return false;
    }
    const verdict = compareView(s.mark, view);
    if (verdict !== "current" && verdict !== "grown") return false;
    let exact = 0;
    for (const c of s.types) {
      if (exactUnitType(c.unitType)) {
        exact += c.hi.length;
        continue;
      }
      const t = TypeIndex.fromColumns(c.hi, c.lo, c.rowid);
      this.types.set(c.unitType, t);
      this.units += t.n;
    }
    this.mark = s.mark;
    // A snapshot published while exact units were still held: publish this copy without them, so that
    // the next cold isolate reads less.
    if (exact) this.unpublished = this.units;
    return true;
  }

  /** Appends the rows after the mark, page by page (packed: store/iscc-units.ts unitPageAfter). */
  private async loadRows(db: Reader, touched: Set<TypeIndex>): Promise<void> {
    for (;;) {
      const page = await unitPageAfter(db, this.loadedRowid, PAGE);
      let held = 0;
      for (const { type, n, packed } of page.types) {
        if (exactUnitType(type)) continue;
        held += n;
        let t = this.types.get(type);
        if (!t) this.types.set(type, (t = new TypeIndex()));
        for (let k = 0; k < packed.length; k += PACKED_UNIT_CHARS) {
          const rowid = parseInt(packed.slice(k, k + 12), 16);
          t.push(parseInt(packed.slice(k + 12, k + 20), 16) | 0, parseInt(packed.slice(k + 20, k + 28), 16) | 0, rowid);
        }
        touched.add(t);
      }
      this.units += held;
      if (page.first && page.last && page.count) {
        this.mark = { first: this.mark?.first ?? markOf(page.first)!, last: markOf(page.last)! };
        this.unpublished += held;
      }
      if (page.count < PAGE) break;
    }
  }

  /** Shares this copy as the newest snapshot, so the next cold isolate reads it in one statement. */
  private async publish(db: Reader): Promise<void> {
    const mark = this.mark;
    if (!mark) return;
    const types = [...this.types].map(([unitType, t]) => ({ unitType, ...t.columns() }));
    this.unpublished = 0;
    try {
      const bytes = encodeUnitSnapshot({ mark, types });
      const build = await publishSnapshot(db, "units", mark.last.rowid, bytes);
      this.stats.published++;
      await cacheSnapshot("units", mark.last.rowid, build, bytes);
    } catch (e) {
      console.error("publishing the unit index snapshot failed; the next load tries again", e);
    }
  }

  /** Hits per query; rows are read back from D1 for code and whole body, and verified as the SQL path does. */
  async search(db: Reader, queries: UnitQuery[], maxDistance: number, upToRowid = Infinity): Promise<UnitHit[][]> {
    if (queries.some((q) => q.exact)) throw new Error("exact units are searched in D1 (d1-index.ts), not in the memory index");
    const masks = bandRadii(maxDistance).map(bandMasks);
    const candidates: number[][] = [];
    const rowids: number[] = [];
    for (const q of queries) {
      const t = this.types.get(q.unitType);
      if (!t) {
        candidates.push([]);
        continue;
      }
      const b = q.body;
      const qhi = ((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0);
      const qlo = ((b[4] ?? 0) << 24) | ((b[5] ?? 0) << 16) | ((b[6] ?? 0) << 8) | (b[7] ?? 0);
      const found = t.search(qhi | 0, qlo | 0, maxDistance, masks);
      const ids = upToRowid === Infinity ? found : found.filter((r) => r <= upToRowid);
      candidates.push(ids);
      rowids.push(...ids);
    }
    const rows = await unitsByRowid(db, rowids);
    return queries.map((q, k) => verify(q, candidates[k]!.map((r) => rows.get(r)!).filter(Boolean), maxDistance));
  }
}

export const memoryUnitIndex = new MemoryUnitIndex();

/**
 * The index's code run once on made-up units while the isolate starts (module evaluation, before its
 * first request), as warm-code.ts does for lookups: V8 compiles a function on its first calls and
 * optimizes it after many, and without this an isolate's first match built its million-unit band
 * index in code not yet optimized. No I/O, nothing kept but the masks of the default distance.
 */
export function warmIndexCode(): void {
  const n = 4096;
  const hi = new Int32Array(n);
  const lo = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    hi[i] = Math.imul(i, 0x9e3779b1);
    lo[i] = Math.imul(i ^ 0x5bd1e995, 0x85ebca6b);
  }
  const masks = bandRadii(DEFAULT_MAX_DISTANCE).map(bandMasks);
  for (let round = 0; round < 2; round++) {
    const t = TypeIndex.fromColumns(hi, lo, Float64Array.from({ length: n }, (_, i) => i + 1));
    t.push(1, 2, n + 1);
    for (let q = 0; q < 16; q++) t.search(hi[q]!, lo[q]!, DEFAULT_MAX_DISTANCE, masks);
  }
}
