import { and, asc, eq, gt, isNotNull, type SQL } from "drizzle-orm";
import type { MandateRecord } from "../domain/agency";
import { mandateScope } from "../domain/mandate";
import type { Mandate } from "../domain/mandate-schema";
import { effectOn, type Facts } from "../domain/sequencer-decisions";
import { parseIsccIdV1 } from "../iscc/index";
import { inList } from "./bound-parameters";
import { openDb, type Reader } from "./db";
import { declarations, mandates } from "./schema";

const SIGNER = { id: declarations.id, declarant: declarations.declarant, controller: declarations.controller, controllerVerified: declarations.controllerVerified };

/** A mandate (grant or revoke) by id or digest, with its row. */
export async function findMandate(d1: D1Database, idOrDigest: string) {
  const db = openDb(d1);
  const where = /^[0-9a-f]{64}$/.test(idOrDigest) ? eq(declarations.digest, idOrDigest) : eq(declarations.id, idOrDigest);
  const [row] = await db.select().from(declarations).where(and(where, eq(declarations.kind, "mandate"))).limit(1);
  return row;
}

/** Grants by member and/or agent, in registry order (keyset on seq). */
export async function listMandates(d1: D1Database, filter: { member?: string; agent?: string }, afterSeq: number, limit: number) {
  const db = openDb(d1);
  const conds: SQL[] = [gt(declarations.seq, afterSeq), eq(declarations.kind, "mandate")];
  if (filter.member) conds.push(eq(mandates.member, filter.member));
  if (filter.agent) conds.push(eq(mandates.agent, filter.agent));
  return db.select({ d: declarations }).from(mandates).innerJoin(declarations, eq(declarations.seq, mandates.seq)).where(and(...conds)).orderBy(asc(declarations.seq)).limit(limit);
}

/**
 * Every grant of these members, as agency.ts needs it: with the id time of the earliest stored
 * revocation that acts on it (effectOn: signed by the member or the agent), whatever its arrival.
 */
export async function mandateRecords(d1: Reader, members: readonly string[]): Promise<MandateRecord[]> {
  if (!members.length) return [];
  const db = openDb(d1 as D1Database);
  const grants = await db
    .select({ ...SIGNER, member: mandates.member, agent: mandates.agent, body: declarations.body, validFrom: mandates.validFrom, validUntil: mandates.validUntil })
    .from(mandates)
    .innerJoin(declarations, eq(declarations.seq, mandates.seq))
    .where(inList(mandates.member, [...new Set(members)]));
  if (!grants.length) return [];
  const revokes = await db
    .select({ ...SIGNER, supersedes: declarations.supersedes })
    .from(declarations)
    .where(and(eq(declarations.kind, "mandate"), eq(declarations.intent, "revoke"), inList(declarations.supersedes, grants.map((g) => g.id))));
  return grants.map((g) => {
    const target: Facts = { ...g, intent: "activate", supersedes: null, kind: "mandate", alsoBy: g.agent };
    let revokedMicros: bigint | null = null;
    for (const r of revokes) {
      if (effectOn({ ...r, intent: "revoke", kind: "mandate" }, target) !== "revoked") continue;
      const t = parseIsccIdV1(r.id).timestampMicros;
      if (revokedMicros === null || t < revokedMicros) revokedMicros = t;
    }
    const signed = JSON.parse(g.body) as Mandate;
    return {
      id: g.id,
      micros: parseIsccIdV1(g.id).timestampMicros,
      member: g.member,
      memberIsni: signed.member_isni ?? null,
      agent: g.agent,
      scope: mandateScope(signed.scope!),
      validFromMs: Date.parse(g.validFrom),
      validUntilMs: Date.parse(g.validUntil),
      revokedMicros,
    };
  });
}


/** The declarations among `ids` that an agent made for a member (`also_by` set), with what agencyOf reads. */
export async function agentDeclarations(d1: Reader, ids: readonly string[]) {
  return openDb(d1 as D1Database)
    .select({ ...SIGNER, alsoBy: declarations.alsoBy, body: declarations.body })
    .from(declarations)
    .where(and(inList(declarations.id, [...new Set(ids)]), eq(declarations.kind, "declaration"), isNotNull(declarations.alsoBy)));
}
