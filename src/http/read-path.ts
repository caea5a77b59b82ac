/**
 * What the read routes (lookup, match, snapshot) share: their speed switches and the D1 session
 * that gives a client read-your-writes across read replicas.
 *
 * D1 read replication: reads run in a session. A request without a bookmark starts
 * "first-unconstrained" (any replica may answer: fastest); a request with an `x-d1-bookmark`
 * header (the value an earlier response of this registry carried, e.g. after a registration)
 * continues from it, so the replica that answers has applied at least that write. Responses that
 * read D1 carry the session's latest bookmark in `x-d1-bookmark`.
 */
import type { Context } from "hono";
import type { Env } from "../env";
import type { Reader } from "../store/db";
import { Problem } from "./problem";

export const BOOKMARK_HEADER = "x-d1-bookmark";
const BOOKMARK = /^[0-9A-Za-z_.:-]{1,256}$/;

export interface SpeedConfig {
  /** URL_FILTER=off: every lookup queries D1 (measured as the baseline by the benchmark). */
  urlFilter: boolean;
  /** LOOKUP_CACHE=on: GET lookup answers that needed D1 are kept in the Cache API, keyed by version. */
  lookupCache: boolean;
  /** FRESHNESS_MS: how old the isolate's registry version may get; the visibility bound of a write. */
  freshnessMs: number;
  /** MATCH_INDEX=sql: the d1 backend searches D1 with SQL instead of its in-memory index. */
  matchIndex: "memory" | "sql";
}

export function speedConfig(e: Pick<Env, "URL_FILTER" | "LOOKUP_CACHE" | "FRESHNESS_MS" | "MATCH_INDEX">): SpeedConfig {
  const freshness = Number(e.FRESHNESS_MS ?? 1000);
  return {
    urlFilter: e.URL_FILTER !== "off",
    lookupCache: e.LOOKUP_CACHE === "on",
    freshnessMs: Number.isFinite(freshness) && freshness >= 0 ? freshness : 1000,
    matchIndex: e.MATCH_INDEX === "sql" ? "sql" : "memory",
  };
}

export interface ReadSession {
  db: Reader;
  /** The client sent a bookmark: it expects to see its own writes. */
  bookmarked: boolean;
  /** Sets the session's bookmark on the response, if D1 was read. */
  finish(c: Context): void;
}

export function readSession(c: Context<{ Bindings: Env }>): ReadSession {
  const sent = c.req.header(BOOKMARK_HEADER);
  if (sent !== undefined && !BOOKMARK.test(sent))
    throw new Problem("bad-bookmark", `${BOOKMARK_HEADER} must be a bookmark this registry returned`);
  const db = c.env.DB;
  if (typeof db.withSession !== "function") return { db, bookmarked: sent !== undefined, finish: () => {} };
  // The session is opened on first use: a lookup the filter answers never creates one.
  let session: D1DatabaseSession | null = null;
  const open = () => (session ??= db.withSession(sent ?? "first-unconstrained"));
  return {
    db: {
      prepare: (q: string) => open().prepare(q),
      batch: <T>(s: D1PreparedStatement[]) => open().batch<T>(s),
    },
    bookmarked: sent !== undefined,
    finish(ctx) {
      const b = session?.getBookmark();
      if (b) ctx.header(BOOKMARK_HEADER, b);
    },
  };
}
