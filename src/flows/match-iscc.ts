import { bytesToHex } from "@noble/hashes/utils.js";
import { jsonPointer, type FieldError } from "../domain/field-error";
import type { CitationLabel } from "../domain/agency";
import { effectivePreferences } from "../domain/consent";
import { contentUsageHeader, isOptedOut, type ResolvedPreferences } from "../domain/preferences";
import { decompose, IsccError, MainType, type IsccUnitInfo } from "../iscc/index";
import type { SimilarityIndex, UnitQuery } from "../similarity/similarity-index";
import type { ConflictCitation } from "../store/conflicts-read";
import { declarationCitation } from "../store/declaration-view";
import { activeDeclarationsBySeq, datahashesByPrefix } from "../store/match-reads";
import { annotateCitations } from "./agency-labels";

export interface UnitMatch {
  unit_type: string;
  query: string;
  declared: string;
  distance: number;
  similarity: number;
}

export interface DeclarationMatch {
  declaration: ReturnType<typeof declarationCitation>;
  /** False when only a meta unit matched: reported, but it does not decide (SPEC, "Matching"). */
  decides: boolean;
  /**
   * The citation's one label, the same as `declaration.verification`: content subjects are never
   * domain-verified, so it is `self-asserted`, or an agent's `agent-mandated`/`agent-asserted`.
   * Either way its `y` is cited, never counted as consent (src/domain/consent.ts).
   */
  verification: CitationLabel;
  units: UnitMatch[];
}

export type MatchResult =
  | { iscc: string; matches: DeclarationMatch[]; preferences: ResolvedPreferences; opted_out: boolean; content_usage: string; conflicts: ConflictCitation[] }
  | { iscc: string; error: FieldError };

/**
 * Decomposes each query code into units, searches every unit in the similarity index (instance
 * units exactly, also against declared datahashes, whose first 64 bits are the Instance-Code body),
 * and groups the hits by active declaration.
 */
export async function matchIscc(db: D1Database, index: SimilarityIndex, codes: string[], maxDistance: number): Promise<MatchResult[]> {
  const parsed = codes.map((iscc, i) => {
    try {
      return { iscc, units: decompose(iscc) };
    } catch (e) {
      if (!(e instanceof IsccError)) throw e;
      return { iscc, error: { pointer: jsonPointer(["iscc", i]), detail: e.message } };
    }
  });
  const flat: { q: number; unit: IsccUnitInfo }[] = parsed.flatMap((p, q) => ("units" in p ? p.units!.map((unit) => ({ q, unit })) : []));
  const queries: UnitQuery[] = flat.map(({ unit }) => ({ unitType: unit.typeName, body: unit.body, exact: unit.maintype === MainType.INSTANCE }));
  const [hits, datahashHits] = await Promise.all([index.search(queries, maxDistance), datahashMatches(db, flat.map((f) => f.unit))]);

  const seqs = new Set<number>();
  hits.forEach((h) => h.forEach((x) => seqs.add(x.seq)));
  datahashHits.forEach((h) => h.forEach((x) => seqs.add(x.seq)));
  const rows = await activeDeclarationsBySeq(db, [...seqs]);

  const perQuery = parsed.map(() => new Map<number, DeclarationMatch>());
  flat.forEach(({ q, unit }, k) => {
    // A declaration with both an ISCC-CODE and its datahash matches an instance unit twice; the
    // unit match is the one reported, the datahash only adds declarations that have no ISCC.
    const bySimilarity = new Set(hits[k]!.map((h) => h.seq));
    const found = [...hits[k]!, ...datahashHits[k]!.filter((h) => !bySimilarity.has(h.seq))];
    for (const hit of found) {
      const row = rows.get(hit.seq);
      if (!row) continue;
      const m = perQuery[q]!.get(hit.seq) ?? { declaration: declarationCitation(row), decides: false, verification: "self-asserted" as const, units: [] };
      m.units.push({ unit_type: unit.typeName, query: unit.code, declared: hit.code, distance: hit.distance, similarity: 1 - hit.distance / 64 });
      if (unit.maintype !== MainType.META) m.decides = true;
      perQuery[q]!.set(hit.seq, m);
    }
  });
  const results = parsed.map((p, q): MatchResult => {
    if ("error" in p) return { iscc: p.iscc, error: p.error! };
    const matches = [...perQuery[q]!.values()];
    const preferences = effectivePreferences(
      // No content subject is domain-verified, whatever agent label it gets below: none counts as consent.
      matches.filter((m) => m.decides).map((m) => ({ vocabulary: m.declaration.vocabulary, preferences: m.declaration.preferences, verification: "self-asserted" as const })),
    );
    return { iscc: p.iscc, matches, preferences, opted_out: isOptedOut(preferences), content_usage: contentUsageHeader(preferences), conflicts: [] };
  });
  // Agents' labels and the conflicts of what is cited (flows/agency-labels.ts).
  const answers = results.flatMap((r) => ("matches" in r && r.matches.length ? [{ declarations: r.matches.map((m) => m.declaration), conflicts: r.conflicts }] : []));
  await annotateCitations(db, answers, [...rows.values()].flatMap((r) => (r.alsoBy !== null ? [r.id] : [])));
  // One label per citation: the match's `verification` (SPEC's field) says what the declaration's does.
  for (const r of results) if ("matches" in r) for (const m of r.matches) m.verification = m.declaration.verification;
  return results;
}

/** Instance units against declared datahashes (`1e20` + BLAKE3): equal on the common prefix. */
async function datahashMatches(db: D1Database, units: IsccUnitInfo[]): Promise<{ seq: number; code: string; distance: number }[][]> {
  const out = units.map(() => [] as { seq: number; code: string; distance: number }[]);
  const probes = units.flatMap((u, k) => (u.maintype === MainType.INSTANCE ? [{ k, prefix: "1e20" + bytesToHex(u.body) }] : []));
  const found = await datahashesByPrefix(db, probes.map((p) => p.prefix));
  found.forEach((rows, j) => {
    for (const row of rows) out[probes[j]!.k]!.push({ seq: row.seq, code: row.datahash, distance: 0 });
  });
  return out;
}
