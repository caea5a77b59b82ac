import { defaultCache } from "../runtime/default-cache";
import type { SnapshotKind } from "./index-snapshots";

/**
 * Index snapshots' bytes in the Cache API, in front of D1 (index-snapshots.ts). D1 stays the one
 * source of which snapshot is the newest: a reader asks D1 for the newest build's version and
 * build id in its consistent view, and takes the bytes of exactly that build from the cache. A
 * build's bytes never change once published, so a cached copy is never stale; an entry that is
 * gone (evicted, another colo, workers.dev, where the cache keeps nothing) is read from D1 as
 * before and put back.
 *
 * Why: through D1 a snapshot arrives as base64 text inside a JSON answer (D1 returns blobs as
 * arrays of numbers), a third larger than its bytes and parsed twice, and at a million units that
 * read was most of a fresh isolate's first match (BENCHMARKS.md, `match6`); the cache hands the
 * bytes back as they were put, in the isolate's own colo.
 */
const KEY_BASE = "https://index-snapshots.invalid/";

/** The cache key of one build: a build's bytes never change, so the key names exactly one value. */
export const snapshotCacheKey = (kind: SnapshotKind, version: number, build: string) => new Request(`${KEY_BASE}${kind}/${version}/${encodeURIComponent(build)}`);

/** The bytes of build `build` of the `kind` snapshot at `version`, or null when this colo's cache does not hold them. */
export async function cachedSnapshot(kind: SnapshotKind, version: number, build: string): Promise<Uint8Array | null> {
  const c = defaultCache();
  if (!c) return null;
  try {
    const hit = await c.match(snapshotCacheKey(kind, version, build));
    return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
  } catch (e) {
    console.error("reading an index snapshot from the cache failed; reading it from D1", e);
    return null;
  }
}

/** Puts a published build's bytes in this colo's cache (best effort: a failure costs the next reader a D1 read). */
export async function cacheSnapshot(kind: SnapshotKind, version: number, build: string, bytes: Uint8Array): Promise<void> {
  const c = defaultCache();
  if (!c) return;
  try {
    await c.put(snapshotCacheKey(kind, version, build), new Response(bytes, { headers: { "content-type": "application/octet-stream", "cache-control": "max-age=86400" } }));
  } catch (e) {
    console.error("putting an index snapshot in the cache failed", e);
  }
}
