/**
 * One scanned item's verdict from what the registry (or a local snapshot) found for it: each deciding
 * declaration's preferences are read in the current vocabulary, combined as the registry combines them
 * (src/domain/consent.ts: any `n` wins; a `y` counts only from a domain-verified match; else unknown), and the
 * outcome for the chosen use decides: `n` excludes the item, `y` allows it, anything else leaves it unknown. Pure.
 */
import { effectivePreferences } from "../domain/consent";
import {
  CATEGORIES,
  isCategory,
  verdictFor as outcomeVerdict,
  type Category,
  type Outcome,
  type StatedPreferences,
} from "../domain/preferences";

export type Verdict = "excluded" | "allowed" | "unknown" | "error";

/** How far a declaration's subject is vouched for: see docs/cli.md, `optout scan`. */
export type TrustLabel = "domain-verified" | "controller-verified" | "self-asserted";

/** What matched: an ISCC unit within a distance, the file's datahash, a URL pattern or a work identifier. */
export type Matched =
  | { by: "iscc"; unit_type: string; declared: string; distance: number }
  | { by: "datahash"; declared: string }
  | { by: "url"; pattern: string; kind: string }
  | { by: "identifier"; identifier: string };

export interface ItemMatch {
  declaration: string;
  matched: Matched[];
  trust: TrustLabel;
  /** The declaration's preferences as it states them, in its own vocabulary. */
  vocabulary: number;
  preferences: StatedPreferences;
}

export class UseError extends Error {}

/** The category of the current vocabulary that `--use` names. */
export function parseUse(use: string): Category {
  if (!isCategory(use)) throw new UseError(`--use must be one of ${CATEGORIES.join(", ")}, got ${JSON.stringify(use)}`);
  return use;
}

const VERDICT = { disallowed: "excluded", allowed: "allowed", unknown: "unknown" } as const;

export function verdictFor(matches: readonly ItemMatch[], use: Category): { verdict: Verdict; preference: Outcome } {
  // The registry's own rule (src/domain/consent.ts): a `y` counts only from a domain-verified match, every `n` counts.
  const effective = effectivePreferences(
    matches.map((m) => ({ vocabulary: m.vocabulary, preferences: m.preferences, verification: m.trust === "domain-verified" ? "domain-verified" : "self-asserted" })),
  );
  return { verdict: VERDICT[outcomeVerdict(effective, use)], preference: effective[use] };
}

/** Merges matches of one declaration found by several subjects into one entry. */
export function mergeMatches(list: readonly ItemMatch[]): ItemMatch[] {
  const byId = new Map<string, ItemMatch>();
  for (const m of list) {
    const seen = byId.get(m.declaration);
    if (!seen) byId.set(m.declaration, { ...m, matched: [...m.matched] });
    else {
      seen.matched.push(...m.matched);
      if (m.trust === "domain-verified" || (m.trust === "controller-verified" && seen.trust === "self-asserted")) seen.trust = m.trust;
    }
  }
  return [...byId.values()];
}
