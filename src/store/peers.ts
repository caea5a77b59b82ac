import { and, asc, eq, gt, lt, sql } from "drizzle-orm";
import { normalizeRegistryName } from "../domain/registry-name";
import { inList } from "./bound-parameters";
import { openDb } from "./db";
import { declarations, peers, webhookDeliveries } from "./schema";

export type PeerRow = typeof peers.$inferSelect;

export async function listPeers(d1: D1Database): Promise<PeerRow[]> {
  return openDb(d1).select().from(peers).orderBy(asc(peers.name));
}

/** Peers are stored under their name in normal form (flows/admit-peer.ts), and found by any spelling of it. */
export async function findPeer(d1: D1Database, name: string): Promise<PeerRow | undefined> {
  const [row] = await openDb(d1).select().from(peers).where(eq(peers.name, normalizeRegistryName(name) ?? name)).limit(1);
  return row;
}

/** Adds or updates a peer; true when it was new. */
export async function upsertPeer(d1: D1Database, p: { name: string; url: string; publicKey: string }, now: Date): Promise<boolean> {
  const db = openDb(d1);
  const existed = await findPeer(d1, p.name);
  await db
    .insert(peers)
    .values({ ...p, addedAt: now.toISOString() })
    .onConflictDoUpdate({ target: peers.name, set: { url: p.url, publicKey: p.publicKey } });
  return !existed;
}

export async function deletePeer(d1: D1Database, name: string): Promise<boolean> {
  const r = await openDb(d1).delete(peers).where(eq(peers.name, normalizeRegistryName(name) ?? name)).returning({ name: peers.name });
  return r.length > 0;
}

export async function maxSeq(d1: D1Database): Promise<number> {
  const [r] = await openDb(d1).select({ seq: sql<number | null>`max(${declarations.seq})` }).from(declarations);
  return r?.seq ?? 0;
}

/** A page of the registry in order, as the feed and the push outbox read it. */
export async function declarationsAfter(d1: D1Database, afterSeq: number, limit: number) {
  return openDb(d1)
    .select({ seq: declarations.seq, kind: declarations.kind, body: declarations.body, receipt: declarations.receipt, origin: declarations.origin, receivedFrom: declarations.receivedFrom })
    .from(declarations)
    .where(gt(declarations.seq, afterSeq))
    .orderBy(asc(declarations.seq))
    .limit(limit);
}

/** Which of these digests are already registered here, with what they became. */
export async function knownDigests(d1: D1Database, digests: string[]) {
  const out = new Map<string, { id: string; seq: number; status: "active" | "superseded" | "revoked"; receipt: string }>();
  if (!digests.length) return out;
  const rows = await openDb(d1)
    .select({ digest: declarations.digest, id: declarations.id, seq: declarations.seq, status: declarations.status, receipt: declarations.receipt })
    .from(declarations)
    .where(inList(declarations.digest, [...new Set(digests)]));
  for (const r of rows) out.set(r.digest, r);
  return out;
}

export async function webhookSeen(d1: D1Database, peer: string, webhookId: string, nowMs: number): Promise<boolean> {
  const [r] = await openDb(d1)
    .select({ id: webhookDeliveries.webhookId })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.peer, peer), eq(webhookDeliveries.webhookId, webhookId), gt(webhookDeliveries.expiresAt, nowMs)))
    .limit(1);
  return !!r;
}

/** Remembers a processed webhook until `expiresAt`, and forgets those past their time. */
export async function rememberWebhook(d1: D1Database, peer: string, webhookId: string, nowMs: number, keepMs: number): Promise<void> {
  const db = openDb(d1);
  await db.batch([
    db.delete(webhookDeliveries).where(lt(webhookDeliveries.expiresAt, nowMs)),
    db
      .insert(webhookDeliveries)
      .values({ peer, webhookId, receivedAt: new Date(nowMs).toISOString(), expiresAt: nowMs + keepMs })
      .onConflictDoUpdate({ target: [webhookDeliveries.peer, webhookDeliveries.webhookId], set: { expiresAt: nowMs + keepMs } }),
  ]);
}
