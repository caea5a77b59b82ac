/**
 * On what authority an agent's declaration speaks for its member: the label every answer gives a
 * declaration that names `on_behalf_of` (README, "Mandates"). A function of signed data only — the
 * declaration, the mandates of its member, the revocations of those mandates (each with the time
 * its ISCC-ID carries) — and of the instant asked about, so every registry holding the same
 * records gives the same label whatever order they arrived in. Answers ask about now; conflict
 * detection asks about the instant the later declaration was registered (conflicts.ts). Pure.
 *
 * - `agent-mandated`: a mandate of the member names the agent (its key, or its verified did:web
 *   controller), was registered by then, is within its validity period, has not been revoked by
 *   then, and its scope covers every subject of the declaration;
 * - `agent-asserted`: no such mandate, but the agent's controller is verified for a domain (a
 *   known organisation speaks, on its own word);
 * - `self-asserted`: neither.
 */
import { isParty, type Signer } from "./sequencer-decisions";
import { scopeCovers, type MandateScope, type ScopedSubjects } from "./mandate-scope";

export type AgencyLabel = "agent-mandated" | "agent-asserted" | "self-asserted";

/** What an answer says about an agent's declaration: who acts, for whom, on what authority. */
export interface AgentCitation {
  label: AgencyLabel;
  agent: string;
  member: string;
  /** The member's ISNI as the covering mandate states it, or null (no mandate, or none stated). */
  member_isni: string | null;
  mandate: string | null;
}

/** Every label a citation may carry: its subject's verification, or for an agent's declaration its agency. */
export type CitationLabel = "domain-verified" | AgencyLabel;

/** An agent's declaration, as the label needs it. */
export interface AgentClaim extends Signer {
  onBehalfOf: string;
  /** The domain the signer's controller is verified for (the receipt's `verification.domain`), or null. */
  domain: string | null;
  subjects: ScopedSubjects;
}

/** A registered mandate grant, with when (if ever) a revocation that may end it was registered. */
export interface MandateRecord {
  id: string;
  /** The timestamp of its ISCC-ID, in µs: when its origin registered it. */
  micros: bigint;
  member: string;
  /** The member's ISNI, as the mandate states it (signed by the member), or null. */
  memberIsni: string | null;
  agent: string;
  scope: MandateScope;
  validFromMs: number;
  validUntilMs: number;
  /** The earliest id timestamp (µs) among revocations that act on it (sequencer-decisions effectOn), or null. */
  revokedMicros: bigint | null;
}

export interface Agency {
  label: AgencyLabel;
  /** The mandate that covers the declaration (the earliest registered, if several), or null. */
  mandate: string | null;
  /** That mandate's `member_isni`, or null. */
  memberIsni: string | null;
}

/** Whether `m` stands at `atMicros`: registered, within its validity, not yet revoked. */
export function mandateStands(m: MandateRecord, atMicros: bigint): boolean {
  const atMs = Number(atMicros / 1000n);
  return m.micros <= atMicros && m.validFromMs <= atMs && atMs < m.validUntilMs && (m.revokedMicros === null || m.revokedMicros > atMicros);
}

export function agencyOf(claim: AgentClaim, mandates: readonly MandateRecord[], atMicros: bigint): Agency {
  let best: MandateRecord | null = null;
  for (const m of mandates) {
    if (m.member !== claim.onBehalfOf || !isParty(claim, m.agent) || !mandateStands(m, atMicros) || !scopeCovers(m.scope, claim.subjects)) continue;
    if (!best || m.micros < best.micros || (m.micros === best.micros && m.id < best.id)) best = m;
  }
  if (best) return { label: "agent-mandated", mandate: best.id, memberIsni: best.memberIsni };
  return { label: claim.controllerVerified && claim.domain !== null ? "agent-asserted" : "self-asserted", mandate: null, memberIsni: null };
}
