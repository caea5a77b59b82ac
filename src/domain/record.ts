/**
 * What the sequencer orders: a declaration or a mandate, each signed by its declarant, each given
 * an id, a receipt, a log entry and a place in the feed. This is the one place that tells them
 * apart for the write path. Pure.
 */
import type { PreparedDeclaration } from "./declaration";
import type { PreparedMandate } from "./mandate";
import type { Facts, RecordKind } from "./sequencer-decisions";

export type PreparedRecord = PreparedDeclaration | PreparedMandate;

export function isMandate(p: PreparedRecord): p is PreparedMandate {
  return "mandate" in p;
}

export function recordKind(p: PreparedRecord): RecordKind {
  return isMandate(p) ? "mandate" : "declaration";
}

/** The signed object itself. */
export function signedRecord(p: PreparedRecord): PreparedDeclaration["declaration"] | PreparedMandate["mandate"] {
  return isMandate(p) ? p.mandate : p.declaration;
}

/** The record as the sequencer's decisions see it. */
export function recordFacts(p: PreparedRecord): Omit<Facts, "id"> {
  const r = signedRecord(p);
  return {
    intent: r.intent,
    supersedes: r.supersedes ?? null,
    declarant: p.declarant,
    controller: p.controller,
    controllerVerified: p.controllerVerified,
    kind: recordKind(p),
    alsoBy: isMandate(p) ? (p.grant?.agent ?? null) : p.onBehalfOf,
  };
}
