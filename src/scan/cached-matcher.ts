/**
 * Content matching that reuses the answers of the last scan (answer-cache.ts) where they cannot have changed,
 * and asks the source only for the rest, so a re-scan of unchanged files against an unchanged registry sends
 * no match request at all, and one after a few new declarations or revocations sends only the codes they touch.
 * The answers are exactly what a full match gives:
 * - against a registry: the cache holds answers as of a registry version V (each POST /v1/match answer says
 *   which version it reflects at least; the cache keeps the lowest). On the next scan the feed after V
 *   (registry-changes.ts) lists every record since; an answer is dropped when it cites a declaration since
 *   superseded or revoked, or when its code is within the registry's distance of a unit (or equal to a
 *   datahash) declared since, the same search the offline matcher makes (snapshot-matcher.ts). A registry
 *   that cannot say (no version in its answers, no feed, another history behind the URL, too many changes)
 *   gets every code again.
 * - against a units snapshot: the answers hold for that snapshot; another snapshot starts afresh.
 * URLs and work identifiers are always looked up (10,000 a request; the URL snapshot answers most offline).
 */
import { DEFAULT_MAX_DISTANCE } from "../similarity/bands";
import { AnswerCache, type AnswerState } from "./answer-cache";
import { changesSince, recordAt } from "./registry-changes";
import type { Found, Matcher, RegistryMatcher } from "./registry-matcher";
import type { RetryPolicy } from "./retrying-fetch";
import { SnapshotMatcher } from "./snapshot-matcher";

export class CachedMatcher implements Matcher {
  /** Codes answered from the cache. */
  reused = 0;

  constructor(
    private readonly inner: Matcher,
    private readonly cache: AnswerCache,
    /** What the cache holds for after this scan, or null when it cannot be vouched for. */
    private readonly stateAfter: () => Promise<AnswerState | null>,
  ) {}

  get requests(): number {
    return this.inner.requests;
  }

  matchCode(iscc: string): Promise<Found> {
    const known = this.cache.get(iscc);
    if (known) {
      this.reused++;
      return Promise.resolve({ matches: known });
    }
    return this.inner.matchCode(iscc).then((f) => {
      if ("matches" in f) this.cache.put(iscc, f.matches);
      return f;
    });
  }

  lookupUrl(url: string): Promise<Found> {
    return this.inner.lookupUrl(url);
  }

  lookupIdentifier(identifier: string): Promise<Found> {
    return this.inner.lookupIdentifier(identifier);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  async finish(): Promise<void> {
    await this.inner.finish?.();
    await this.cache.save(await this.stateAfter());
  }
}

/** A registry's matcher that reuses the answers in `file` (see above). */
export async function cachedRegistryMatcher(file: string, inner: RegistryMatcher, base: URL, policy: RetryPolicy, maxDistance?: number): Promise<CachedMatcher> {
  const cache = await AnswerCache.open(file, `registry ${base.href} max_distance=${maxDistance ?? "default"}`);
  const before = cache.loaded;
  /** The version up to which the kept answers were checked (Infinity: none kept). */
  let checked = Infinity;
  if (before && cache.size) {
    const changes = await changesSince(base, before.version, before.anchor, policy);
    if (!changes) cache.clear();
    else {
      checked = changes.upTo;
      const d = changes.declared;
      if (changes.ended.size || d.units.length || d.datahashes.length) {
        const near = new SnapshotMatcher(d, () => Promise.reject(new Error("no URLs here")), before.max_distance);
        cache.drop((iscc, matches) => {
          if (matches.some((m) => changes.ended.has(m.declaration))) return true;
          const f = near.find(iscc);
          return !("matches" in f) || f.matches.length > 0;
        });
      }
    }
  }
  return new CachedMatcher(inner, cache, async () => {
    const answered = inner.answeredVersion;
    const distance = inner.maxDistanceUsed ?? before?.max_distance;
    // answers the registry gave at another distance than the kept ones: which is which is unknown
    if (answered === null || distance === undefined || (before && checked !== Infinity && distance !== before.max_distance)) return null;
    const version = Math.min(checked, answered);
    if (version === Infinity) return null;
    const anchor = await recordAt(base, version, policy);
    return anchor === null ? null : { version, anchor, max_distance: distance };
  });
}

/** A units snapshot's matcher that reuses the answers in `file` while the snapshot is the same. */
export async function cachedSnapshotMatcher(file: string, inner: Matcher, snapshot: { registry: string; version: number; createdAt: number }, maxDistance = DEFAULT_MAX_DISTANCE): Promise<CachedMatcher> {
  const cache = await AnswerCache.open(file, `snapshot ${snapshot.registry} version=${snapshot.version} created=${snapshot.createdAt} max_distance=${maxDistance}`);
  return new CachedMatcher(inner, cache, async () => ({ version: snapshot.version, anchor: "", max_distance: maxDistance }));
}
