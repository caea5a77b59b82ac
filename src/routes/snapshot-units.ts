import { hexToBytes } from "@noble/hashes/utils.js";
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Reader } from "../store/db";
import { signedSnapshot } from "../http/signed-snapshot";
import { paramProblems, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { registryVersion } from "../store/registry-reads";
import { activeDeclarationsWithUnits, datahashesUpTo, unitsUpTo } from "../store/units-snapshot-reads";
import { encodeUnitsSnapshot, type SnapshotDeclaration, type UnitsSnapshot } from "../snapshot/units-snapshot";


/** Every active declaration's units and datahashes at one registry version. */
async function activeUnits(db: Reader, registry: string): Promise<UnitsSnapshot> {
  const version = await registryVersion(db);
  const declarations: SnapshotDeclaration[] = [];
  const index = new Map<number, number>();
  for await (const d of activeDeclarationsWithUnits(db, version)) {
    index.set(d.seq, declarations.length);
    declarations.push({ id: d.id, controllerVerified: Boolean(d.verified), vocabulary: d.vocabulary, preferences: JSON.parse(d.preferences) as Record<string, "y" | "n"> });
  }
  const units: UnitsSnapshot["units"] = [];
  for await (const u of unitsUpTo(db, version)) {
    const d = index.get(u.seq);
    if (d !== undefined) units.push({ unitType: u.unitType, body: hexToBytes(u.bodyHex.slice(0, 16)), declaration: d });
  }
  const datahashes: UnitsSnapshot["datahashes"] = [];
  for await (const h of datahashesUpTo(db, version)) {
    const d = index.get(h.seq);
    if (d !== undefined) datahashes.push({ digest: hexToBytes(h.datahash.slice(4)), declaration: d });
  }
  return { version, createdAt: Date.now(), registry, declarations, units, datahashes };
}

const route = createRoute({
  method: "get",
  path: "/v1/snapshot/units",
  summary:
    "Signed snapshot of every active declaration's ISCC units (first 64 bits) and datahashes, with ids, preferences and verification, for exact matching offline (format: src/snapshot/units-snapshot.ts)",
  middleware: [rateLimited("snapshot")] as const,
  request: { query: z.strictObject({}) },
  responses: {
    200: { description: "The snapshot; ETag and x-registry-version carry its version", content: { "application/octet-stream": { schema: z.string().describe("binary") } } },
    304: { description: "Unchanged since If-None-Match" },
    ...paramProblems,
  },
});

export function snapshotUnits(app: App) {
  app.openapi(
    route,
    signedSnapshot("units", async (db, registry, secretKey) => {
      const snap = await activeUnits(db, registry);
      return { version: snap.version, bytes: await encodeUnitsSnapshot(snap, secretKey) };
    }),
  );
}
