import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { declaredUrls } from "../filter/declared-urls";
import { touchPrimary } from "../store/registry-reads";
import { BOOKMARK_HEADER } from "./read-path";

/** POST routes that only read: they change nothing, so they neither invalidate nor need a bookmark. */
const READ_ONLY = new Set(["/v1/lookup", "/v1/match", "/api/v2/query/urls/", "/api/v2/query/urls"]);

/**
 * After a request that may have written (any successful non-GET outside READ_ONLY): the isolate's
 * lookup state re-reads the registry version on its next use, so a client talking to this isolate
 * sees its write at once; and the response carries `x-d1-bookmark` from the primary, taken after the
 * write committed, which the client can send with its next reads to see the write on any replica.
 * A route that already has one (a registration: the sequencer's, taken right after its commit) keeps
 * it, which saves a round trip to the primary per write.
 */
export const readYourWrites: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  await next();
  const method = c.req.method;
  if (method === "GET" || method === "HEAD" || method === "OPTIONS" || c.res.status >= 400) return;
  if (READ_ONLY.has(new URL(c.req.url).pathname)) return;
  declaredUrls.markChanged();
  if (c.res.headers.has(BOOKMARK_HEADER)) return;
  const db = c.env.DB;
  if (typeof db.withSession !== "function") return;
  const session = db.withSession("first-primary");
  await touchPrimary(session);
  const bookmark = session.getBookmark();
  if (bookmark) c.res.headers.set(BOOKMARK_HEADER, bookmark);
};
