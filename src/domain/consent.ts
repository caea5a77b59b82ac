/**
 * Whose word counts, when declarations about one subject are combined into the answer a crawler
 * acts on. A reservation (`n`) costs the public nothing when it is wrong and protects a
 * rightsholder when it is right, so it counts from anyone. A permission (`y`) is the opposite: a
 * stranger who says "train on victim.example" must not turn the victim's content into training
 * data. So a `y` is consent only from a declarant verified for the very subject that matched:
 *
 * - URL subjects: the rule is `domain-verified` (its host is within the domain of a did:web
 *   controller whose document listed the declarant's key when the origin registered it, as the
 *   receipt states; see controller-verification.ts).
 * - ISCC and datahash subjects (content) and work identifiers (ISRC, ISWC, ISNI, ISBN, DOI):
 *   never. A verified controller proves who declared, not who holds the rights to a piece of
 *   content or a work, and nothing else can be checked, so these citations are always
 *   `self-asserted` and their `y` is cited but never consent.
 *
 * An unverified `y` is not turned into `n` either: the category stays as the others make it
 * (unknown if nobody else speaks). Every declaration is still cited with its label and its own
 * preferences, so the caller sees what was claimed and why it did not count.
 */
import { CATEGORIES, combinePreferences, toCurrent, vocabularyOf, type ResolvedPreferences, type StatedPreferences } from "./preferences";

export type SubjectVerification = "domain-verified" | "self-asserted";

export interface CitedPreferences {
  /** The vocabulary the declaration's own preferences are in (absent: 1). */
  vocabulary?: number;
  preferences: StatedPreferences;
  /** How the declarant stands towards the subject that matched. */
  verification: SubjectVerification;
}

/**
 * The combined preferences of the cited declarations: each mapped to the current vocabulary on its
 * own (toCurrent), its `y` answers dropped unless it is domain-verified, then combined per category
 * (any `n`, else any `y`, else unknown).
 */
export function effectivePreferences(cited: readonly CitedPreferences[]): ResolvedPreferences {
  return combinePreferences(
    cited.map((c) => {
      const current = toCurrent(vocabularyOf(c), c.preferences);
      if (c.verification === "domain-verified") return current;
      for (const category of CATEGORIES) if (current[category] === "y") current[category] = "unknown";
      return current;
    }),
  );
}
