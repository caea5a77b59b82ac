import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { BinaryFuse16 } from "../filter/binary-fuse";
import type { Reader } from "../store/db";
import { encodeSnapshot } from "../filter/snapshot-format";
import { hashKeyPair, PREFIX_PROBE_CHARS, ruleFilterKeys } from "../filter/url-keys";
import { signedSnapshot } from "../http/signed-snapshot";
import { paramProblems, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { activeRulesPage, registryVersion } from "../store/registry-reads";

const PAGE = 50_000;

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
  app.openapi(
    route,
    signedSnapshot("urls", async (db, registry, secretKey) => {
      const f = await activeRuleFilter(db);
      const contents = { filter: f.filter, probeChars: PREFIX_PROBE_CHARS, keyCount: f.keys, version: f.version, createdAt: Date.now(), registry };
      return { version: f.version, bytes: await encodeSnapshot(contents, secretKey) };
    }),
  );
}
