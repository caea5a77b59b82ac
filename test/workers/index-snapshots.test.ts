/**
 * Cold starts and read replicas: a fresh isolate's indexes start from the snapshot another isolate
 * published (one read) and give the same answers as indexes built from every row; a replica that
 * has not applied what an isolate already holds makes it neither reload nor go back; a declaration
 * written elsewhere is visible within the documented bound.
 */
import { applyD1Migrations, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { hostOfNormalized, matchKey, normalizeUrl } from "../../src/domain/url-normalize";
import { encodeSections } from "../../src/encoding/sections";
import { DeclaredUrls } from "../../src/filter/declared-urls";
import { encodeBase64Bulk } from "../../src/encoding/base64";
import { MainType, encodeUnit } from "../../src/iscc/index";
import { DEFAULT_MAX_DISTANCE } from "../../src/similarity/bands";
import { MemoryUnitIndex } from "../../src/similarity/memory-index";
import { cacheSnapshot, snapshotCacheKey } from "../../src/store/snapshot-cache";
import type { UnitQuery } from "../../src/similarity/similarity-index";
import { declaration, flipBits, newKey, post, randomBody } from "./helpers";

const key = newKey();

/** Registers declarations with these fields in one batch (one group commit). */
async function register(...fields: Record<string, unknown>[]): Promise<void> {
  const res = await post("/v1/declarations/batch", await Promise.all(fields.map((f) => declaration(key, f))));
  expect(res.status).toBe(200);
  expect(res.body.created).toBe(fields.length);
}

const contentUnit = (body: Uint8Array) => encodeUnit(MainType.CONTENT, 1, 0, 64, body);
const query = (body: Uint8Array): UnitQuery => ({ unitType: "CONTENT-IMAGE-V0", body, exact: false });

/** Copies every row of `table` up to `rowid` into the replica, rowids included: the replica as it was then. */
async function replicate(table: string, columns: string, upTo: number): Promise<void> {
  const { results } = await env.DB.prepare(`SELECT rowid AS r, ${columns} FROM ${table} WHERE rowid <= ?1 ORDER BY rowid`).bind(upTo).all<Record<string, unknown>>();
  const names = columns.split(", ");
  for (const row of results)
    await env.REPLICA.prepare(`INSERT OR REPLACE INTO ${table} (rowid, ${columns}) VALUES (?1, ${names.map((_, i) => `?${i + 2}`).join(", ")})`)
      .bind(row.r, ...names.map((n) => row[n]))
      .run();
}

const DECLARATION_COLUMNS =
  "seq, id, digest, hub_id, intent, supersedes, status, declarant, controller, controller_verified, timestamp, registered_at, received_at, origin, received_from, preferences, vocabulary, body, receipt";

beforeAll(async () => {
  await applyD1Migrations(env.REPLICA, env.TEST_MIGRATIONS);
});

describe("unit index snapshot", () => {
  it("a fresh isolate's index starts from the published snapshot, adds the rows after it, and answers as one built from rows", async () => {
    const bodies = Array.from({ length: 40 }, () => randomBody());
    await register(...bodies.slice(0, 30).map((b) => ({ iscc: contentUnit(b) })));
    const publisher = new MemoryUnitIndex(1);
    expect(await publisher.refresh(env.DB)).toBe(true);
    expect(publisher.stats).toMatchObject({ fullLoads: 1, published: 1 });
    await register(...bodies.slice(30).map((b) => ({ iscc: contentUnit(b) })));

    const cold = new MemoryUnitIndex(1_000_000);
    await cold.refresh(env.DB);
    expect(cold.stats).toMatchObject({ snapshotLoads: 1, fullLoads: 0 });
    expect(cold.size).toBe(publisher.size + 10);

    const fromRows = new MemoryUnitIndex(1_000_000);
    await env.DB.prepare("DELETE FROM index_snapshots").run();
    await fromRows.refresh(env.DB);
    expect(fromRows.stats).toMatchObject({ snapshotLoads: 0, fullLoads: 1 });
    const queries = bodies.map((b, i) => query(flipBits(b, [i % 64, (i * 7) % 64, (i * 13 + 5) % 64])));
    const a = await cold.search(env.DB, queries, DEFAULT_MAX_DISTANCE);
    const b = await fromRows.search(env.DB, queries, DEFAULT_MAX_DISTANCE);
    expect(a).toEqual(b);
    expect(a.every((hits) => hits.length >= 1)).toBe(true);
  });

  it("a fresh isolate takes the newest build's bytes from the cache, from D1 when the cache lacks them (and puts them back), and never a cached copy that does not decode", async () => {
    const bodies = Array.from({ length: 20 }, () => randomBody());
    await register(...bodies.map((b) => ({ iscc: contentUnit(b) })));
    const publisher = new MemoryUnitIndex(1);
    await publisher.refresh(env.DB);
    expect(publisher.stats).toMatchObject({ published: 1 });
    const head = (await env.DB.prepare("SELECT version, build FROM index_snapshots WHERE kind = 'units' AND part = 0 ORDER BY version DESC, rowid DESC LIMIT 1").first<{ version: number; build: string }>())!;
    const cache = (caches as unknown as { default: Cache }).default;
    const queries = bodies.map((b, i) => query(flipBits(b, [i % 64, (i * 11 + 3) % 64])));
    const expected = await publisher.search(env.DB, queries, DEFAULT_MAX_DISTANCE);
    expect(expected.every((hits) => hits.length >= 1)).toBe(true);

    // Published: the publisher put the bytes in the cache.
    expect(await cache.match(snapshotCacheKey("units", head.version, head.build))).toBeDefined();
    const fromCache = new MemoryUnitIndex(1_000_000);
    await fromCache.refresh(env.DB);
    expect(fromCache.stats).toMatchObject({ snapshotLoads: 1, cachedSnapshots: 1, fullLoads: 0 });
    expect(await fromCache.search(env.DB, queries, DEFAULT_MAX_DISTANCE)).toEqual(expected);

    // Not in this colo's cache: read from D1, then put back for the next fresh isolate.
    expect(await cache.delete(snapshotCacheKey("units", head.version, head.build))).toBe(true);
    const fromD1 = new MemoryUnitIndex(1_000_000);
    await fromD1.refresh(env.DB);
    expect(fromD1.stats).toMatchObject({ snapshotLoads: 1, cachedSnapshots: 0, fullLoads: 0 });
    expect(await fromD1.search(env.DB, queries, DEFAULT_MAX_DISTANCE)).toEqual(expected);
    expect(await cache.match(snapshotCacheKey("units", head.version, head.build))).toBeDefined();

    // A cached copy that does not decode: D1's, not a load from every row.
    await cacheSnapshot("units", head.version, head.build, new Uint8Array([1, 2, 3]));
    const damaged = new MemoryUnitIndex(1_000_000);
    await damaged.refresh(env.DB);
    expect(damaged.stats).toMatchObject({ snapshotLoads: 1, fullLoads: 0 });
    expect(await damaged.search(env.DB, queries, DEFAULT_MAX_DISTANCE)).toEqual(expected);
  });

  it("a replica behind the index neither reloads it nor drops its rows", async () => {
    await register(...Array.from({ length: 5 }, () => ({ iscc: contentUnit(randomBody()) })));
    const index = new MemoryUnitIndex(1_000_000);
    await index.refresh(env.DB);
    const { n } = (await env.DB.prepare("SELECT max(rowid) AS n FROM iscc_units").first<{ n: number }>())!;
    await replicate("iscc_units", "seq, unit_type, code, body_hex, b0, b1, b2, b3", n - 3);
    const before = { ...index.stats, size: index.size };
    await index.refresh(env.REPLICA);
    expect(index.stats).toMatchObject({ fullLoads: before.fullLoads, snapshotLoads: before.snapshotLoads, incrementalLoads: before.incrementalLoads, replicaBehind: before.replicaBehind + 1 });
    expect(index.size).toBe(before.size);
    // Another table at the same rowids is not a lagging replica: reloaded whole.
    await env.REPLICA.prepare("UPDATE iscc_units SET code = 'ISCC:OTHER' WHERE rowid = (SELECT min(rowid) FROM iscc_units)").run();
    await index.refresh(env.REPLICA);
    expect(index.stats.fullLoads + index.stats.snapshotLoads).toBe(before.fullLoads + before.snapshotLoads + 1);
  });
});

describe("URL filter snapshot and replicas", () => {
  it("a fresh isolate's filter starts from the published snapshot and never hides a declared URL", async () => {
    await register(...Array.from({ length: 20 }, (_, i) => ({ urls: [`https://snap${i}.example/p/*`] })));
    const publisher = new DeclaredUrls();
    await publisher.refresh(env.DB, 0);
    expect(publisher.stats).toMatchObject({ fullBuilds: 1, published: 1 });
    await register({ urls: ["https://after-snapshot.example/p/*"] });

    const cold = new DeclaredUrls();
    await cold.refresh(env.DB, 0);
    expect(cold.stats).toMatchObject({ snapshotLoads: 1, fullBuilds: 0 });
    for (const u of [...Array.from({ length: 20 }, (_, i) => `https://snap${i}.example/p/x.jpg`), "https://after-snapshot.example/p/y"]) {
      const n = normalizeUrl(u);
      expect(cold.mayCover(matchKey(n), hostOfNormalized(n)), u).toBe(true);
    }
  });

  it("a snapshot it cannot read (an older format) is built again and replaced for the next fresh isolate", async () => {
    await register({ urls: ["https://old-format.example/p/*"] });
    const last = await env.DB.prepare("SELECT max(rowid) AS r FROM url_rules").first<{ r: number }>();
    // Published as publishSnapshot would, under a build id that sorts after any random one.
    const old = encodeBase64Bulk(encodeSections("OOUF", { format: 1 }, [new Uint16Array(8)]));
    const insert = "INSERT INTO index_snapshots (kind, version, build, part, data) VALUES ('urls', ?1, '~old', ?2, ?3)";
    await env.DB.batch([env.DB.prepare(insert).bind(last!.r, 1, old), env.DB.prepare(insert).bind(last!.r, 0, "1")]);
    const first = new DeclaredUrls();
    await first.refresh(env.DB, 0);
    expect(first.stats).toMatchObject({ snapshotLoads: 0, fullBuilds: 1, published: 1 });
    const next = new DeclaredUrls();
    await next.refresh(env.DB, 0);
    expect(next.stats).toMatchObject({ snapshotLoads: 1, fullBuilds: 0 });
    const n = normalizeUrl("https://old-format.example/p/x.jpg");
    expect(next.mayCover(matchKey(n), hostOfNormalized(n))).toBe(true);
  });

  it("a stale replica does not trigger a rebuild, nor move the registry version back", async () => {
    await register(...Array.from({ length: 3 }, (_, i) => ({ urls: [`https://lag${i}.example/*`] })));
    const urls = new DeclaredUrls();
    await urls.refresh(env.DB, 0);
    const version = urls.version!;
    const { n } = (await env.DB.prepare("SELECT max(rowid) AS n FROM url_rules").first<{ n: number }>())!;
    await replicate("url_rules", "seq, kind, pattern, host, key, verification", n - 2);
    await replicate("declarations", DECLARATION_COLUMNS, version.seq - 2);
    const before = { ...urls.stats };
    await urls.refresh(env.REPLICA, 0);
    expect(urls.stats).toMatchObject({ fullBuilds: before.fullBuilds, snapshotLoads: before.snapshotLoads, incrementalLoads: before.incrementalLoads, replicaBehind: before.replicaBehind + 1 });
    expect(urls.version).toEqual(version);
    const latest = normalizeUrl("https://lag2.example/a");
    expect(urls.mayCover(matchKey(latest), hostOfNormalized(latest))).toBe(true);
  });

  it("a declaration written elsewhere is visible once FRESHNESS_MS has passed and one background refresh has run", async () => {
    const urls = new DeclaredUrls();
    await urls.refresh(env.DB, 0);
    await register({ urls: ["https://elsewhere.example/new/*"] }); // through the Worker: this instance is not told
    const u = normalizeUrl("https://elsewhere.example/new/a.jpg");
    const pending: Promise<unknown>[] = [];
    // Within the bound (a fresh filter) the request answers from the filter as it is and starts nothing.
    expect(await urls.refresh(env.DB, 60_000, (p) => pending.push(p))).toBe(true);
    expect(pending).toHaveLength(0);
    // Past it, the request that notices starts a refresh in its background and answers at once…
    expect(await urls.refresh(env.DB, 0, (p) => pending.push(p))).toBe(true);
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    // …and every request after that refresh sees the new rule.
    expect(urls.mayCover(matchKey(u), hostOfNormalized(u))).toBe(true);
  });
});
