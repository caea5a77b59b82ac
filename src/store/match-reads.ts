import { inJson, jsonList } from "./bound-parameters";
import type { DeclarationRow } from "./declaration-view";

/** What matching reads of declarations and datahashes (raw D1: the match path runs on read sessions too). */

export type CitedRow = Pick<DeclarationRow, "seq" | "id" | "declarant" | "controller" | "controllerVerified" | "vocabulary" | "preferences" | "status" | "alsoBy">;

/** The active declarations among these seqs, by seq. */
export async function activeDeclarationsBySeq(db: D1Database, seqs: number[]): Promise<Map<number, CitedRow>> {
  const out = new Map<number, CitedRow>();
  if (!seqs.length) return out;
  const { results } = await db
    .prepare(
      `SELECT seq, id, declarant, controller, controller_verified AS controllerVerified, vocabulary, preferences, status, also_by AS alsoBy
       FROM declarations WHERE seq ${inJson("?1")} AND status = 'active'`,
    )
    .bind(jsonList(seqs))
    .all<CitedRow>();
  for (const r of results) out.set(r.seq, { ...r, controllerVerified: Boolean(r.controllerVerified) });
  return out;
}

/** Declared datahashes starting with each prefix (hex), per prefix, in one round trip. */
export async function datahashesByPrefix(db: D1Database, prefixes: string[]): Promise<{ seq: number; datahash: string }[][]> {
  if (!prefixes.length) return [];
  // "g" sorts after every hex digit: [prefix, prefix + "g") is every string that starts with prefix.
  const batch = await db.batch<{ seq: number; datahash: string }>(
    prefixes.map((p) => db.prepare("SELECT seq, datahash FROM datahashes WHERE datahash >= ?1 AND datahash < ?2").bind(p, p + "g")),
  );
  return batch.map((r) => r.results);
}
