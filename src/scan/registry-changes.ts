/**
 * What changed at a registry since a version, as far as content matching goes, for an incremental re-scan
 * (answer-cache.ts): the feed (GET /v1/feed?after=VERSION) read to its end and reduced to
 * - `ended`: the ids an update or a revocation superseded (an answer citing one may now be wrong), and
 * - `declared`: the ISCC units and datahashes declared since (a code near one may now match it).
 * A status changes only through a later record naming it in `supersedes` (src/domain/sequencer-decisions.ts),
 * and every record, local or from a peer, gets the next seq, so these two cover every change to a match.
 * Null when the registry cannot say: no feed, a record this client does not understand, or more changes
 * than asking again costs.
 */
import { hexToBytes } from "@noble/hashes/utils.js";
import { decompose } from "../iscc/index";
import type { UnitsSnapshot } from "../snapshot/units-snapshot";
import { requestJson, RegistryRequestError, type RetryPolicy } from "./retrying-fetch";

export interface RegistryChanges {
  /** The version the feed was read to. */
  upTo: number;
  ended: Set<string>;
  /** The declared units and datahashes, in the units snapshot's shape (declaration indexes into `ids`). */
  declared: UnitsSnapshot;
}

/** Past this many new records a full match is cheaper than reading the feed. */
export const MAX_CHANGES = 20_000;
const PAGE = 1_000;

interface FeedPage {
  items: { seq: number; declaration?: FeedDeclaration; mandate?: unknown; receipt: { id?: string } }[];
  next_after: number;
}

interface FeedDeclaration {
  iscc?: string;
  datahash?: string;
  supersedes?: string;
}

/** Folds feed items into changes; false when an item is neither a declaration nor a mandate, or unreadable. */
export function foldFeed(into: RegistryChanges, items: FeedPage["items"]): boolean {
  for (const item of items) {
    // Mandates name agents; they change no declaration's status, subjects or preferences.
    if (item.mandate !== undefined) continue;
    const d = item.declaration;
    if (!d || typeof d !== "object") return false;
    if (d.supersedes !== undefined) into.ended.add(d.supersedes);
    if (d.iscc === undefined && d.datahash === undefined) continue;
    const index = into.declared.declarations.length;
    into.declared.declarations.push({ id: item.receipt?.id ?? `seq ${item.seq}`, controllerVerified: false, vocabulary: 1, preferences: {} });
    try {
      if (d.iscc !== undefined) {
        for (const u of decompose(d.iscc)) into.declared.units.push({ unitType: u.typeName, body: u.body.subarray(0, 8), declaration: index });
      }
      if (d.datahash !== undefined) into.declared.datahashes.push({ digest: hexToBytes(d.datahash.slice(4)), declaration: index });
    } catch {
      return false; // the registry accepted it, so this client reads it differently: ask everything again
    }
  }
  return true;
}

const feedPage = (base: URL, after: number, limit: number, policy: RetryPolicy) =>
  requestJson<FeedPage>(new URL(`v1/feed?after=${after}&limit=${limit}`, base), { headers: { accept: "application/json" } }, policy);

/**
 * The id of the record at `version`: kept beside cached answers, it proves on the next scan that the registry
 * behind the URL still has the history they were computed from (not one started afresh, whose versions restart).
 */
export async function recordAt(base: URL, version: number, policy: RetryPolicy): Promise<string | null> {
  if (version === 0) return "";
  try {
    const page = await feedPage(base, version - 1, 1, policy);
    const item = page.items?.[0];
    return item?.seq === version && typeof item.receipt?.id === "string" ? item.receipt.id : null;
  } catch (e) {
    if (e instanceof RegistryRequestError) return null;
    throw e;
  }
}

/** The changes after `version`, whose record has id `anchor` (recordAt). */
export async function changesSince(base: URL, version: number, anchor: string, policy: RetryPolicy, max = MAX_CHANGES): Promise<RegistryChanges | null> {
  if ((await recordAt(base, version, policy)) !== anchor) return null;
  const changes: RegistryChanges = {
    upTo: version,
    ended: new Set(),
    declared: { version: 0, createdAt: 0, registry: "", declarations: [], units: [], datahashes: [] },
  };
  for (let read = 0; ; ) {
    let page: FeedPage;
    try {
      page = await feedPage(base, changes.upTo, PAGE, policy);
    } catch (e) {
      if (e instanceof RegistryRequestError) return null;
      throw e;
    }
    if (!Array.isArray(page.items) || !foldFeed(changes, page.items)) return null;
    if (!page.items.length) return changes;
    read += page.items.length;
    if (read > max) return null;
    changes.upTo = page.next_after;
  }
}
