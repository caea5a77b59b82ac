/**
 * Preferences as people give them, by flag name: `--train-ai n` on the command line, a `train-ai`
 * column in a catalog. One flag per current category (`ai-use` for the draft-labelled
 * `draft-ai-use`), and `all` for every one. Pure: the CLI, `optout import` and the web app's
 * catalogs read flags through this one mapping.
 */
import type { PreferenceMap } from "./declaration-schema";
import { CATEGORIES, type Category } from "./preferences";

export const PREFERENCE_FLAGS = ["all", "train-ai", "ai-use", "search"] as const;
export type PreferenceFlag = (typeof PREFERENCE_FLAGS)[number];
const FLAG_CATEGORY: Record<Exclude<PreferenceFlag, "all">, Category> = { "train-ai": "train-ai", "ai-use": "draft-ai-use", search: "search" };

/** A flag whose value is not y or n (the message names the flag, as `--flag` reads it). */
export class PreferenceFlagError extends Error {}

function yesNo(flag: string, v: string): "y" | "n" {
  const norm = v.trim().toLowerCase();
  if (norm !== "y" && norm !== "n") throw new PreferenceFlagError(`--${flag} takes y or n, got ${JSON.stringify(v)}`);
  return norm;
}

/**
 * The flags over `base`: `all` sets every category (the current vocabulary has no umbrella key), a
 * category's own flag overrides it. Flags left undefined change nothing.
 */
export function preferencesOfFlags(values: Partial<Record<PreferenceFlag, string | undefined>>, base: PreferenceMap = {}): PreferenceMap {
  const prefs: PreferenceMap = { ...base };
  if (values.all !== undefined) {
    const all = yesNo("all", values.all);
    for (const c of CATEGORIES) prefs[c] = all;
  }
  for (const [flag, category] of Object.entries(FLAG_CATEGORY)) {
    const v = values[flag as keyof typeof FLAG_CATEGORY];
    if (v !== undefined) prefs[category] = yesNo(flag, v);
  }
  return prefs;
}
