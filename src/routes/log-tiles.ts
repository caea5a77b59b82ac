import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { sequencer } from "../flows/register-declarations";
import { notFound } from "../http/problem";
import { openapiRestOfPath, paramProblems, problemDoc, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { encodeEntryBundle, entryTileRange, isTileAvailable, parseTilePath, tileHashIndexes, TILE_WIDTH, TilePathError, type Tile } from "../log/tiles";
import { logEntriesInRange } from "../store/log-entries";

/**
 * C2SP tlog-tiles. A full tile never changes, so it is served as immutable for a year and the edge
 * cache carries the read load; a partial tile (`.p/<W>`) is immutable too once it exists, but
 * clients only ask for it while the tree is not yet full there, so a short lifetime is enough.
 */
const route = createRoute({
  method: "get",
  path: "/log/tile/{path}",
  summary: "Transparency-log tiles (C2SP tlog-tiles): hash tiles tile/<L>/<N>[.p/<W>] and entry bundles tile/entries/<N>[.p/<W>]",
  middleware: [rateLimited("lookup")] as const,
  request: { params: z.object({ path: z.string().max(64).describe("e.g. 0/x001/234, 1/000.p/7, entries/000") }), query: z.strictObject({}) },
  responses: {
    200: { description: "Tile bytes", content: { "application/octet-stream": { schema: z.string().describe("binary") } } },
    404: problemDoc("No such tile yet"),
    ...paramProblems,
  },
});

export function logTiles(app: App) {
  openapiRestOfPath(app, route, async (c) => {
    const path = "tile/" + c.req.valid("param").path;
    let tile: Tile;
    try {
      tile = parseTilePath(path);
    } catch (e) {
      if (e instanceof TilePathError) throw notFound(`Not a tile: ${e.message}`);
      throw e;
    }
    const seq = sequencer(c.env);
    if (!isTileAvailable(tile, await seq.logSize())) throw notFound(`${path} is beyond the current tree`);
    const bytes = tile.kind === "hash" ? await seq.tileHashes(tileHashIndexes(tile)) : await entryBundle(c.env.DB, tile.n * TILE_WIDTH, entryTileRange(tile).end);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/octet-stream",
      "cache-control": tile.width === TILE_WIDTH ? "public, max-age=31536000, immutable" : "public, max-age=60",
    });
  });
}

/** Leaves [start, end) are the records with seq start+1 … end, rebuilt from D1 (src/store/log-entries.ts). */
async function entryBundle(d1: D1Database, start: number, end: number): Promise<Uint8Array> {
  return encodeEntryBundle(await logEntriesInRange(d1, start, end));
}
