import { decodeBase64BulkInto, encodeBase64Bulk } from "../encoding/base64";
import type { Reader } from "./db";

/**
 * The index_snapshots table (schema.ts): snapshots of the per-isolate read indexes, shared by every
 * isolate through D1 (and so through its read replicas). Whichever isolate built an index from the
 * rows publishes it; a fresh isolate reads the newest complete one in one statement, then loads only
 * the rows added after it. Snapshots are derived data: a missing or unreadable one costs a rebuild,
 * never an answer.
 *
 * Why D1 rather than the Cache API or a Durable Object: D1 is where the rows are, so a snapshot and
 * the rows after it come from the same replica in one consistent batch (a cache or an object could
 * hold a snapshot newer than the replica the tail is read from); it is replicated near readers like
 * the rows themselves; the Cache API is per colo and does nothing on workers.dev, and one object
 * would serve every cold isolate of the world from one place. The unit index reads only which build
 * is the newest from D1 in that batch, and that build's bytes from the cache where it holds them
 * (snapshot-cache.ts): a build's bytes never change, so the cache can only save the read.
 */
export type SnapshotKind = "units" | "urls";

/** Base64 characters per part: D1 rows hold at most 2,000,000 bytes. */
export const PART_CHARS = 1_800_000;
/** Parts per D1 batch when publishing, so no request carries more than ~7 MB. */
const PARTS_PER_BATCH = 4;

/** SQL for the version of the newest complete snapshot of kind ?1 (the last rowid it holds). */
export const NEWEST_SNAPSHOT_VERSION = "(SELECT max(version) FROM index_snapshots WHERE kind = ?1 AND part = 0)";

export interface SnapshotPart {
  version: number;
  build: string;
  part: number;
  data: string;
}

/**
 * The version and build of the newest complete snapshot of `?1` (its manifest, part 0, is written last).
 * Of two builds of one version the later one (an isolate that could not read the first, e.g. of an
 * older format, built and published its own). The one choice of both statements below.
 */
const NEWEST_BUILD = "SELECT version, build FROM index_snapshots WHERE kind = ?1 AND part = 0 ORDER BY version DESC, rowid DESC LIMIT 1";

/** Which build of `kind` is the newest complete one, without its parts: the bytes may come from the cache (snapshot-cache.ts). */
export function newestSnapshotHeadStatement(db: Reader, kind: SnapshotKind): D1PreparedStatement {
  return db.prepare(NEWEST_BUILD).bind(kind);
}

/** The newest complete snapshot of `kind` (NEWEST_BUILD): all its parts in one statement. */
export function newestSnapshotStatement(db: Reader, kind: SnapshotKind): D1PreparedStatement {
  return db
    .prepare(
      `SELECT version, build, part, data FROM index_snapshots WHERE kind = ?1 AND (version, build) =
         (${NEWEST_BUILD})
       ORDER BY part`,
    )
    .bind(kind);
}

/** The snapshot's bytes, version and build from the rows of newestSnapshotStatement, or null (none, or damaged). */
export function assembleSnapshot(rows: SnapshotPart[]): { version: number; build: string; bytes: Uint8Array } | null {
  const manifest = rows[0];
  if (!manifest || manifest.part !== 0) return null;
  const parts = Number(manifest.data);
  if (!Number.isInteger(parts) || rows.length !== parts + 1) return null;
  // Every part decoded straight into one buffer: megabytes are not copied a second time to join them.
  let size = 0;
  for (let i = 1; i <= parts; i++) {
    const { part, data } = rows[i]!;
    if (part !== i || data.length % 4) return null;
    size += (data.length / 4) * 3 - (data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (let i = 1; i <= parts; i++) {
    const written = decodeBase64BulkInto(rows[i]!.data, bytes.subarray(at));
    if (written === null) return null;
    at += written;
  }
  return at === size ? { version: manifest.version, build: manifest.build, bytes } : null;
}

/**
 * Stores a snapshot of `kind` at `version` and drops older ones. Parts go first, the manifest (part
 * 0) last, so a reader never sees a build without all its parts. Returns the build's id.
 */
export async function publishSnapshot(db: Reader, kind: SnapshotKind, version: number, bytes: Uint8Array): Promise<string> {
  const text = encodeBase64Bulk(bytes);
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += PART_CHARS) parts.push(text.slice(i, i + PART_CHARS));
  const build = crypto.randomUUID();
  const insert = (part: number, data: string) =>
    db.prepare("INSERT INTO index_snapshots (kind, version, build, part, data) VALUES (?1, ?2, ?3, ?4, ?5)").bind(kind, version, build, part, data);
  for (let i = 0; i < parts.length; i += PARTS_PER_BATCH) await db.batch(parts.slice(i, i + PARTS_PER_BATCH).map((p, k) => insert(i + k + 1, p)));
  await db.batch([insert(0, String(parts.length)), db.prepare("DELETE FROM index_snapshots WHERE kind = ?1 AND version < ?2").bind(kind, version)]);
  return build;
}
