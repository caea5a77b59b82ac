/**
 * The AIPREF statement of preference: the exemplary format of draft-ietf-aipref-vocab-07 §6, an
 * RFC 9651 Dictionary of category labels to the tokens `y` and `n`. It is what the `Content-Usage`
 * header field (draft-ietf-aipref-attach-05 §2) and the robots.txt `Content-Usage` rule (§3) carry.
 *
 * Reading follows the processing algorithm (-07 §6.5) exactly: a Dictionary that does not parse
 * states nothing; for each category, a Token `y` allows, `n` disallows, anything else (absent, not
 * a Token, another Token, parameters aside) is unknown; unknown labels are ignored (-07 §6.4).
 * Labels read: `train-ai` and `search` (-07 §6.1), and `ai-use`, the label -08 gives AI Use (§4.2),
 * into the draft-labelled `draft-ai-use`: a -02-era `ai-use` (use by any trained model) holds for
 * that narrower category too, so either reading gives the same answer. Labels of retired drafts
 * (`all`, `train-genai`, …) are ignored as the draft requires, and reported as ignored.
 */
import { contentUsageHeader, unknownPreferences, type Category, type ResolvedPreferences } from "../domain/preferences";
import { isInnerList, parseDictionary, StructuredFieldError, type Dictionary } from "./structured-fields";

/** Labels read from a statement, and the category each fills. */
export const CONTENT_USAGE_LABELS: Readonly<Record<string, Category>> = { "train-ai": "train-ai", search: "search", "ai-use": "draft-ai-use" };

export type ContentUsageReading =
  | { ok: true; preferences: ResolvedPreferences; ignored: string[]; dictionary: Dictionary }
  | { ok: false; preferences: ResolvedPreferences; error: string };

/** Reads one statement of preference (the value of one header field or one robots.txt rule). */
export function readContentUsage(statement: string): ContentUsageReading {
  let dictionary: Dictionary;
  try {
    dictionary = parseDictionary(statement);
  } catch (e) {
    if (!(e instanceof StructuredFieldError)) throw e;
    return { ok: false, preferences: unknownPreferences(), error: `not an RFC 9651 dictionary (${e.message}): it states nothing` };
  }
  const preferences = unknownPreferences();
  const ignored: string[] = [];
  for (const [label, member] of dictionary) {
    const category = CONTENT_USAGE_LABELS[label];
    if (!category) {
      ignored.push(label);
      continue;
    }
    const value = isInnerList(member) ? undefined : member.value;
    preferences[category] = value?.type === "token" && (value.value === "y" || value.value === "n") ? value.value : "unknown";
  }
  return { ok: true, preferences, ignored, dictionary };
}

/** The statement for `preferences` in the current labels (settled tokens only; see preferences.ts). */
export function writeContentUsage(preferences: ResolvedPreferences): string {
  return contentUsageHeader(preferences);
}
