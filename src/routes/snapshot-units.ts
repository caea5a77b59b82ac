import type { Reader } from "../filter/declared-urls";
import { readSession } from "../http/read-path";
import { defineRoute, type App } from "../http/route";
import { registryIdentity } from "../registry-identity";
import { encodeUnitsSnapshot, type SnapshotDeclaration, type UnitsSnapshot } from "../snapshot/units-snapshot";

const PAGE = 50_000;
/** Rebuilt at most once a minute per isolate, like the URL snapshot: a build reads every unit. */
const REBUILD_MS = 60_000;

let built: { version: number; registry: string; bytes: Uint8Array; at: number } | null = null;

const hexBytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** Rows of `sql` (which must select `rowid` and take ?1 = version, ?2 = after rowid, ?3 = limit), page by page. */
async function* pages<T extends { rowid: number }>(db: Reader, sql: string, version: number): AsyncGenerator<T> {
  let after = -1;
  for (;;) {
    const { results } = await db.prepare(sql).bind(version, after, PAGE).all<T>();
    yield* results;
    if (results.length < PAGE) return;
    after = results[results.length - 1]!.rowid;
  }
}

/** Every active declaration's units and datahashes at one registry version. */
async function activeUnits(db: Reader, registry: string): Promise<UnitsSnapshot> {
  const top = await db.prepare("SELECT max(seq) AS seq FROM declarations").first<{ seq: number | null }>();
  const version = top?.seq ?? 0;
  const declarations: SnapshotDeclaration[] = [];
  const index = new Map<number, number>();
  for await (const d of pages<{ rowid: number; seq: number; id: string; verified: number; vocabulary: number; preferences: string }>(
    db,
    `SELECT seq AS rowid, seq, id, controller_verified AS verified, vocabulary, preferences FROM declarations
     WHERE status = 'active' AND seq <= ?1 AND seq > ?2
       AND (EXISTS (SELECT 1 FROM iscc_units u WHERE u.seq = declarations.seq) OR EXISTS (SELECT 1 FROM datahashes h WHERE h.seq = declarations.seq))
     ORDER BY seq LIMIT ?3`,
    version,
  )) {
    index.set(d.seq, declarations.length);
    declarations.push({ id: d.id, controllerVerified: Boolean(d.verified), vocabulary: d.vocabulary, preferences: JSON.parse(d.preferences) as Record<string, "y" | "n"> });
  }
  const units: UnitsSnapshot["units"] = [];
  for await (const u of pages<{ rowid: number; seq: number; unitType: string; bodyHex: string }>(
    db,
    `SELECT rowid, seq, unit_type AS unitType, body_hex AS bodyHex FROM iscc_units WHERE seq <= ?1 AND rowid > ?2 ORDER BY rowid LIMIT ?3`,
    version,
  )) {
    const d = index.get(u.seq);
    if (d !== undefined) units.push({ unitType: u.unitType, body: hexBytes(u.bodyHex.slice(0, 16)), declaration: d });
  }
  const datahashes: UnitsSnapshot["datahashes"] = [];
  for await (const h of pages<{ rowid: number; seq: number; datahash: string }>(
    db,
    `SELECT rowid, seq, datahash FROM datahashes WHERE seq <= ?1 AND rowid > ?2 ORDER BY rowid LIMIT ?3`,
    version,
  )) {
    const d = index.get(h.seq);
    if (d !== undefined) datahashes.push({ digest: hexBytes(h.datahash.slice(4)), declaration: d });
  }
  return { version, createdAt: Date.now(), registry, declarations, units, datahashes };
}

export function snapshotUnits(app: App) {
  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/snapshot/units",
      summary:
        "Signed snapshot of every active declaration's ISCC units (first 64 bits) and datahashes, with ids, preferences and verification, for exact matching offline (format: src/snapshot/units-snapshot.ts)",
      responses: {
        200: { description: "The snapshot (application/octet-stream); ETag and x-registry-version carry its version" },
        304: { description: "Unchanged since If-None-Match" },
      },
    },
    async (c) => {
      const session = readSession(c);
      const me = await registryIdentity(c.env);
      const current = await session.db.prepare("SELECT max(seq) AS seq FROM declarations").first<{ seq: number | null }>();
      const version = current?.seq ?? 0;
      if (!built || built.registry !== me.name || (built.version !== version && Date.now() - built.at >= REBUILD_MS)) {
        const snap = await activeUnits(session.db, me.name);
        built = { version: snap.version, registry: me.name, bytes: await encodeUnitsSnapshot(snap, me.secretKey), at: Date.now() };
      }
      session.finish(c);
      const etag = `"units-${built.version}"`;
      const headers = { etag, "x-registry-version": String(built.version), "cache-control": "public, max-age=60" };
      if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
      return c.body(built.bytes as Uint8Array<ArrayBuffer>, 200, { ...headers, "content-type": "application/octet-stream" });
    },
  );
}
