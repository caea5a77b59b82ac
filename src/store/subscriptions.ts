import { and, asc, eq, gt, isNull, lte, max, or, sql } from "drizzle-orm";
import type { Reader } from "./db";
import { openDb } from "./db";
import { notifications, subscriptions } from "./schema";

export type SubscriptionRow = typeof subscriptions.$inferSelect;

/** Whether a signed subscription request with this digest was already accepted (a replay). */
export async function requestSeen(d1: D1Database, digest: string): Promise<boolean> {
  const [row] = await openDb(d1).select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.digest, digest)).limit(1);
  return row !== undefined;
}

/**
 * Adds a subscription and ends any earlier one of the same subscriber at the same URL (one
 * secret per endpoint), atomically. It starts after the newest notification: what was found
 * before is listed by GET /v1/notifications, not delivered. A request digest seen before is a
 * replay: nothing is written (the unique index refuses the insert, and the batch with it).
 */
export async function addSubscription(d1: D1Database, s: { id: string; subscriber: string; url: string; secret: string; digest: string; createdAt: string }): Promise<void> {
  const db = openDb(d1);
  const [last] = await db.select({ n: max(notifications.n) }).from(notifications);
  await db.batch([
    db.update(subscriptions).set({ active: false }).where(and(eq(subscriptions.subscriber, s.subscriber), eq(subscriptions.url, s.url), eq(subscriptions.active, true))),
    db.insert(subscriptions).values({ ...s, active: true, cursor: last?.n ?? 0 }),
  ]);
}

/** Ends the subscriber's subscription at `url`; the request's digest is kept as a row too, so it cannot be replayed. Returns the ids ended. */
export async function endSubscription(d1: D1Database, subscriber: string, url: string, digest: string, createdAt: string): Promise<string[]> {
  const db = openDb(d1);
  const ended = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.subscriber, subscriber), eq(subscriptions.url, url), eq(subscriptions.active, true)));
  if (!ended.length) return [];
  await db.batch([
    db.update(subscriptions).set({ active: false }).where(and(eq(subscriptions.subscriber, subscriber), eq(subscriptions.url, url), eq(subscriptions.active, true))),
    // The unsubscribe request itself, inactive: its digest refuses a replay.
    db.insert(subscriptions).values({ id: `unsub_${digest.slice(0, 32)}`, subscriber, url, secret: "", digest, active: false, cursor: 0, createdAt }),
  ]);
  return ended.map((r) => r.id);
}

/** A party's notifications in the order they were found (keyset on n). */
export async function notificationsOf(d1: D1Database, party: string, afterN: number, limit: number) {
  return openDb(d1)
    .select()
    .from(notifications)
    .where(and(eq(notifications.party, party), gt(notifications.n, afterN)))
    .orderBy(asc(notifications.n))
    .limit(limit);
}

/** Active subscriptions with something to deliver that are due at `nowMs` (not waiting for a retry). */
export async function dueSubscriptions(d1: Reader, nowMs: number, limit: number): Promise<SubscriptionRow[]> {
  const db = openDb(d1 as D1Database);
  return db
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.active, true),
        or(isNull(subscriptions.nextAt), lte(subscriptions.nextAt, nowMs)),
        sql`EXISTS (SELECT 1 FROM ${notifications} WHERE ${notifications.party} = ${subscriptions.subscriber} AND ${notifications.n} > ${subscriptions.cursor})`,
      ),
    )
    .limit(limit);
}

/** The earliest retry time among active subscriptions still waiting to deliver, or null. */
export async function nextRetryAt(d1: Reader): Promise<number | null> {
  const db = openDb(d1 as D1Database);
  const [row] = await db
    .select({ at: sql<number | null>`min(${subscriptions.nextAt})` })
    .from(subscriptions)
    .where(and(eq(subscriptions.active, true), sql`${subscriptions.nextAt} IS NOT NULL`));
  return row?.at ?? null;
}

/** What a subscription has not been delivered yet, oldest first. */
export async function undelivered(d1: Reader, s: Pick<SubscriptionRow, "subscriber" | "cursor">, limit: number) {
  return openDb(d1 as D1Database)
    .select()
    .from(notifications)
    .where(and(eq(notifications.party, s.subscriber), gt(notifications.n, s.cursor)))
    .orderBy(asc(notifications.n))
    .limit(limit);
}

/** Delivered up to notification `n`: the cursor moves on and failures are forgotten. */
export async function markDelivered(d1: Reader, id: string, n: number, atIso: string): Promise<void> {
  await openDb(d1 as D1Database)
    .update(subscriptions)
    .set({ cursor: n, attempts: 0, nextAt: null, lastError: null, lastSuccess: atIso })
    .where(eq(subscriptions.id, id));
}

/** A failed attempt: retried at `nextAt`. */
export async function markFailed(d1: Reader, id: string, attempts: number, nextAt: number, error: string): Promise<void> {
  await openDb(d1 as D1Database).update(subscriptions).set({ attempts, nextAt, lastError: error.slice(0, 500) }).where(eq(subscriptions.id, id));
}
