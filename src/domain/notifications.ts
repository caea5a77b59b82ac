/**
 * What a party is told, derived from what conflict detection found (README, "Notifications"). Pure.
 *
 * - `conflict.found`: a conflict (src/domain/conflicts.ts) found for the first time, told to every
 *   party of either side (key, verified controller, member).
 * - `declaration.near-duplicate`: a later declaration shares a work (sharedWork: the same or a
 *   near-duplicate ISCC within the default distance, or the same datahash) with an earlier one of
 *   another party; the earlier one's parties are told, whether or not preferences clash. A party is
 *   never told about its own declarations.
 *
 * Each notification has a deterministic id (type, subjects, party), so deriving it twice (a
 * detection redone after a failure) stores it once, and its deliveries keep one webhook-id.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { earlier, sameParty, sharedWork, type ClaimFacts, type Conflict, type SharedWork } from "./conflicts";

export type NotificationType = "conflict.found" | "declaration.near-duplicate";

export interface Notification {
  id: string;
  party: string;
  type: NotificationType;
  data: Record<string, unknown>;
}

/** Who a declaration speaks for: its key, its verified controller, and the member an agent acts for. */
export function partiesOfClaim(c: Pick<ClaimFacts, "declarant" | "controller" | "controllerVerified" | "onBehalfOf">): string[] {
  const out = new Set([c.declarant]);
  if (c.controllerVerified && c.controller) out.add(c.controller);
  if (c.onBehalfOf) out.add(c.onBehalfOf);
  return [...out];
}

export function notificationId(type: NotificationType, subject: string, party: string): string {
  return "msg_" + bytesToHex(sha256(new TextEncoder().encode(`${type} ${subject} ${party}`))).slice(0, 32);
}

/** One notification per party of either side of each conflict found for the first time. */
export function conflictNotifications(found: readonly Conflict[], claims: ReadonlyMap<string, ClaimFacts>): Notification[] {
  const out: Notification[] = [];
  for (const c of found) {
    const parties = new Set([c.claim, c.counterpart].flatMap((id) => (claims.has(id) ? partiesOfClaim(claims.get(id)!) : [])));
    for (const party of parties)
      out.push({ id: notificationId("conflict.found", c.id, party), party, type: "conflict.found", data: { conflict: c } });
  }
  return out;
}

/**
 * For each arrival and each stored declaration it may share a work with (the candidates the exact
 * similarity search found): when they do share one and belong to different parties, the parties
 * of the earlier declaration (ISCC-ID order, as for conflicts) are told of the later one. Earlier
 * and later, not stored and arrived: so every registry tells the same parties the same thing,
 * whichever of the two reached it first. Revocations announce nothing.
 */
export function nearDuplicateNotifications(pairs: Iterable<readonly [arrival: ClaimFacts, stored: ClaimFacts]>): Notification[] {
  const out = new Map<string, Notification>();
  for (const [x, y] of pairs) {
    if (x.id === y.id || x.intent === "revoke" || y.intent === "revoke" || sameParty(x, y)) continue;
    const [first, later] = earlier(x, y) ? [x, y] : [y, x];
    const work: SharedWork | null = sharedWork(later, first);
    if (!work) continue;
    const laterParties = partiesOfClaim(later);
    for (const party of partiesOfClaim(first)) {
      // A member is not told of what its own agent declared for it, nor an agent of its member's.
      if (laterParties.includes(party)) continue;
      const id = notificationId("declaration.near-duplicate", `${later.id} ${first.id}`, party);
      out.set(id, { id, party, type: "declaration.near-duplicate", data: { declaration: later.id, declarant: later.declarant, yours: first.id, work } });
    }
  }
  return [...out.values()];
}
