/**
 * The rules D1 found covering a URL the filter (declared-urls.ts) could not rule out, kept by the
 * isolate for the registry version it holds, so that a URL looked up again costs no D1 round trip
 * (in the benchmark's Miniflare one round trip was about as much CPU as the rest of a 1,000-URL
 * lookup). Keyed by the URL's match key.
 *
 * Freshness is the filter's: an entry serves only while the isolate's registry version is the one
 * it was kept under. Every registration, update and revocation is a new declaration row and every
 * conflict found a new conflict row, so any change to any answer changes the version
 * (declared-urls.ts); the first use after the isolate has re-read a new version (within
 * FRESHNESS_MS plus one refresh, at once after a write through this isolate) empties the cache. An
 * answer is kept only if the database that gave it had applied at least that version (`readAt`),
 * so a lagging replica's answer is never kept under a newer version. Requests with a bookmark, and
 * URL_FILTER=off, do not use it (they ask D1).
 *
 * Only answers that cite a rule are kept (a URL the filter let through that D1 finds undeclared is
 * rare: a fingerprint collision). Bounded: past `maxEntries` the oldest entry goes.
 */
import type { ConflictCitation } from "../store/conflicts-read";
import type { ReadAt, RuleRow } from "../store/url-rules-lookup";

export interface CoveringRules {
  rules: RuleRow[];
  /** The conflicts of the rules' declarations, by declaration id (conflicts-read.ts). */
  conflicts: Map<string, ConflictCitation[]>;
}

/** The registry version as declared-urls.ts holds it. */
interface Version {
  seq: number;
  id: string;
  conflicts: number;
}

export class CoveringRulesCache {
  private entries = new Map<string, CoveringRules>();
  /**
   * The keys in the order they were kept, as a ring: the oldest is dropped by its slot. Dropping the
   * Map's first key instead (keys().next()) walks over every slot a delete left empty since the Map
   * last rehashed, thousands once the cache is full: ~9 µs a put in Node against ~0.8.
   */
  private order: string[] = [];
  private oldest = 0;
  private version: Version | null = null;
  /** Counters for the benchmark and for tests. */
  readonly stats = { hits: 0, kept: 0, cleared: 0 };

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The rules kept for this match key under `version`, if any. */
  get(version: Version, key: string): CoveringRules | undefined {
    if (!this.at(version)) return undefined;
    const hit = this.entries.get(key);
    if (hit) this.stats.hits++;
    return hit;
  }

  /** Keeps what D1 answered for this key, read at `readAt`, if that is not older than `version`. */
  put(version: Version, key: string, value: CoveringRules, readAt: ReadAt): void {
    if (readAt.seq < version.seq || readAt.conflicts < version.conflicts) return;
    this.at(version);
    if (!this.entries.has(key)) {
      if (this.order.length < this.maxEntries) this.order.push(key);
      else {
        this.entries.delete(this.order[this.oldest]!);
        this.order[this.oldest] = key;
        this.oldest = (this.oldest + 1) % this.maxEntries;
      }
    }
    this.entries.set(key, value);
    this.stats.kept++;
  }

  /** Moves the cache to `version`, emptying it if it held another; false if it was empty. */
  private at(version: Version): boolean {
    const v = this.version;
    if (v !== null && v.seq === version.seq && v.id === version.id && v.conflicts === version.conflicts) return this.entries.size > 0;
    if (this.entries.size) this.stats.cleared++;
    this.entries.clear();
    this.order = [];
    this.oldest = 0;
    this.version = { seq: version.seq, id: version.id, conflicts: version.conflicts };
    return false;
  }
}

/** The isolate's one instance (beside declaredUrls). 10,000 URLs' rules: a few MB at most. */
export const coveringRulesCache = new CoveringRulesCache(10_000);
