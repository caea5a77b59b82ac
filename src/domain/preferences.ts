/**
 * The AI usage preference vocabulary, versioned. A declaration is signed in the keys of one
 * vocabulary and keeps that meaning forever; every answer speaks the current one, reached through
 * the single mapping `toCurrent` below.
 *
 * Vocabulary 1 — draft-ietf-aipref-vocab-02 (July 2025), as Liccium's TDM·AI uses it. Declarations
 * without a `vocabulary` member are in it. Keys and their nesting (-02 §4, labels §6.1):
 *
 *   all          Automated Processing (the EU DSM art. 2(2) definition of text and data mining)
 *   ├── train-ai     AI Training (any machine learning)
 *   │   └── train-genai  Generative AI Training
 *   ├── ai-use       AI Use (input to a trained model during its operation)
 *   └── search       Search
 *
 * and an unstated key takes its parent's value (-02 §3, §7 "Consulting a Preference Expression").
 *
 * Vocabulary 2 — current: the categories of draft-ietf-aipref-vocab-07 (August 2026) plus the
 * "AI Use" category that -08 (September 2026) adds, whose token the working group has not settled:
 *
 *   train-ai      AI Model Training: modifying the learned parameters of a model used to generate
 *                 synthetic content (-07 §4.1)
 *   search        Search: selecting assets and directing users to their location, with links, no
 *                 summaries (-07 §4.2)
 *   draft-ai-use  AI Use (-08 §4.2), under our own draft-labelled key until its token is final;
 *                 a later vocabulary maps it to that token
 *
 * The categories are flat: none contains another, and an unstated category is unknown (-07 §5;
 * the hierarchy was removed in -07). Values are `y` and `n` (-07 §6.2).
 *
 * The mapping from 1 to 2 is the -02 consultation of each current category's -02 counterpart:
 *   train-ai     ← -02 train-genai (resolved: train-genai, else train-ai, else all). Generative AI
 *                  Training (-02 §4.3) is what -07 §4.1 calls AI Model Training.
 *   search       ← -02 search (resolved: search, else all).
 *   draft-ai-use ← -02 ai-use (resolved: ai-use, else all). -02 AI Use (input to any trained model)
 *                  contains -08 AI Use (input to a generative model, not supplied by the user), so a
 *                  -02 `n` or `y` holds for the narrower category too.
 * So `all=n` reserves every category, `train-ai=n` or `train-genai=n` reserves train-ai, and the
 * keys both vocabularies share (`train-ai`, `search`) mean the same whenever they appear alone.
 * What -02 could say and the current vocabulary cannot (non-generative training, automated
 * processing beyond the three categories) has no category today and is not answered.
 *
 * Combining statements from any sources, per category (-07 §5.1): any `n` wins, then any `y`,
 * else unknown.
 */

/** The vocabulary every answer speaks. */
export const CURRENT_VOCABULARY = 2;
export type VocabularyVersion = 1 | 2;
export const VOCABULARY_VERSIONS: readonly VocabularyVersion[] = [1, 2];

/** The current vocabulary's categories, in the order answers and headers list them. */
export const CATEGORIES = ["train-ai", "draft-ai-use", "search"] as const;
export type Category = (typeof CATEGORIES)[number];

/** Vocabulary 1's keys, every parent before its children. */
export const V1_KEYS = ["all", "train-ai", "train-genai", "ai-use", "search"] as const;
type V1Key = (typeof V1_KEYS)[number];
const V1_PARENT: Readonly<Record<V1Key, V1Key | null>> = {
  all: null,
  "train-ai": "all",
  "train-genai": "train-ai",
  "ai-use": "all",
  search: "all",
};
/** Each current category's counterpart in vocabulary 1 (see the mapping above). */
const FROM_V1: Readonly<Record<Category, V1Key>> = { "train-ai": "train-genai", "draft-ai-use": "ai-use", search: "search" };

/** The keys a declaration may state, per vocabulary. */
export const VOCABULARY_KEYS: Readonly<Record<VocabularyVersion, readonly string[]>> = { 1: V1_KEYS, 2: CATEGORIES };

export type PreferenceValue = "y" | "n";
export type Outcome = PreferenceValue | "unknown";
/** Preferences as a declaration states them, in the keys of its own vocabulary. */
export type StatedPreferences = Readonly<Record<string, PreferenceValue>>;
/** The current vocabulary's outcome for every category. */
export type ResolvedPreferences = Record<Category, Outcome>;

/**
 * What each current category is, for people choosing (the web app's declare page) and for
 * answers that explain themselves. `token` is the Content-Usage label, null while the draft has
 * not settled it (such a category is answered in `preferences` but never written into a header).
 */
export const CATEGORY_INFO: Readonly<Record<Category, { title: string; definition: string; source: string; token: string | null; draft: boolean }>> = {
  "train-ai": {
    title: "AI training",
    definition: "Using the work to train or fine-tune an AI model that generates text, images, sound or other content.",
    source: "draft-ietf-aipref-vocab-07 §4.1 (AI Model Training)",
    token: "train-ai",
    draft: false,
  },
  "draft-ai-use": {
    title: "AI use (draft)",
    definition:
      "Using the work as input to a generative AI model while it runs (for example retrieval or grounding), when the work is not supplied by the model's user. The working group has not settled this category's label yet.",
    source: "draft-ietf-aipref-vocab-08 §4.2 (AI Use)",
    token: null,
    draft: true,
  },
  search: {
    title: "Search",
    definition: "Indexing the work in a search application that links users to where it was found, without generated summaries.",
    source: "draft-ietf-aipref-vocab-07 §4.2 (Search)",
    token: "search",
    draft: false,
  },
};

/** A declaration's vocabulary: the member when present, else 1 (every declaration signed before it existed). */
export function vocabularyOf(d: { vocabulary?: number }): VocabularyVersion {
  return d.vocabulary === 2 ? 2 : 1;
}

/**
 * What is wrong with a declaration's `preferences` for its vocabulary: pointers relative to the
 * object. Stricter than the draft's header processing (which ignores unknown labels) because a
 * declaration is a signed record: a key of the other vocabulary or a "no" for "n" is a mistake the
 * declarant should hear about, not a preference silently dropped.
 */
export function preferenceErrors(vocabulary: VocabularyVersion, value: unknown): { pointer: string; detail: string }[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [{ pointer: "", detail: "preferences must be an object" }];
  const keys = VOCABULARY_KEYS[vocabulary];
  const errors: { pointer: string; detail: string }[] = [];
  for (const [k, v] of Object.entries(value)) {
    const pointer = "/" + k.replace(/~/g, "~0").replace(/\//g, "~1");
    if (!keys.includes(k)) {
      const other = VOCABULARY_VERSIONS.find((n) => n !== vocabulary && VOCABULARY_KEYS[n].includes(k));
      errors.push({
        pointer,
        detail:
          `'${k}' is not a category of vocabulary ${vocabulary} (${keys.join(", ")})` +
          (other ? `; it belongs to vocabulary ${other}: set "vocabulary": ${other}` : ""),
      });
    } else if (v !== "y" && v !== "n") {
      errors.push({ pointer, detail: `preference for '${k}' must be "y" or "n", got ${JSON.stringify(v)}` });
    }
  }
  return errors;
}

/** Every category unknown: the answer when nothing is stated. */
export function unknownPreferences(): ResolvedPreferences {
  return { "train-ai": "unknown", "draft-ai-use": "unknown", search: "unknown" };
}

/** One declaration's preferences in the current vocabulary: the one mapping every answer uses. */
export function toCurrent(vocabulary: VocabularyVersion, stated: StatedPreferences): ResolvedPreferences {
  const out = unknownPreferences();
  if (vocabulary === 2) {
    for (const c of CATEGORIES) {
      const v = stated[c];
      if (v === "y" || v === "n") out[c] = v;
    }
    return out;
  }
  for (const c of CATEGORIES) {
    // -02 §7: the key's own value, else its parent's, recursively.
    for (let k: V1Key | null = FROM_V1[c]; k !== null; k = V1_PARENT[k]) {
      const v = stated[k];
      if (v === "y" || v === "n") {
        out[c] = v;
        break;
      }
    }
  }
  return out;
}

/** Per category, any `n` wins, then any `y`, else unknown (-07 §5.1): the most restrictive applies. */
export function combinePreferences(list: readonly ResolvedPreferences[]): ResolvedPreferences {
  const out = unknownPreferences();
  for (const c of CATEGORIES) {
    for (const p of list) {
      if (p[c] === "n") {
        out[c] = "n";
        break;
      }
      if (p[c] === "y") out[c] = "y";
    }
  }
  return out;
}

/**
 * The `Content-Usage` value (an RFC 9651 dictionary of tokens, -07 §6) for `resolved`: every
 * category with a settled token and a known outcome, in CATEGORIES order. Unknown outcomes are
 * left out, which a reader takes as unknown (-07 §6.5). An empty string states nothing.
 */
export function contentUsageHeader(resolved: ResolvedPreferences): string {
  const parts: string[] = [];
  for (const c of CATEGORIES) {
    const token = CATEGORY_INFO[c].token;
    if (token !== null && resolved[c] !== "unknown") parts.push(`${token}=${resolved[c]}`);
  }
  return parts.join(", ");
}

/** The outcome for one use as a crawler's verdict. */
export type Verdict = "disallowed" | "allowed" | "unknown";
export function verdictFor(resolved: ResolvedPreferences, use: Category): Verdict {
  const o = resolved[use];
  return o === "n" ? "disallowed" : o === "y" ? "allowed" : "unknown";
}

/** Whether AI training is refused (the `opted_out` of answers, Spawning's `optOut`). */
export function isOptedOut(resolved: ResolvedPreferences): boolean {
  return resolved["train-ai"] === "n";
}

/** Whether AI training is explicitly allowed (Spawning's `optIn`). Never true together with isOptedOut. */
export function isOptedIn(resolved: ResolvedPreferences): boolean {
  return resolved["train-ai"] === "y";
}

/** Whether `s` names a current category (for `--use` flags and query parameters). */
export function isCategory(s: string): s is Category {
  return (CATEGORIES as readonly string[]).includes(s);
}
