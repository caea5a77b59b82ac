/**
 * Conflicting claims (README, "Conflicts"): which pairs of declarations clash, decided from signed
 * data only, so that every registry holding the same records finds the same conflicts whatever
 * order they arrived in. "Earlier" and "later" are the order of ISCC-IDs (the time the origin
 * registered each declaration, signed into its receipt), never the order of arrival. Pure.
 *
 * Three kinds, between declarations of different declarants (neither a revocation):
 *
 * - `opposite-preferences`: they share a work (the same datahash, the same Instance-Code, or a
 *   content, semantic or data unit within the default matching distance) and say `y` and `n` for
 *   the same category of the current vocabulary.
 * - `unverified-claim`: they share a work; the earlier one is verified (its controller is) or
 *   agent-mandated, the later one neither — both as of the later one's registration.
 * - `domain-claim`: a URL rule that is not domain-verified lies within a domain another declarant
 *   is verified for. One conflict per (declaration, domain), with the domain's first verified
 *   declaration (the lowest id) as the counterpart, so a domain owner with many declarations
 *   is one counterpart, not many.
 *
 * Not conflicts: two claims of one party (same key, same verified controller), and an agent's
 * claim against the very member it names (for the last two kinds; a member contradicting its
 * agent's preferences is a conflict worth telling both).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { MainType } from "../iscc/index";
import { DEFAULT_MAX_DISTANCE } from "../similarity/bands";
import { agencyOf, type MandateRecord } from "./agency";
import { hostIsWithin } from "./did-web";
import type { ScopedSubjects } from "./mandate-scope";
import { CATEGORIES, type Category, type ResolvedPreferences } from "./preferences";
import { isParty, type Intent, type Signer } from "./sequencer-decisions";
import type { UrlPattern } from "./url-pattern";
import { hostLookupKeys } from "./url-pattern";

export type ConflictKind = "opposite-preferences" | "unverified-claim" | "domain-claim";
export const PAIR_KINDS = ["opposite-preferences", "unverified-claim"] as const;

export interface ClaimUnit {
  unitType: string;
  maintype: MainType;
  code: string;
  bodyHex: string;
}

/** A declaration as conflict detection sees it. */
export interface ClaimFacts extends Signer {
  id: string;
  /** The timestamp of its ISCC-ID (µs). */
  micros: bigint;
  intent: Intent;
  /** The domain its controller is verified for (receipt), or null. */
  domain: string | null;
  onBehalfOf: string | null;
  /** Its preferences in the current vocabulary (toCurrent). */
  preferences: ResolvedPreferences;
  units: readonly ClaimUnit[];
  datahash: string | null;
  urls: readonly (UrlPattern & { verification: "domain-verified" | "self-asserted" })[];
  /** Its work identifiers as `kind:value`, canonical (identifierKey); absent: none. */
  identifiers?: readonly string[];
}

/** What two declarations share: a unit pair, a datahash or a work identifier. */
export interface SharedWork {
  subject: "iscc" | "datahash" | "identifier";
  unit_type: string | null;
  /** The code (or datahash) on the claim's side and on the counterpart's. */
  claim: string;
  counterpart: string;
  distance: number;
}

export interface Conflict {
  /** Deterministic: the same conflict has the same id on every registry. */
  id: string;
  kind: ConflictKind;
  /** The later declaration (for domain claims: the one whose URL lies in another's domain). */
  claim: string;
  /** The earlier declaration (for domain claims: the domain's first verified declaration). */
  counterpart: string;
  matched: { work: SharedWork; categories?: Category[] } | { url: string; domain: string };
}

/** What a conflict is keyed by: for pairs the two ids, for domain claims the claim and the domain. */
export function conflictKey(kind: ConflictKind, claim: string, counterpartKey: string): string {
  return `${kind} ${claim} ${counterpartKey}`;
}

export function conflictId(key: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(key))).slice(0, 32);
}

/** Global order of declarations: id timestamp, then id. */
export function earlier(a: Pick<ClaimFacts, "id" | "micros">, b: Pick<ClaimFacts, "id" | "micros">): boolean {
  return a.micros < b.micros || (a.micros === b.micros && a.id < b.id);
}

/** Same party: same key, or the same verified controller. */
export function sameParty(a: Signer, b: Signer): boolean {
  return a.declarant === b.declarant || (a.controllerVerified && b.controllerVerified && a.controller !== null && a.controller === b.controller);
}

/** Whether `agentClaim` is made for `member`'s party (its key or verified controller). */
function actsFor(agentClaim: ClaimFacts, member: Signer): boolean {
  return agentClaim.onBehalfOf !== null && isParty(member, agentClaim.onBehalfOf);
}

/**
 * The closest work two declarations share, or null: datahashes equal (or a datahash and an
 * Instance-Code on their common prefix), instance units on their common prefix, content, semantic
 * and data units of one type within `maxDistance` bits of their first 64, the same work identifier
 * (canonical `kind:value`). Meta units never decide
 * (SPEC, "Matching"). Ties break on the codes, so the answer does not depend on argument order.
 */
export function sharedWork(claim: ClaimFacts, counterpart: ClaimFacts, maxDistance = DEFAULT_MAX_DISTANCE): SharedWork | null {
  const found: SharedWork[] = [];
  if (claim.datahash !== null && claim.datahash === counterpart.datahash)
    found.push({ subject: "datahash", unit_type: null, claim: claim.datahash, counterpart: counterpart.datahash, distance: 0 });
  for (const [x, y, flip] of [[claim, counterpart, false], [counterpart, claim, true]] as const) {
    if (x.datahash === null) continue;
    for (const u of y.units)
      if (u.maintype === MainType.INSTANCE && commonPrefix(x.datahash.slice(4), u.bodyHex))
        found.push({ subject: "datahash", unit_type: u.unitType, claim: flip ? u.code : x.datahash, counterpart: flip ? x.datahash : u.code, distance: 0 });
  }
  for (const a of claim.units) {
    if (a.maintype === MainType.META) continue;
    for (const b of counterpart.units) {
      if (a.unitType !== b.unitType) continue;
      if (a.maintype === MainType.INSTANCE) {
        if (commonPrefix(a.bodyHex, b.bodyHex)) found.push({ subject: "iscc", unit_type: a.unitType, claim: a.code, counterpart: b.code, distance: 0 });
        continue;
      }
      const d = distance64Hex(a.bodyHex, b.bodyHex);
      if (d <= maxDistance) found.push({ subject: "iscc", unit_type: a.unitType, claim: a.code, counterpart: b.code, distance: d });
    }
  }
  // The same identifier (ISRC, ISWC, ISNI, ISBN, DOI) names the same work, whatever its codes.
  const theirs = new Set(counterpart.identifiers ?? []);
  for (const id of claim.identifiers ?? []) if (theirs.has(id)) found.push({ subject: "identifier", unit_type: null, claim: id, counterpart: id, distance: 0 });
  if (!found.length) return null;
  return found.reduce((best, w) =>
    w.distance < best.distance || (w.distance === best.distance && `${w.claim} ${w.counterpart}` < `${best.claim} ${best.counterpart}`) ? w : best,
  );
}

/** Categories one says `y` and the other `n` for. */
export function oppositeCategories(a: ResolvedPreferences, b: ResolvedPreferences): Category[] {
  return CATEGORIES.filter((c) => (a[c] === "y" && b[c] === "n") || (a[c] === "n" && b[c] === "y"));
}

function subjectsOf(c: ClaimFacts): ScopedSubjects {
  return { urls: c.urls, units: c.units, datahash: c.datahash, identifiers: c.identifiers ?? [] };
}

/** Verified (its controller is) or agent-mandated at `atMicros`. */
function vouchedFor(c: ClaimFacts, mandates: readonly MandateRecord[], atMicros: bigint): boolean {
  if (c.controllerVerified) return true;
  if (c.onBehalfOf === null) return false;
  return agencyOf({ ...c, onBehalfOf: c.onBehalfOf, subjects: subjectsOf(c) }, mandates, atMicros).label === "agent-mandated";
}

/**
 * The pair conflicts between two declarations (either order), given every mandate of their
 * members with its revocation time: a function of these records alone.
 */
export function pairConflicts(x: ClaimFacts, y: ClaimFacts, mandates: readonly MandateRecord[]): Conflict[] {
  if (x.id === y.id || x.intent === "revoke" || y.intent === "revoke" || sameParty(x, y)) return [];
  const [first, later] = earlier(x, y) ? [x, y] : [y, x];
  const work = sharedWork(later, first);
  if (!work) return [];
  const out: Conflict[] = [];
  const categories = oppositeCategories(later.preferences, first.preferences);
  if (categories.length) out.push(pairConflict("opposite-preferences", later, first, { work, categories }));
  if (!actsFor(later, first) && !actsFor(first, later) && !vouchedFor(later, mandates, later.micros) && vouchedFor(first, mandates, later.micros))
    out.push(pairConflict("unverified-claim", later, first, { work }));
  return out;
}

function pairConflict(kind: ConflictKind, claim: ClaimFacts, counterpart: ClaimFacts, matched: Conflict["matched"]): Conflict {
  return { id: conflictId(conflictKey(kind, claim.id, counterpart.id)), kind, claim: claim.id, counterpart: counterpart.id, matched };
}

/** The keys a pair check decides: each pair kind, present or not. */
export function pairKeys(x: ClaimFacts, y: ClaimFacts): string[] {
  const [first, later] = earlier(x, y) ? [x, y] : [y, x];
  return PAIR_KINDS.map((k) => conflictKey(k, later.id, first.id));
}

/** The domains a declaration's URL rules lie within (each host and its parents): where a domain claim may arise. */
export function claimDomains(c: Pick<ClaimFacts, "urls" | "intent">): string[] {
  if (c.intent === "revoke") return [];
  return [...new Set(c.urls.flatMap((u) => hostLookupKeys(u.host)))];
}

/** The first verified declaration of each domain: the counterpart of domain claims there. */
export type DomainOwners = ReadonlyMap<string, ClaimFacts>;

/** Whether `c` makes its controller's domain known: verified, with a domain, not a revocation. */
export function ownsDomain(c: ClaimFacts): c is ClaimFacts & { domain: string } {
  return c.intent !== "revoke" && c.controllerVerified && c.domain !== null;
}

/** The domain claims of one declaration, given the owner of every domain in claimDomains(c). */
export function domainConflicts(c: ClaimFacts, owners: DomainOwners): Conflict[] {
  if (c.intent === "revoke") return [];
  const out: Conflict[] = [];
  for (const domain of claimDomains(c)) {
    const owner = owners.get(domain);
    if (!owner || owner.id === c.id || sameParty(c, owner) || actsFor(c, owner)) continue;
    const rule = c.urls.find((u) => u.verification !== "domain-verified" && hostIsWithin(u.host, domain));
    if (!rule) continue;
    out.push({
      id: conflictId(conflictKey("domain-claim", c.id, `did:web:${domain}`)),
      kind: "domain-claim",
      claim: c.id,
      counterpart: owner.id,
      matched: { url: rule.pattern, domain },
    });
  }
  return out;
}

/** The keys a domain check of `c` decides. */
export function domainKeys(c: ClaimFacts): string[] {
  return claimDomains(c).map((d) => conflictKey("domain-claim", c.id, `did:web:${d}`));
}

/** Keeps the earlier of two owners of a domain. */
export function addOwner(owners: Map<string, ClaimFacts>, c: ClaimFacts): void {
  if (!ownsDomain(c)) return;
  const have = owners.get(c.domain);
  if (!have || earlier(c, have)) owners.set(c.domain, c);
}

/**
 * Every conflict among a set of records: the definition the incremental detection (what the
 * sequencer runs as records arrive, see conflictChecks) must always reach. Quadratic: for tests.
 */
export function allConflicts(claims: readonly ClaimFacts[], mandates: readonly MandateRecord[]): Map<string, Conflict> {
  const out = new Map<string, Conflict>();
  const owners = new Map<string, ClaimFacts>();
  for (const c of claims) addOwner(owners, c);
  for (let i = 0; i < claims.length; i++) {
    for (let j = i + 1; j < claims.length; j++) for (const k of pairConflicts(claims[i]!, claims[j]!, mandates)) out.set(k.id, k);
    for (const k of domainConflicts(claims[i]!, owners)) out.set(k.id, k);
  }
  return out;
}

/** Records that arrived in one group, as conflict detection needs to hear of them. */
export interface Arrivals {
  /** New declarations (revocations included: they never conflict, and change nothing). */
  claims: readonly ClaimFacts[];
  /** Members whose mandates gained a grant or a revocation. */
  members: readonly string[];
}

/**
 * What must be checked again after `arrivals`, given what is stored now (the arrivals included):
 * - every pair between a new declaration, or a declaration made for a member whose mandates
 *   changed, and any declaration it shares a work with (the caller finds those);
 * - the domain claims of those declarations, and of every declaration within a domain whose
 *   first verified declaration just arrived (owners: the owners after the arrivals).
 * A pair's outcome depends only on the two declarations and the mandates of their members, and a
 * domain claim's only on the declaration and the domain's first verified declaration: so checking
 * these again after each arrival keeps the stored conflicts equal to allConflicts of the set.
 */
export function recheckDomains(arrivals: Arrivals, owners: DomainOwners): string[] {
  const out = new Set<string>();
  for (const c of arrivals.claims) if (ownsDomain(c) && owners.get(c.domain)?.id === c.id) out.add(c.domain);
  return [...out];
}

/** The outcome of checking pairs and domain claims: conflicts that hold, and every key decided. */
export interface CheckOutcome {
  holds: Map<string, Conflict>;
  /** Conflict ids decided by the check, whether they hold or not (stored ones not holding are removed). */
  decided: Set<string>;
}

export function checkConflicts(pairs: Iterable<readonly [ClaimFacts, ClaimFacts]>, domainChecks: Iterable<ClaimFacts>, mandates: readonly MandateRecord[], owners: DomainOwners): CheckOutcome {
  const holds = new Map<string, Conflict>();
  const decided = new Set<string>();
  for (const [x, y] of pairs) {
    if (x.id === y.id) continue;
    for (const k of pairKeys(x, y)) decided.add(conflictId(k));
    for (const c of pairConflicts(x, y, mandates)) holds.set(c.id, c);
  }
  for (const c of domainChecks) {
    for (const k of domainKeys(c)) decided.add(conflictId(k));
    for (const k of domainConflicts(c, owners)) holds.set(k.id, k);
  }
  return { holds, decided };
}

function commonPrefix(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n);
}

/** Hamming distance of the first 64 bits of two hex bodies (a shorter body is zero-padded, as bands.ts does). */
export function distance64Hex(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < 16; i += 8) {
    let x = (parseInt((a.slice(i, i + 8) || "0").padEnd(8, "0"), 16) ^ parseInt((b.slice(i, i + 8) || "0").padEnd(8, "0"), 16)) >>> 0;
    while (x) {
      x &= x - 1;
      d++;
    }
  }
  return d;
}
