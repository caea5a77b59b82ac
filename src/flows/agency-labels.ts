import { agencyOf, type AgentCitation } from "../domain/agency";
import { declaredIdentifiers, isccUnits } from "../domain/declaration";
import type { Declaration } from "../domain/declaration-schema";
import { didWebDomain } from "../domain/did-web";
import { parseUrlPattern } from "../domain/url-pattern";
import { identifierKey } from "../domain/work-identifier";
import { conflictsOf, type ConflictCitation } from "../store/conflicts-read";
import type { Reader } from "../store/db";
import { agentDeclarations, mandateRecords } from "../store/mandates-read";

/**
 * The agency of every declaration of `ids` that an agent made (naming `on_behalf_of`), at
 * `nowMs`: one read of those rows and one of their members' mandates, then the pure agencyOf.
 * Declarants' own claims are left out (their label is the one they always had).
 */
export async function agentCitations(d1: Reader, ids: readonly string[], nowMs = Date.now()): Promise<Map<string, AgentCitation>> {
  const out = new Map<string, AgentCitation>();
  if (!ids.length) return out;
  const rows = await agentDeclarations(d1, ids);
  if (!rows.length) return out;
  const mandates = await mandateRecords(d1, rows.map((r) => r.alsoBy!));
  const at = BigInt(nowMs) * 1000n;
  for (const r of rows) {
    const d = JSON.parse(r.body) as Declaration;
    const { label, mandate, memberIsni } = agencyOf(
      {
        declarant: r.declarant,
        controller: r.controller,
        controllerVerified: r.controllerVerified,
        domain: r.controllerVerified && r.controller ? didWebDomain(r.controller) : null,
        onBehalfOf: r.alsoBy!,
        subjects: { urls: (d.urls ?? []).map(parseUrlPattern), units: d.iscc ? isccUnits(d.iscc) : [], datahash: d.datahash ?? null, identifiers: declaredIdentifiers(d).map(identifierKey) },
      },
      mandates,
      at,
    );
    out.set(r.id, { label, agent: r.controllerVerified && r.controller ? r.controller : r.declarant, member: r.alsoBy!, member_isni: memberIsni, mandate });
  }
  return out;
}

/** A citation in an answer, as annotateCitations completes it. */
export interface Citation {
  id: string;
  verification?: string;
  agent?: AgentCitation | null;
}

/**
 * Completes answers that cite declarations: each agent's declaration gets `agent` (who, for whom,
 * which mandate) and its label as `verification` (a rule on the agent's own verified domain stays
 * `domain-verified`, the stronger word), every other citation `agent: null`; each answer gets the
 * conflicts involving what it cites (`conflicts`), so a crawler sees that it is disputed. Two reads
 * at most, and none for answers that cite nothing; `known`: those conflicts, already read with the
 * citations (store/url-rules-lookup.ts), so only agents' declarations are read.
 */
export async function annotateCitations(
  d1: Reader,
  answers: { declarations: Citation[]; conflicts: ConflictCitation[] }[],
  agentIds: readonly string[],
  known?: Map<string, ConflictCitation[]>,
): Promise<void> {
  const ids = answers.flatMap((a) => a.declarations.map((d) => d.id));
  if (!ids.length) return;
  const [agents, disputes] = await Promise.all([agentCitations(d1, agentIds), known ?? conflictsOf(d1, ids)]);
  for (const a of answers) {
    const seen = new Set<string>();
    for (const d of a.declarations) {
      const agent = agents.get(d.id) ?? null;
      d.agent = agent;
      if (agent && d.verification !== "domain-verified") d.verification = agent.label;
      for (const c of disputes.get(d.id) ?? []) if (!seen.has(c.id)) (seen.add(c.id), a.conflicts.push(c));
    }
  }
}
