import { and, eq, ne, sql } from "drizzle-orm";
import {
  addOwner,
  checkConflicts,
  claimDomains,
  type ClaimFacts,
  type Conflict,
} from "../domain/conflicts";
import { recheckDomains } from "../domain/conflicts";
import { conflictNotifications, nearDuplicateNotifications } from "../domain/notifications";
import { didWebDomain } from "../domain/did-web";
import { identifierKey, type IdentifierKind } from "../domain/work-identifier";
import { toCurrent, vocabularyOf } from "../domain/preferences";
import { decompose, MainType, parseIsccIdV1 } from "../iscc/index";
import { hexToBytes } from "@noble/hashes/utils.js";
import { DEFAULT_MAX_DISTANCE } from "../similarity/bands";
import { D1SimilarityIndex } from "../similarity/d1-index";
import type { UnitQuery } from "../similarity/similarity-index";
import { inList, insertRows, jsonList } from "./bound-parameters";
import type { CommittedArrivals } from "./committed-arrivals";
import type { Db } from "./db";
import { datahashesByPrefix } from "./match-reads";
import { mandateRecords } from "./mandates-read";
import { conflictParties, conflicts, datahashes, declarations, isccUnits, mandates, notifications, registryState, urlRules, workIdentifiers } from "./schema";

/** How far conflicts have been detected, in seq (a row of registry_state). */
const CURSOR = "conflicts_detected_seq";

/**
 * Conflict detection after a commit, in registry order (src/domain/conflicts.ts decides; this
 * reads what it needs and writes the outcome). The records with seq in (cursor, upTo] are the
 * arrivals; what they make worth checking again (conflicts.ts, Arrivals) is checked against
 * everything stored, and the stored conflicts are made to agree, with the cursor, in one atomic
 * batch. A failure leaves the cursor where it was: the next commit detects from there. Returns the
 * conflicts found for the first time, how many notifications were written (the Notifier delivers
 * them), and whether it caught up.
 */
export async function detectConflicts(
  db: Db,
  d1: D1Database,
  upTo: number,
  maxRecords = 1000,
  nowIso = new Date().toISOString(),
  held?: CommittedArrivals,
): Promise<{ found: Conflict[]; told: number; done: boolean }> {
  const [state] = await db.select({ value: registryState.value }).from(registryState).where(eq(registryState.key, CURSOR));
  const from = state?.value ?? 0;
  if (from >= upTo) return { found: [], told: 0, done: true };
  const to = Math.min(upTo, from + maxRecords);
  // The sequencer holds what it committed since it started (the same rows it wrote): read back
  // from D1 only what it does not hold (older records, or after a restart).
  const inMemory = held?.range(from, to);
  const arrived =
    inMemory?.arrived ??
    (await db
      .select({ seq: declarations.seq, id: declarations.id, kind: declarations.kind, supersedes: declarations.supersedes })
      .from(declarations)
      .where(and(sql`${declarations.seq} > ${from}`, sql`${declarations.seq} <= ${to}`)));

  const newClaims = inMemory?.claims ?? (await loadClaims(db, arrived.filter((r) => r.kind === "declaration").map((r) => r.seq)));
  const grants = await db.select({ member: mandates.member, id: mandates.id, seq: mandates.seq }).from(mandates).where(
    inList(mandates.id, arrived.flatMap((r) => (r.kind === "mandate" ? [r.supersedes ?? r.id] : []))),
  );
  const members = [...new Set(grants.map((g) => g.member))];
  const memberClaims = members.length
    ? await loadClaims(db, (await db.select({ seq: declarations.seq }).from(declarations).where(and(eq(declarations.kind, "declaration"), inList(declarations.alsoBy, members)))).map((r) => r.seq))
    : [];
  const affected = uniqueClaims([...newClaims, ...memberClaims]).filter((c) => c.intent !== "revoke");

  const near = await workCandidates(db, d1, affected);
  // A claim's own units find it: claims loaded above are not read again.
  const loaded = new Map(affected.map((c) => [c.seq, c]));
  const nearSeqs = [...new Set(near.flat())];
  const unloaded = nearSeqs.filter((seq) => !loaded.has(seq));
  const heldClaims = held?.claims(unloaded) ?? { claims: [], missing: unloaded };
  const candidates = [...(await loadClaims(db, heldClaims.missing)), ...heldClaims.claims, ...nearSeqs.flatMap((seq) => loaded.get(seq) ?? [])];
  const bySeq = new Map(candidates.map((c) => [c.seq, c]));
  const domains = [...new Set([...affected.flatMap(claimDomains), ...newClaims.flatMap((c) => (c.domain ? [c.domain] : []))])];
  const owners = await domainOwners(db, domains);
  const rechecked = recheckDomains({ claims: newClaims, members }, owners);
  const within = rechecked.length ? await loadClaims(db, await claimsWithin(d1, rechecked)) : [];

  const all = uniqueClaims([...affected, ...candidates, ...within]);
  const mandatesNeeded = await mandateRecords(d1, [...new Set(all.flatMap((c) => (c.onBehalfOf ? [c.onBehalfOf] : [])))]);
  const byId = new Map<string, ClaimFacts>(all.map((c) => [c.id, c]));
  for (const o of owners.values()) byId.set(o.id, byId.get(o.id) ?? o);
  const pairs = affected.flatMap((a, i) => near[i]!.flatMap((seq) => (bySeq.has(seq) ? [[a, bySeq.get(seq)!] as const] : [])));
  const { holds, decided } = checkConflicts(pairs, uniqueClaims([...affected, ...within]), mandatesNeeded, owners);

  const decidedIds = [...decided];
  const existing = new Set(
    decidedIds.length ? (await db.select({ id: conflicts.id }).from(conflicts).where(inList(conflicts.id, decidedIds))).map((r) => r.id) : [],
  );
  const gone = decidedIds.filter((id) => existing.has(id) && !holds.has(id));
  const kept = [...holds.values()];
  const found = kept.filter((c) => !existing.has(c.id));
  // Who is told (src/domain/notifications.ts): stored with the conflicts, in the same batch.
  const arrivedIds = new Set(newClaims.map((c) => c.id));
  const told = [
    ...conflictNotifications(found, byId),
    ...nearDuplicateNotifications(pairs.filter(([a]) => arrivedIds.has(a.id))),
  ].map((m) => ({ id: m.id, party: m.party, type: m.type, data: JSON.stringify(m.data), createdAt: nowIso }));
  const writes = [
    ...(gone.length ? [db.delete(conflicts).where(inList(conflicts.id, gone)), db.delete(conflictParties).where(inList(conflictParties.conflict, gone))] : []),
    ...(kept.length ? [db.delete(conflictParties).where(inList(conflictParties.conflict, kept.map((c) => c.id)))] : []),
    ...kept.map((c) =>
      db
        .insert(conflicts)
        .values({ id: c.id, kind: c.kind, claim: c.claim, counterpart: c.counterpart, matched: JSON.stringify(c.matched), foundAt: nowIso })
        .onConflictDoUpdate({ target: conflicts.id, set: { counterpart: c.counterpart, matched: JSON.stringify(c.matched) } }),
    ),
    ...insertRows(db, conflictParties, kept.flatMap((c) => partiesOf(c, byId).map((party) => ({ conflict: c.id, party })))),
    ...insertRows(db, notifications, told).map((q) => q.onConflictDoNothing()),
    db.insert(registryState).values({ key: CURSOR, value: to }).onConflictDoUpdate({ target: registryState.key, set: { value: to } }),
  ];
  await db.batch(writes as [(typeof writes)[number], ...typeof writes]);
  held?.passed(to);
  return { found, told: told.length, done: to >= upTo };
}

/** Who a conflict concerns: each side's key, verified controller and member. */
export function partiesOf(c: Conflict, byId: ReadonlyMap<string, ClaimFacts>): string[] {
  const out = new Set<string>();
  for (const id of [c.claim, c.counterpart]) {
    const f = byId.get(id);
    if (!f) continue;
    out.add(f.declarant);
    if (f.controllerVerified && f.controller) out.add(f.controller);
    if (f.onBehalfOf) out.add(f.onBehalfOf);
  }
  return [...out];
}

function uniqueClaims<C extends ClaimFacts>(list: C[]): C[] {
  return [...new Map(list.map((c) => [c.id, c])).values()];
}

/** The columns of a declaration's rows that its claim is built from (claimsOfRows). */
export interface ClaimRows {
  declarations: readonly Pick<typeof declarations.$inferSelect, "seq" | "id" | "intent" | "declarant" | "controller" | "controllerVerified" | "alsoBy" | "preferences" | "vocabulary">[];
  isccUnits: readonly Pick<typeof isccUnits.$inferSelect, "seq" | "unitType" | "code" | "bodyHex">[];
  datahashes: readonly Pick<typeof datahashes.$inferSelect, "seq" | "datahash">[];
  urlRules: readonly Pick<typeof urlRules.$inferSelect, "seq" | "kind" | "pattern" | "host" | "verification">[];
  workIdentifiers: readonly Pick<typeof workIdentifiers.$inferSelect, "seq" | "kind" | "value">[];
}

export type Claim = ClaimFacts & { seq: number };

/** Declarations (by seq) as conflict detection sees them: signer, preferences in the current vocabulary, subjects. */
export async function loadClaims(db: Db, seqs: readonly number[]): Promise<Claim[]> {
  const unique = [...new Set(seqs)];
  if (!unique.length) return [];
  // One D1 batch: one round trip instead of five (a detection pass loads claims two or three times).
  const [rows, units, hashes, rules, identifiers] = await db.batch([
    db
      .select({
        seq: declarations.seq,
        id: declarations.id,
        intent: declarations.intent,
        declarant: declarations.declarant,
        controller: declarations.controller,
        controllerVerified: declarations.controllerVerified,
        alsoBy: declarations.alsoBy,
        preferences: declarations.preferences,
        vocabulary: declarations.vocabulary,
      })
      .from(declarations)
      .where(and(inList(declarations.seq, unique), eq(declarations.kind, "declaration"))),
    db.select({ seq: isccUnits.seq, unitType: isccUnits.unitType, code: isccUnits.code, bodyHex: isccUnits.bodyHex }).from(isccUnits).where(inList(isccUnits.seq, unique)),
    db.select({ seq: datahashes.seq, datahash: datahashes.datahash }).from(datahashes).where(inList(datahashes.seq, unique)),
    db
      .select({ seq: urlRules.seq, kind: urlRules.kind, pattern: urlRules.pattern, host: urlRules.host, verification: urlRules.verification })
      .from(urlRules)
      .where(inList(urlRules.seq, unique)),
    db.select({ seq: workIdentifiers.seq, kind: workIdentifiers.kind, value: workIdentifiers.value }).from(workIdentifiers).where(inList(workIdentifiers.seq, unique)),
  ]);
  return claimsOfRows({ declarations: rows, isccUnits: units, datahashes: hashes, urlRules: rules, workIdentifiers: identifiers });
}

/**
 * The claims of these declarations' rows (as D1 holds them, or as the sequencer wrote them), in
 * the declarations' order; each subject list in the order of its rows.
 */
export function claimsOfRows(r: ClaimRows): Claim[] {
  // Grouped once by seq: a pass of 2,000 records filtering every list per record was quadratic.
  const unitsOf = groupBySeq(r.isccUnits);
  const hashOf = groupBySeq(r.datahashes);
  const rulesOf = groupBySeq(r.urlRules);
  const identifiersOf = groupBySeq(r.workIdentifiers);
  return r.declarations.map((d) => ({
    seq: d.seq,
    id: d.id,
    micros: parseIsccIdV1(d.id).timestampMicros,
    intent: d.intent,
    declarant: d.declarant,
    controller: d.controller,
    controllerVerified: d.controllerVerified,
    domain: d.controllerVerified && d.controller ? didWebDomain(d.controller) : null,
    onBehalfOf: d.alsoBy,
    preferences: toCurrent(vocabularyOf(d), JSON.parse(d.preferences)),
    units: (unitsOf.get(d.seq) ?? []).map((u) => ({ unitType: u.unitType, maintype: decompose(u.code)[0]!.maintype, code: u.code, bodyHex: u.bodyHex })),
    datahash: hashOf.get(d.seq)?.[0]?.datahash ?? null,
    urls: (rulesOf.get(d.seq) ?? [])
      .map((u) => ({ kind: u.kind, pattern: u.pattern, host: u.host, ...(u.kind === "prefix" ? { prefix: u.pattern.slice(0, -1) } : {}), verification: u.verification })),
    identifiers: (identifiersOf.get(d.seq) ?? []).map(identifierKey),
  }));
}

/** Rows by their seq, each seq's in the order read. */
function groupBySeq<R extends { seq: number }>(rows: readonly R[]): Map<number, R[]> {
  const out = new Map<number, R[]>();
  for (const r of rows) {
    const list = out.get(r.seq);
    if (list) list.push(r);
    else out.set(r.seq, [r]);
  }
  return out;
}

/**
 * Seqs of declarations that may share a work with any of `claims`, as sharedWork defines it: the
 * exact similarity search (never Vectorize: every registry must find the same) for content units
 * within the default distance and instance units, datahashes equal, datahashes against Instance-Codes,
 * work identifiers equal.
 */
async function workCandidates(db: Db, d1: D1Database, claims: readonly ClaimFacts[]): Promise<number[][]> {
  const out = claims.map(() => new Set<number>());
  const queries: { k: number; q: UnitQuery }[] = [];
  claims.forEach((c, k) => {
    for (const u of c.units) if (u.maintype !== MainType.META) queries.push({ k, q: { unitType: u.unitType, body: hexToBytes(u.bodyHex), exact: u.maintype === MainType.INSTANCE } });
    if (c.datahash) queries.push({ k, q: { unitType: "INSTANCE-NONE-V0", body: hexToBytes(c.datahash.slice(4)), exact: true } });
  });
  if (queries.length) {
    const hits = await new D1SimilarityIndex(d1).search(queries.map((x) => x.q), DEFAULT_MAX_DISTANCE);
    hits.forEach((h, j) => h.forEach((x) => out[queries[j]!.k]!.add(x.seq)));
  }
  const hashes = claims.flatMap((c, k) => (c.datahash ? [{ k, h: c.datahash }] : []));
  if (hashes.length) {
    const rows = await db.select({ seq: datahashes.seq, datahash: datahashes.datahash }).from(datahashes).where(inList(datahashes.datahash, hashes.map((x) => x.h)));
    for (const { k, h } of hashes) for (const r of rows) if (r.datahash === h) out[k]!.add(r.seq);
  }
  // The same work identifier (kind and canonical value, as stored).
  const named = claims.flatMap((c, k) => (c.identifiers ?? []).map((key) => ({ k, key })));
  if (named.length) {
    const pairs = [...new Set(named.map((x) => x.key))].map((key) => [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)]);
    // One JSON parameter, answered from work_identifiers_value (kind, value).
    const { results } = await d1
      .prepare("SELECT w.seq AS seq, w.kind AS kind, w.value AS value FROM json_each(?1) q JOIN work_identifiers w ON w.kind = q.value->>0 AND w.value = q.value->>1")
      .bind(JSON.stringify(pairs))
      .all<{ seq: number; kind: IdentifierKind; value: string }>();
    for (const { k, key } of named) for (const r of results) if (identifierKey(r) === key) out[k]!.add(r.seq);
  }
  // An Instance-Code body is the start of the datahash of the same bytes (one statement for all the prefixes).
  const instances = claims.flatMap((c, k) => c.units.filter((u) => u.maintype === MainType.INSTANCE).map((u) => ({ k, p: "1e20" + u.bodyHex })));
  if (instances.length) {
    const prefixes = [...new Set(instances.map((x) => x.p))];
    const found = await datahashesByPrefix(d1, prefixes);
    const byPrefix = new Map(prefixes.map((p, j) => [p, found[j]!]));
    for (const { k, p } of instances) for (const { seq } of byPrefix.get(p)!) out[k]!.add(seq);
  }
  return out.map((s) => [...s]);
}

/** The first verified declaration of each domain (its controller is did:web:<domain>, verified). */
async function domainOwners(db: Db, domains: readonly string[]): Promise<Map<string, ClaimFacts>> {
  const owners = new Map<string, ClaimFacts>();
  if (!domains.length) return owners;
  const rows = await db
    .select({ seq: declarations.seq })
    .from(declarations)
    .where(
      and(
        eq(declarations.kind, "declaration"),
        eq(declarations.controllerVerified, true),
        ne(declarations.intent, "revoke"),
        inList(declarations.controller, domains.map((d) => `did:web:${d}`)),
      ),
    );
  for (const c of await loadClaims(db, rows.map((r) => r.seq))) addOwner(owners, c);
  return owners;
}

/** Seqs of declarations with a URL rule on a domain or its subdomains. */
async function claimsWithin(d1: D1Database, domains: readonly string[]): Promise<number[]> {
  const { results } = await d1
    .prepare(`SELECT DISTINCT r.seq AS seq FROM url_rules r, json_each(?1) d WHERE r.host = d.value OR r.host LIKE '%.' || d.value`)
    .bind(jsonList(domains))
    .all<{ seq: number }>();
  return results.map((r) => r.seq);
}

