/**
 * Cloudflare's Content Signals (contentsignals.org, draft-romm-aipref-contentsignals-00): a
 * robots.txt rule `Content-Signal: [path] search=yes, ai-input=no, ai-train=no`, read as an
 * RFC 9651 Dictionary of Tokens `yes`/`no`. `use=` (how AI systems may consume content: immediate,
 * reference, full) is kept in the statement but expresses no category; other keys are ignored and
 * reported, like unknown AIPREF labels.
 *
 * Mapping into the vocabulary (the policy's own definitions):
 *   ai-train  "training or fine-tuning AI models"             → train-ai (a yes or no for all
 *             training holds for generative training)
 *   ai-input  "inputting content into one or more AI models (RAG, grounding, …)" → draft-ai-use
 *   search    "building a search index and providing search results … not AI-generated summaries"
 *             → search
 * A signal left out grants nor restricts anything: the category stays unknown.
 */
import { unknownPreferences, type Category, type ResolvedPreferences } from "../domain/preferences";
import { isInnerList, parseDictionary, serializeDictionary, StructuredFieldError, type Dictionary } from "./structured-fields";

export const CONTENT_SIGNAL_KEYS: Readonly<Record<string, Category>> = { "ai-train": "train-ai", "ai-input": "draft-ai-use", search: "search" };
const CATEGORY_KEY: Readonly<Record<Category, string>> = { "train-ai": "ai-train", "draft-ai-use": "ai-input", search: "search" };

export type ContentSignalReading =
  | { ok: true; preferences: ResolvedPreferences; ignored: string[]; invalid: string[]; use?: string }
  | { ok: false; preferences: ResolvedPreferences; error: string };

export function readContentSignal(statement: string): ContentSignalReading {
  let dictionary: Dictionary;
  try {
    dictionary = parseDictionary(statement);
  } catch (e) {
    if (!(e instanceof StructuredFieldError)) throw e;
    return { ok: false, preferences: unknownPreferences(), error: `not a list of key=value signals (${e.message})` };
  }
  const preferences = unknownPreferences();
  const ignored: string[] = [];
  const invalid: string[] = [];
  let use: string | undefined;
  for (const [key, member] of dictionary) {
    const value = isInnerList(member) ? undefined : member.value;
    if (key === "use") {
      if (value?.type === "token") use = value.value;
      else invalid.push(key);
      continue;
    }
    const category = CONTENT_SIGNAL_KEYS[key];
    if (!category) {
      ignored.push(key);
      continue;
    }
    if (value?.type === "token" && (value.value === "yes" || value.value === "no")) preferences[category] = value.value === "yes" ? "y" : "n";
    else {
      preferences[category] = "unknown";
      invalid.push(key);
    }
  }
  return { ok: true, preferences, ignored, invalid, ...(use !== undefined ? { use } : {}) };
}

/** `search=yes, ai-train=no, …` for the known categories, in the policy's customary order. */
export function writeContentSignal(preferences: ResolvedPreferences): string {
  const d: Dictionary = [];
  for (const category of ["search", "draft-ai-use", "train-ai"] as const) {
    const v = preferences[category];
    if (v !== "unknown") d.push([CATEGORY_KEY[category], { value: { type: "token", value: v === "y" ? "yes" : "no" }, params: [] }]);
  }
  return serializeDictionary(d);
}
