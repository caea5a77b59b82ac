import { registryIdentity } from "../registry-identity";
import { readSession } from "./read-path";
import type { Ctx } from "./route";
import type { Reader } from "../store/db";
import { registryVersion } from "../store/registry-reads";

/**
 * A snapshot is rebuilt at most once a minute per isolate however often the registry changes:
 * building reads every row it covers, and a client refreshing its copy needs a recent snapshot, not
 * the latest write (the version inside says what it covers; the API answers anything it flags).
 */
const REBUILD_MS = 60_000;

interface Built {
  version: number;
  registry: string;
  bytes: Uint8Array;
  at: number;
}

/**
 * One signed snapshot download (the URL filter, the units): kept per isolate for the version it was
 * built at, answered with an ETag of that version and 304 to a client that already has it.
 */
export function signedSnapshot(
  etagPrefix: string,
  build: (db: Reader, registry: string, secretKey: Uint8Array) => Promise<{ version: number; bytes: Uint8Array }>,
): (c: Ctx) => Promise<Response> {
  let built: Built | null = null;
  return async (c) => {
    const session = readSession(c);
    const me = await registryIdentity(c.env);
    const version = await registryVersion(session.db);
    if (!built || built.registry !== me.name || (built.version !== version && Date.now() - built.at >= REBUILD_MS)) {
      const fresh = await build(session.db, me.name, me.secretKey);
      built = { version: fresh.version, registry: me.name, bytes: fresh.bytes, at: Date.now() };
    }
    session.finish(c);
    const etag = `"${etagPrefix}-${built.version}"`;
    // Shared caches may keep it a minute; a client re-downloads when the ETag changes.
    const headers = { etag, "x-registry-version": String(built.version), "cache-control": "public, max-age=60" };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    return c.body(built.bytes as Uint8Array<ArrayBuffer>, 200, { ...headers, "content-type": "application/octet-stream" });
  };
}
