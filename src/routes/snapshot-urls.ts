import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { BinaryFuse16 } from "../filter/binary-fuse";
import type { Reader } from "../store/db";
import { encodeSnapshot } from "../filter/snapshot-format";
import { hashKeyPair, PREFIX_PROBE_CHARS, ruleFilterKeys } from "../filter/url-keys";
import { readSession } from "../http/read-path";
import { paramProblems, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { activeRulesPage, registryVersion } from "../store/registry-reads";
import { registryIdentity } from "../registry-identity";

const PAGE = 50_000;

/** One built snapshot per isolate, for the version it was built at. */
let built: { version: number; registry: string; bytes: Uint8Array; at: number } | null = null;

/**
 * A snapshot is rebuilt at most once a minute per isolate however often the registry changes:
 * building reads every rule, and a crawler refreshing its copy needs a recent snapshot, not the
 * latest write (the version inside says what it covers; the API answers anything it flags).
 */
const REBUILD_MS = 60_000;

/** The keys of every active URL rule at one registry version, read in one consistent batch per page. */
async function activeRuleFilter(db: Reader): Promise<{ version: number; filter: BinaryFuse16; keys: number }> {
  const a: number[] = [];
  const b: number[] = [];
  const version = await registryVersion(db);
  let after = -1;
  for (;;) {
    const results = await activeRulesPage(db, version, after, PAGE);
    for (const r of results)
      for (const k of ruleFilterKeys(r)) {
        const [x, y] = hashKeyPair(k);
        a.push(x);
        b.push(y);
      }
    if (results.length < PAGE) break;
    after = results[results.length - 1]!.rowid;
  }
  return { version, filter: BinaryFuse16.build(Uint32Array.from(a), Uint32Array.from(b)), keys: a.length };
}

const route = createRoute({
  method: "get",
  path: "/v1/snapshot/urls",
  summary: "Signed binary fuse filter of every declared URL key, for checking URLs offline (format: README, src/filter/snapshot-format.ts)",
  middleware: [rateLimited("snapshot")] as const,
  request: { query: z.strictObject({}) },
  responses: {
    200: { description: "The snapshot; ETag and x-registry-version carry its version", content: { "application/octet-stream": { schema: z.string().describe("binary") } } },
    304: { description: "Unchanged since If-None-Match" },
    ...paramProblems,
  },
});

export function snapshotUrls(app: App) {
  app.openapi(route, async (c) => {
    const session = readSession(c);
    const me = await registryIdentity(c.env);
    const version = await registryVersion(session.db);
    const stale = !built || built.registry !== me.name || (built.version !== version && Date.now() - built.at >= REBUILD_MS);
    if (stale) {
      const f = await activeRuleFilter(session.db);
      const bytes = await encodeSnapshot(
        { filter: f.filter, probeChars: PREFIX_PROBE_CHARS, keyCount: f.keys, version: f.version, createdAt: Date.now(), registry: me.name },
        me.secretKey,
      );
      built = { version: f.version, registry: me.name, bytes, at: Date.now() };
    }
    session.finish(c);
    const etag = `"urls-${built!.version}"`;
    const headers = {
      etag,
      "x-registry-version": String(built!.version),
      // Shared caches may keep it a minute; a crawler re-downloads when the ETag changes.
      "cache-control": "public, max-age=60",
    };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    return c.body(built!.bytes as Uint8Array<ArrayBuffer>, 200, { ...headers, "content-type": "application/octet-stream" });
  });
}
