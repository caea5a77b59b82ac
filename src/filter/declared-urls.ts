/**
 * Per-isolate knowledge of the registry, so that most lookups touch no storage:
 *
 *   - the registry version: the highest declaration seq and its id. Every registration, update and
 *     revocation (local or from a peer) is a new declaration row, so any change to any answer
 *     changes the version. The id is part of it so that a database rebuilt to the same length
 *     (tests, restores) is still seen as different.
 *   - a binary fuse filter (16-bit fingerprints) of the keys of every active URL rule (url-keys.ts), plus the keys of rules
 *     added since it was built. A lookup whose probes all miss is not declared, without a query.
 *
 * Freshness: the version is re-read at most once per `freshnessMs` (default 1 s), on the request
 * that finds it older than that; a request carrying a D1 bookmark, or any request after a write
 * passed through this isolate (markChanged), re-reads it first; a request with a bookmark does not
 * use the filter at all. New rules are loaded
 * incrementally by url_rules rowid (the table is append-only); rules whose declaration was revoked
 * or superseded stay in the filter until the next full build and only cost a query (the SQL
 * checks the status). A change is therefore visible to lookups everywhere within freshnessMs
 * plus read-replica lag, and at once to the client holding the write's bookmark.
 */
import type { Reader } from "../store/db";
import { rulesAfter, rulesWithStatusAfter, versionAndRuleMarks, type RuleMark } from "../store/url-rules";
import { BinaryFuse16 } from "./binary-fuse";
import { hashKeyPair, probeUrl, ruleFilterKeys } from "./url-keys";


export interface RegistryVersion {
  seq: number;
  id: string;
}

export const versionTag = (v: RegistryVersion) => `${v.seq}-${v.id.replace(/^ISCC:/, "")}`;

/** Rows per page when the whole rule set is (re)loaded, to keep each D1 result small. */
const PAGE = 50_000;
/** Rebuild the filter when the rules added since the last build exceed this share of it. */
const DELTA_SHARE = 0.1;

class DeltaKeys {
  private readonly byA = new Map<number, number[]>();
  size = 0;
  add(a: number, b: number): void {
    const list = this.byA.get(a);
    if (list) list.push(b);
    else this.byA.set(a, [b]);
    this.size++;
  }
  has(a: number, b: number): boolean {
    const list = this.byA.get(a);
    return list !== undefined && list.includes(b);
  }
}

export class DeclaredUrls {
  version: RegistryVersion | null = null;
  private checkedAt = -Infinity;
  private changed = false;
  private filter: BinaryFuse16 | null = null;
  private delta = new DeltaKeys();
  /** The last url_rules row seen (rowid and identity), to load only what came after it. */
  private mark: { rowid: number; ident: string } | null = null;
  private loading = false;
  /** The load in flight is the one that brings in a write made through this isolate. */
  private catchingUp = false;
  /** Counters for the benchmark and for tests. */
  readonly stats = { versionChecks: 0, fullBuilds: 0, incrementalLoads: 0 };

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
   */
  async refresh(db: Reader, freshnessMs: number): Promise<boolean> {
    if (this.loading) return this.filter !== null && !this.changed && !this.catchingUp;
    if (!this.changed && this.filter && Date.now() - this.checkedAt < freshnessMs) return true;
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
    const f = this.filter;
    if (!f) return true;
    const delta = this.delta;
    return probeUrl(delta.size ? (a, b) => f.has(a, b) || delta.has(a, b) : (a, b) => f.has(a, b), matchKey, host);
  }

  get filterBytes(): number {
    return this.filter?.sizeInBytes ?? 0;
  }

  private async load(db: Reader): Promise<void> {
    this.stats.versionChecks++;
    const markRowid = this.mark?.rowid ?? -1;
    const marks = await versionAndRuleMarks(db, markRowid);
    const version: RegistryVersion = marks.version ?? { seq: 0, id: "" };
    const lastRow = marks.last;
    const ident = (r: RuleMark | undefined) => (r ? `${r.rowid}:${r.seq}:${r.key}` : "none");
    const markRow = marks.at;

    if (this.filter && this.mark && ident(lastRow) === this.mark.ident) {
      // no new rules
    } else if (this.filter && this.mark && ident(markRow) === this.mark.ident && this.delta.size < DELTA_SHARE * (this.filter.sizeInBytes + 1000)) {
      const results = await rulesAfter(db, this.mark.rowid);
      for (const r of results) for (const k of ruleFilterKeys(r)) this.delta.add(...hashKeyPair(k));
      const end = results[results.length - 1];
      if (end) this.mark = { rowid: end.rowid, ident: ident(end) };
      this.stats.incrementalLoads++;
    } else {
      await this.build(db);
    }
    this.version = version;
    this.checkedAt = Date.now();
  }

  /** Loads every active rule, page by page, and builds a new filter. */
  private async build(db: Reader): Promise<void> {
    const a: number[] = [];
    const b: number[] = [];
    let after = -1;
    let mark: { rowid: number; ident: string } | null = null;
    for (;;) {
      const { rows, last } = await rulesWithStatusAfter(db, after, PAGE);
      for (const r of rows) {
        if (!r.active) continue;
        for (const k of ruleFilterKeys(r)) {
          const [x, y] = hashKeyPair(k);
          a.push(x);
          b.push(y);
        }
      }
      const end = rows[rows.length - 1];
      if (end) {
        after = end.rowid;
        mark = { rowid: end.rowid, ident: `${end.rowid}:${end.seq}:${end.key}` };
      }
      if (rows.length < PAGE) {
        // A rule with no declaration row yet cannot exist (one atomic batch writes both), so the last
        // rule row is the last joined row; if not, the next refresh finds the mark changed and rebuilds.
        if (last && mark && last.rowid !== mark.rowid) mark = null;
        break;
      }
    }
    this.filter = BinaryFuse16.build(Uint32Array.from(a), Uint32Array.from(b));
    this.delta = new DeltaKeys();
    this.mark = mark;
    this.stats.fullBuilds++;
  }
}

/** The isolate's one instance: Workers reuse an isolate across requests, so this is the cache. */
export const declaredUrls = new DeclaredUrls();
