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

/**
 * Declared datahashes starting with each prefix (hex), per prefix: one statement for all of them, a range
 * of datahashes_datahash each ("g" sorts after every hex digit: [prefix, prefix + "g") is every string
 * that starts with prefix). D1 pays per statement: one per prefix was most of a 1,000-code match's CPU.
 */
export async function datahashesByPrefix(db: D1Database, prefixes: string[]): Promise<{ seq: number; datahash: string }[][]> {
  const out = prefixes.map((): { seq: number; datahash: string }[] => []);
  if (!prefixes.length) return out;
  const { results } = await db
    .prepare("SELECT q.key AS k, d.seq AS seq, d.datahash AS datahash FROM json_each(?1) q JOIN datahashes d ON d.datahash >= q.value AND d.datahash < q.value || 'g'")
    .bind(jsonList(prefixes))
    .all<{ k: number; seq: number; datahash: string }>();
  for (const { k, seq, datahash } of results) out[k]!.push({ seq, datahash });
  return out;
}
