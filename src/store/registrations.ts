import { and, desc, eq, gt, lte, sql } from "drizzle-orm";
import { isMandate, recordFacts, signedRecord, type PreparedRecord } from "../domain/record";
import type { Counters, Facts, Known, Registry, Status, StoredFacts } from "../domain/sequencer-decisions";
import { parseIsccIdV1 } from "../iscc/index";
import { inList, insertJsonRows, jsonTuples, type Preparer } from "./bound-parameters";
import type { Db } from "./db";
import { lastLogSeq } from "./log-entries";
import type { Receipt } from "./receipt";
import { datahashes, declarations, isccUnits, mandates, urlRules, workIdentifiers } from "./schema";

/** The sequencer's reads and writes in D1 (it is the only writer of these tables). */

const FACTS = {
  id: declarations.id,
  intent: declarations.intent,
  supersedes: declarations.supersedes,
  declarant: declarations.declarant,
  controller: declarations.controller,
  controllerVerified: declarations.controllerVerified,
  kind: declarations.kind,
  alsoBy: declarations.alsoBy,
};
const STORED = { ...FACTS, seq: declarations.seq, digest: declarations.digest, status: declarations.status };

export type StoredRow = StoredFacts & { receipt: string };

export interface KnownRows extends Known {
  byDigest: Map<string, StoredRow>;
}

/**
 * What deciding a group needs (see Known): stored declarations by the group's digests and by the
 * ids it names, and stored declarations naming the ids peers delivered.
 */
export async function readKnown(db: Db, q: { digests: string[]; ids: string[]; delivered: string[] }): Promise<KnownRows> {
  // One D1 batch, one round trip per group (an empty list matches nothing and costs next to nothing).
  const [byDigest, byId, naming] = await db.batch([
    db.select({ ...STORED, receipt: declarations.receipt }).from(declarations).where(inList(declarations.digest, unique(q.digests))),
    db.select(STORED).from(declarations).where(inList(declarations.id, unique(q.ids))),
    db.select(FACTS).from(declarations).where(inList(declarations.supersedes, unique(q.delivered))),
  ]);
  const namingMap = new Map<string, Facts[]>();
  for (const r of naming) namingMap.set(r.supersedes!, [...(namingMap.get(r.supersedes!) ?? []), r]);
  return { byDigest: new Map(byDigest.map((r) => [r.digest, r])), byId: new Map(byId.map((r) => [r.id, r])), naming: namingMap };
}

/** Which of these ids are already stored. */
export async function takenIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.select({ id: declarations.id }).from(declarations).where(inList(declarations.id, ids));
  return new Set(rows.map((r) => r.id));
}

/**
 * The next seq (after every log record: declarations and observations share one order), and the
 * next id timestamp: after the newest id this registry issued itself (hub and origin ours). Rows a
 * peer wrote never move our counter, whatever ids they carry.
 */
export async function nextCounters(db: Db, me: Registry): Promise<Counters> {
  const [last, [own]] = await Promise.all([
    lastLogSeq(db),
    db
      .select({ id: declarations.id })
      .from(declarations)
      .where(and(eq(declarations.hubId, me.hubId), eq(declarations.origin, me.name)))
      .orderBy(desc(declarations.seq))
      .limit(1),
  ]);
  return { seq: last + 1, micros: own ? parseIsccIdV1(own.id).timestampMicros + 1n : 0n };
}

/** seq in (after, upTo] */
const seqAfter = (after: number, upTo: number) => and(gt(declarations.seq, after), lte(declarations.seq, upTo));

/** What the similarity index needs of declarations (after, upTo]: status and target. */
export function statusesInSeqRange(db: Db, after: number, upTo: number) {
  const columns = { seq: declarations.seq, status: declarations.status, supersedes: declarations.supersedes };
  return db.select(columns).from(declarations).where(seqAfter(after, upTo));
}

/** Seq and status of the declarations with these ids. */
export async function statusesOfIds(db: Db, ids: string[]) {
  if (!ids.length) return [];
  return db.select({ seq: declarations.seq, status: declarations.status }).from(declarations).where(inList(declarations.id, unique(ids)));
}

/** The highest seq of a declaration in D1 (0 when empty). */
export async function lastSeq(db: Db): Promise<number> {
  const [r] = await db.select({ seq: sql<number | null>`max(${declarations.seq})` }).from(declarations);
  return r?.seq ?? 0;
}

/** A declaration a group creates, with what its rows need beyond the declaration itself. */
export interface NewDeclaration {
  seq: number;
  id: string;
  status: Status;
  receipt: Receipt;
  prepared: PreparedRecord;
  origin: string;
  receivedFrom: string | null;
}

export type RegistrationRows = ReturnType<typeof registrationRows>;

/**
 * The rows a group writes, table by table, in seq order. Statuses of new rows are final (one
 * superseded within the same group is written so).
 */
export function registrationRows(rows: NewDeclaration[], receivedAt: string) {
  const declRows = rows.map((r) => {
    const record = signedRecord(r.prepared);
    const facts = recordFacts(r.prepared);
    const declaration = isMandate(r.prepared) ? null : r.prepared;
    return {
      seq: r.seq,
      id: r.id,
      digest: r.prepared.digest,
      hubId: parseIsccIdV1(r.id).hubId,
      intent: facts.intent,
      supersedes: facts.supersedes,
      status: r.status,
      declarant: r.prepared.declarant,
      controller: r.prepared.controller,
      controllerVerified: r.prepared.controllerVerified,
      timestamp: record.timestamp,
      registeredAt: r.receipt.registered_at,
      receivedAt,
      origin: r.origin,
      receivedFrom: r.receivedFrom,
      preferences: JSON.stringify(declaration?.declaration.preferences ?? {}),
      vocabulary: declaration?.vocabulary ?? 1,
      body: r.prepared.canonical,
      receipt: JSON.stringify(r.receipt),
      kind: facts.kind!,
      alsoBy: facts.alsoBy ?? null,
    };
  });
  // A revocation's subjects (if any) only say what it is about; they must not match lookups.
  const subjects = rows.flatMap(({ seq, prepared }) => (!isMandate(prepared) && prepared.declaration.intent !== "revoke" ? [{ seq, prepared }] : []));
  const urlRows = subjects.flatMap(({ seq, prepared }) =>
    prepared.urls.map((u) => ({ seq, kind: u.kind, pattern: u.pattern, host: u.host, key: u.key, verification: u.verification })),
  );
  const unitRows = subjects.flatMap(({ seq, prepared }) =>
    prepared.units.map((u) => ({ seq, unitType: u.unitType, code: u.code, bodyHex: u.bodyHex, b0: u.bands[0], b1: u.bands[1], b2: u.bands[2], b3: u.bands[3] })),
  );
  const hashRows = subjects.flatMap(({ seq, prepared }) => (prepared.datahash ? [{ seq, datahash: prepared.datahash }] : []));
  const identifierRows = subjects.flatMap(({ seq, prepared }) => prepared.identifiers.map((w) => ({ seq, kind: w.kind, value: w.value })));
  const mandateRows = rows.flatMap(({ seq, id, prepared }) =>
    isMandate(prepared) && prepared.grant
      ? [{ seq, id, member: prepared.grant.member, agent: prepared.grant.agent, scope: JSON.stringify(prepared.mandate.scope), validFrom: new Date(prepared.grant.validFromMs).toISOString(), validUntil: prepared.mandate.valid_until! }]
      : [],
  );
  return { declarations: declRows, urlRules: urlRows, isccUnits: unitRows, datahashes: hashRows, workIdentifiers: identifierRows, mandates: mandateRows };
}

/**
 * A group's writes, for one atomic D1 batch: its rows (registrationRows), each table's as one JSON
 * parameter (a thousand declarations become a handful of statements), then the status changes of
 * earlier declarations, all in one statement.
 */
export function registrationWrites(d1: Preparer, r: RegistrationRows, statusChanges: { id: string; status: Status }[]): D1PreparedStatement[] {
  const writes = [
    ...insertJsonRows(d1, declarations, r.declarations),
    ...insertJsonRows(d1, urlRules, r.urlRules),
    ...insertJsonRows(d1, isccUnits, r.isccUnits),
    ...insertJsonRows(d1, datahashes, r.datahashes),
    ...insertJsonRows(d1, workIdentifiers, r.workIdentifiers),
    ...insertJsonRows(d1, mandates, r.mandates),
  ];
  if (statusChanges.length) {
    const changes = jsonTuples(statusChanges.map((c) => [c.id, c.status]));
    writes.push(d1.prepare("UPDATE declarations SET status = c.value->>1 FROM json_each(?1) AS c WHERE declarations.id = c.value->>0").bind(changes));
  }
  return writes;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
