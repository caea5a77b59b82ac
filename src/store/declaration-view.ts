import type { AgentCitation, CitationLabel } from "../domain/agency";
import type { Receipt } from "./receipt";
import type { declarations } from "./schema";

export type DeclarationRow = typeof declarations.$inferSelect;

/** How a stored declaration is shown: the signed declaration itself, its receipt and its state here. */
export function declarationView(row: DeclarationRow) {
  return {
    id: row.id,
    seq: row.seq,
    digest: row.digest,
    status: row.status,
    intent: row.intent,
    supersedes: row.supersedes,
    on_behalf_of: row.alsoBy,
    declarant: row.declarant,
    controller: row.controller,
    controller_verified: row.controllerVerified,
    origin: row.origin,
    registered_at: row.registeredAt,
    declaration: JSON.parse(row.body) as Record<string, unknown>,
    receipt: JSON.parse(row.receipt) as Receipt,
  };
}

/** The short citation of a declaration inside match answers. */
export function declarationCitation(row: Pick<DeclarationRow, "id" | "declarant" | "controller" | "controllerVerified" | "vocabulary" | "preferences" | "status">) {
  return {
    id: row.id,
    status: row.status,
    declarant: row.declarant,
    controller: row.controller,
    controller_verified: row.controllerVerified,
    // Content subjects are never domain-verified (src/domain/consent.ts); an agent's label replaces this.
    verification: "self-asserted" as CitationLabel,
    vocabulary: row.vocabulary,
    preferences: JSON.parse(row.preferences) as Record<string, "y" | "n">,
    agent: null as AgentCitation | null,
  };
}
