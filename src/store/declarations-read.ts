import { and, asc, eq, gt, isNotNull, or, sql, type SQL } from "drizzle-orm";
import { inList } from "./bound-parameters";
import { openDb } from "./db";
import { seqsNamingUnits, type NamedUnit } from "./iscc-units";
import { declarations, urlRules } from "./schema";

/** By ISCC-ID (any notation the codec accepts is normalized by the caller) or by hex digest. */
export async function findDeclaration(d1: D1Database, idOrDigest: string) {
  const db = openDb(d1);
  const where = /^[0-9a-f]{64}$/.test(idOrDigest) ? eq(declarations.digest, idOrDigest) : eq(declarations.id, idOrDigest);
  const [row] = await db.select().from(declarations).where(and(where, eq(declarations.kind, "declaration"))).limit(1);
  return row;
}

/** A declaration's URL subjects as the registry stored them: each pattern with the trust label it decided at registration. */
export async function urlSubjectsOf(d1: D1Database, seq: number) {
  return openDb(d1)
    .select({ pattern: urlRules.pattern, kind: urlRules.kind, verification: urlRules.verification })
    .from(urlRules)
    .where(eq(urlRules.seq, seq))
    .orderBy(sql`rowid`); // the declaration's own order
}

export interface ListFilter {
  /** Units of which any must be a declared unit. */
  isccUnits?: NamedUnit[];
  /** A declarant multikey, or a controller DID (its verified declarations only). */
  declarant?: string;
  /** Declarations an agent (its key, or its did:web once verified) made... */
  agent?: string;
  /** ...for this member (`on_behalf_of`). */
  member?: string;
  /** Covering URL rules, as lookup finds them, whatever the declaration's status. */
  url?: { key: string; host: string; hostKeys: string[] };
  /** Any URL rule on this host (exact, prefix or whole-host), or a whole-host rule of a parent domain. */
  host?: { host: string; hostKeys: string[] };
}

/** Keyset pagination on `seq`: stable under concurrent inserts, which only ever append. */
export async function listDeclarations(d1: D1Database, filter: ListFilter, afterSeq: number, limit: number) {
  const db = openDb(d1);
  const conds: SQL[] = [gt(declarations.seq, afterSeq), eq(declarations.kind, "declaration")];
  if (filter.member) conds.push(eq(declarations.alsoBy, filter.member));
  if (filter.agent)
    conds.push(isNotNull(declarations.alsoBy), or(eq(declarations.declarant, filter.agent), and(eq(declarations.controller, filter.agent), eq(declarations.controllerVerified, true)))!);
  // By key: what that key signed. By controller DID: only what the controller verifiably declared
  // (the key was in its DID document at registration), never what a stranger claimed in its name.
  if (filter.declarant)
    conds.push(or(eq(declarations.declarant, filter.declarant), and(eq(declarations.controller, filter.declarant), eq(declarations.controllerVerified, true)))!);
  if (filter.isccUnits) {
    conds.push(sql`${declarations.seq} IN (${seqsNamingUnits(filter.isccUnits)})`);
  }
  if (filter.url) {
    const { key, host, hostKeys } = filter.url;
    const covering = db
      .select({ seq: urlRules.seq })
      .from(urlRules)
      .where(
        or(
          and(eq(urlRules.kind, "exact"), eq(urlRules.key, key)),
          and(eq(urlRules.kind, "prefix"), eq(urlRules.host, host), sql`substr(${key}, 1, length(${urlRules.key})) = ${urlRules.key}`),
          and(eq(urlRules.kind, "host"), inList(urlRules.host, hostKeys)),
        ),
      );
    conds.push(sql`${declarations.seq} IN ${covering}`);
  }
  if (filter.host) {
    const { host, hostKeys } = filter.host;
    const onHost = db
      .select({ seq: urlRules.seq })
      .from(urlRules)
      .where(or(eq(urlRules.host, host), and(eq(urlRules.kind, "host"), inList(urlRules.host, hostKeys))));
    conds.push(sql`${declarations.seq} IN ${onHost}`);
  }
  return db.select().from(declarations).where(and(...conds)).orderBy(asc(declarations.seq)).limit(limit);
}
