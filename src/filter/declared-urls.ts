/**
 * Per-isolate knowledge of the registry, so that most lookups touch no storage:
 *
 *   - the registry version: the highest declaration seq and its id, and the highest conflict n.
 *     Every registration, update and revocation (local or from a peer) is a new declaration row,
 *     and every conflict found (after its declarations are written) a new conflict row, so any
 *     change to any answer changes the version. The id is part of it so that a database rebuilt to
 *     the same length (tests, restores) is still seen as different. The rules of URLs looked up
 *     before are kept for the version (covering-rules-cache.ts).
 *   - a binary fuse filter (16-bit fingerprints) of the keys of every active URL rule (url-keys.ts), plus the keys of rules
 *     added since it was built. A lookup whose probes all miss is not declared, without a query.
 *
 * Freshness: the version is re-read at most once per `freshnessMs` (default 1 s), by the request
 * that finds it older than that, in the background of that request (it answers with the filter as
 * it is); a request carrying a D1 bookmark, or any request after a write passed through this isolate
 * (markChanged), re-reads it first and waits; a request with a bookmark does not use the filter at
 * all. New rules are loaded incrementally by url_rules rowid (the table is append-only); rules whose
 * declaration was revoked or superseded stay in the filter until the next full build and only cost
 * a query (the SQL checks the status). A change is therefore visible to lookups everywhere within
 * freshnessMs plus one refresh plus read-replica lag, and at once to the client holding the
 * write's bookmark.
 *
 * Cold start: a fresh isolate starts from the newest filter snapshot in D1 (index_snapshots, one
 * read) and adds the rules after it; whichever isolate builds a filter from every rule publishes it.
 * A replica that is behind what this isolate holds (domain/table-mark.ts) changes nothing: neither
 * the filter nor the version goes back, and nothing is rebuilt.
 */
import { compareView, rowMark, type RowMark, type TableMark, type TableView } from "../domain/table-mark";
import type { Reader } from "../store/db";
import { publishSnapshot } from "../store/index-snapshots";
import { ruleView, rulesAfter, rulesWithStatusAfter, type RuleMark } from "../store/url-rules";
import { pollWhile } from "../runtime/poll-while";
import { BinaryFuse16 } from "./binary-fuse";
import { decodeFilterSnapshot, encodeFilterSnapshot, type FilterSnapshot } from "./filter-snapshot";
import { hashKeyPair, probeUrl, ruleFilterKeys } from "./url-keys";


export interface RegistryVersion {
  seq: number;
  id: string;
  /** The highest conflict n: a conflict is found after the declarations it concerns are written. */
  conflicts: number;
}

export const versionTag = (v: RegistryVersion) => `${v.seq}-${v.id.replace(/^ISCC:/, "")}-${v.conflicts}`;

/** Rows per page when the whole rule set is (re)loaded, to keep each D1 result small. */
const PAGE = 50_000;
/** How long a request that must not answer from D1 URL by URL waits for another request's first load. */
const WAIT_FOR_LOAD_MS = 5_000;
/** Rebuild the filter when the rules added since the last build exceed this share of it. */
const DELTA_SHARE = 0.1;

/**
 * The keys of rules added since the filter was built. Every probe that misses the filter asks here
 * (most of a batch's ~11,000 probes a 1,000 URLs), so a bit per value of a key's low 16 bits of `a`
 * answers most of them without the Map lookup of a number that is often not a small integer.
 */
export class DeltaKeys {
  private readonly byA = new Map<number, number[]>();
  private readonly bits = new Uint8Array(1 << 13);
  size = 0;
  add(a: number, b: number): void {
    const list = this.byA.get(a);
    if (list) list.push(b);
    else this.byA.set(a, [b]);
    const byte = (a & 0xffff) >>> 3;
    this.bits[byte] = this.bits[byte]! | (1 << (a & 7));
    this.size++;
  }
  has(a: number, b: number): boolean {
    if ((this.bits[(a & 0xffff) >>> 3]! & (1 << (a & 7))) === 0) return false;
    const list = this.byA.get(a);
    return list !== undefined && list.includes(b);
  }
}

const markOf = (r: RuleMark | undefined): RowMark | null => (r ? rowMark(r.rowid, r.seq, r.key) : null);

export class DeclaredUrls {
  version: RegistryVersion | null = null;
  private checkedAt = -Infinity;
  private changed = false;
  private filter: BinaryFuse16 | null = null;
  private delta = new DeltaKeys();
  /** The url_rules rows the filter and the delta hold (domain/table-mark.ts). */
  private mark: TableMark | null = null;
  private loading = false;
  /** The load in flight is the one that brings in a write made through this isolate. */
  private catchingUp = false;
  /** Counters for the benchmark and for tests. */
  readonly stats = { versionChecks: 0, fullBuilds: 0, snapshotLoads: 0, incrementalLoads: 0, replicaBehind: 0, published: 0 };

  /** After a write through this isolate: the next request re-reads the version. */
  markChanged(): void {
    this.changed = true;
  }

  /**
   * Brings version and filter up to date if they are older than `freshnessMs`, and says whether
   * this request may trust `mayCover`. A request never waits on another request's load: Workers
   * forbid one request to use I/O started by another ("Cannot perform I/O on behalf of a different
   * request", seen in the benchmark as 500s). So while one request loads, the others use the
   * current filter, unless there is none yet or a write through this isolate is not in it: then
   * they answer from D1 (false).
   *
   * With `background` (the request's waitUntil), a request that finds the filter missing or old
   * does not wait for the load either: it starts it in the background and answers with the filter as
   * it is, or from D1 when there is none (so an isolate's first lookup costs one query, not a load).
   * After a write through this isolate the load is always awaited: that client must see its write.
   * Without `background` and without a filter yet (a batch lookup in a fresh isolate), a request
   * that finds another's load in flight waits for it (pollWhile) rather than query D1 URL by URL.
   */
  async refresh(db: Reader, freshnessMs: number, background?: (load: Promise<unknown>) => void): Promise<boolean> {
    if (this.loading && this.filter === null && !background) await pollWhile(() => this.loading, WAIT_FOR_LOAD_MS);
    if (this.loading) return this.filter !== null && !this.changed && !this.catchingUp;
    if (!this.changed && this.filter && Date.now() - this.checkedAt < freshnessMs) return true;
    if (background && !this.changed) {
      background(this.run(db));
      return this.filter !== null;
    }
    return this.run(db);
  }

  private async run(db: Reader): Promise<boolean> {
    this.loading = true;
    const changed = this.changed;
    this.changed = false;
    this.catchingUp = changed;
    try {
      await this.load(db);
      return true;
    } catch (e) {
      if (changed) this.changed = true;
      console.error("URL filter refresh failed; answering from D1", e);
      return false;
    } finally {
      this.loading = false;
      this.catchingUp = false;
    }
  }

  /** Whether some rule may cover the URL (false: certainly none does). */
  mayCover(matchKey: string, host: string): boolean {
    return this.filter === null || probeUrl(this.has, matchKey, host);
  }

  /** The filter's and the delta's keys, as probeUrl asks them (one function, not one per URL). */
  private readonly has = (a: number, b: number): boolean => this.filter!.has(a, b) || (this.delta.size > 0 && this.delta.has(a, b));

  get hasFilter(): boolean {
    return this.filter !== null;
  }

  get filterBytes(): number {
    return this.filter?.sizeInBytes ?? 0;
  }

  /** One consistent view of url_rules against this copy (store/url-rules.ts), as marks. */
  private async readView(db: Reader, withSnapshot: boolean) {
    const v = await ruleView(db, this.mark?.last.rowid ?? -1, withSnapshot);
    return {
      version: v.version ?? { seq: 0, id: "", conflicts: 0 },
      view: { first: markOf(v.first), last: markOf(v.last), atMark: markOf(v.at) },
      snapshot: v.snapshot,
      atSnapshot: markOf(v.atSnapshot),
    };
  }

  private async load(db: Reader): Promise<void> {
    this.stats.versionChecks++;
    let read = await this.readView(db, this.filter === null);
    const verdict = this.filter ? compareView(this.mark, read.view) : "other";
    if (verdict === "behind") {
      // A replica that has not applied what this isolate already holds: keep the filter and the version.
      this.stats.replicaBehind++;
      this.checkedAt = Date.now();
      return;
    }
    if (verdict === "grown" && this.delta.size < DELTA_SHARE * (this.filter!.sizeInBytes + 1000)) {
      await this.loadRules(db);
      this.stats.incrementalLoads++;
    } else if (verdict !== "current") {
      // A new filter: the newest snapshot if it holds more than this one, else one built from every rule.
      if (read.snapshot === undefined) read = await this.readView(db, true);
      if (this.adopt(read.snapshot, { ...read.view, atMark: read.atSnapshot ?? null }, verdict === "grown" ? this.mark!.last.rowid : -1)) {
        await this.loadRules(db);
        this.stats.snapshotLoads++;
      } else {
        await this.build(db);
        if (this.mark) await this.publish(db, this.mark);
      }
    }
    // The version only moves forward on the same table: a lagging replica's is older.
    const v = this.version;
    const older = verdict !== "other" && v !== null && (read.version.seq < v.seq || (read.version.seq === v.seq && read.version.conflicts < v.conflicts));
    if (!older) this.version = read.version;
    this.checkedAt = Date.now();
  }

  /** Takes a snapshot's filter if it is of this table and holds rows past `beyond`. */
  private adopt(snapshot: { version: number; bytes: Uint8Array } | null | undefined, view: TableView, beyond: number): boolean {
    if (!snapshot || snapshot.version <= beyond) return false;
    let s: FilterSnapshot;
    try {
      s = decodeFilterSnapshot(snapshot.bytes);
    } catch (e) {
      console.error("URL filter snapshot unreadable; building from the rules", e);
      return false;
    }
    const verdict = compareView(s.mark, view);
    if (verdict !== "current" && verdict !== "grown") return false;
    this.filter = s.filter;
    this.delta = new DeltaKeys();
    this.mark = s.mark;
    return true;
  }

  /** Adds the rules after the mark to the delta keys. */
  private async loadRules(db: Reader): Promise<void> {
    const results = await rulesAfter(db, this.mark!.last.rowid);
    for (const r of results) for (const k of ruleFilterKeys(r)) this.delta.add(...hashKeyPair(k));
    const end = results[results.length - 1];
    if (end) this.mark = { first: this.mark!.first, last: rowMark(end.rowid, end.seq, end.key) };
  }

  /** Loads every active rule, page by page, and builds a new filter. */
  private async build(db: Reader): Promise<void> {
    const a: number[] = [];
    const b: number[] = [];
    let after = -1;
    let first: RowMark | null = null;
    let last: RowMark | null = null;
    for (;;) {
      const { rows, last: end } = await rulesWithStatusAfter(db, after, PAGE);
      for (const r of rows) {
        if (!r.active) continue;
        for (const k of ruleFilterKeys(r)) {
          const [x, y] = hashKeyPair(k);
          a.push(x);
          b.push(y);
        }
      }
      const head = rows[0];
      const tail = rows[rows.length - 1];
      if (head && !first) first = rowMark(head.rowid, head.seq, head.key);
      if (tail) {
        after = tail.rowid;
        last = rowMark(tail.rowid, tail.seq, tail.key);
      }
      if (rows.length < PAGE) {
        // A rule with no declaration row yet cannot exist (one atomic batch writes both), so the last
        // rule row is the last joined row; if not, the next refresh finds the mark changed and rebuilds.
        if (end && last && end.rowid !== last.rowid) last = null;
        break;
      }
    }
    this.filter = BinaryFuse16.build(Uint32Array.from(a), Uint32Array.from(b));
    this.delta = new DeltaKeys();
    this.mark = first && last ? { first, last } : null;
    this.stats.fullBuilds++;
  }

  /** Shares a filter built from the rules as the newest snapshot, for the next cold isolate. */
  private async publish(db: Reader, mark: TableMark): Promise<void> {
    try {
      await publishSnapshot(db, "urls", mark.last.rowid, encodeFilterSnapshot({ mark, filter: this.filter! }));
      this.stats.published++;
    } catch (e) {
      console.error("publishing the URL filter snapshot failed; the next build tries again", e);
    }
  }
}

/** The isolate's one instance: Workers reuse an isolate across requests, so this is the cache. */
export const declaredUrls = new DeclaredUrls();
