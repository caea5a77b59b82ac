/**
 * The AI usage preference vocabulary (IETF AIPREF, draft-ietf-aipref-vocab, with the `ai-use`
 * category that Liccium's TDM·AI keeps from the draft's earlier revisions):
 *
 *   all (automated processing)
 *   ├── train-ai
 *   │   └── train-genai
 *   ├── ai-use
 *   └── search
 *
 * Semantics follow the draft's "Consulting a Preference Expression" and "Combining Preferences":
 * - resolving one expression: an explicit y/n for a category is the answer; otherwise the
 *   category takes its parent's answer (recursively); otherwise it is unknown. So a parent's `n`
 *   and a parent's `y` both reach children that say nothing, and a child's own value always wins.
 * - combining several expressions, per category: any `n` wins, then any `y`, else unknown — the
 *   most restrictive preference applies.
 */

export const PREFERENCE_KEYS = ["all", "train-ai", "train-genai", "ai-use", "search"] as const;
export type PreferenceKey = (typeof PREFERENCE_KEYS)[number];
export type PreferenceValue = "y" | "n";
export type Preferences = Partial<Record<PreferenceKey, PreferenceValue>>;
export type ResolvedValue = PreferenceValue | "unknown";
export type ResolvedPreferences = Record<PreferenceKey, ResolvedValue>;

export const PREFERENCE_PARENT: Readonly<Record<PreferenceKey, PreferenceKey | null>> = {
  all: null,
  "train-ai": "all",
  "train-genai": "train-ai",
  "ai-use": "all",
  search: "all",
};

export class PreferenceError extends Error {
  /** JSON pointer relative to the preferences object ("" for the object itself, "/train-ai", …). */
  readonly pointer: string;
  constructor(pointer: string, message: string) {
    super(message);
    this.name = "PreferenceError";
    this.pointer = pointer;
  }
}

function isKey(k: string): k is PreferenceKey {
  return (PREFERENCE_KEYS as readonly string[]).includes(k);
}

/**
 * Validates the `preferences` member of a declaration. Stricter than the draft's header parsing
 * (which ignores what it does not understand) because a declaration is a signed record: an
 * unknown key or a "no" instead of "n" is a mistake the declarant should hear about, not a
 * preference silently dropped. An empty object is valid and expresses nothing.
 */
export function parsePreferences(value: unknown): Preferences {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PreferenceError("", "preferences must be an object");
  }
  const out: Preferences = {};
  for (const [k, v] of Object.entries(value)) {
    const pointer = "/" + k.replace(/~/g, "~0").replace(/\//g, "~1");
    if (!isKey(k)) {
      throw new PreferenceError(pointer, `unknown preference category '${k}' (expected one of ${PREFERENCE_KEYS.join(", ")})`);
    }
    if (v !== "y" && v !== "n") {
      throw new PreferenceError(pointer, `preference for '${k}' must be "y" or "n", got ${JSON.stringify(v)}`);
    }
    out[k] = v;
  }
  return out;
}

/** The answer for every category of one expression (the draft's consulting process). */
export function resolvePreferences(p: Preferences): ResolvedPreferences {
  const resolved = {} as ResolvedPreferences;
  // PREFERENCE_KEYS lists every parent before its children, so parents are already resolved.
  for (const key of PREFERENCE_KEYS) {
    const own = p[key];
    const parent = PREFERENCE_PARENT[key];
    resolved[key] = own === "y" || own === "n" ? own : parent === null ? "unknown" : resolved[parent];
  }
  return resolved;
}

/** Resolves each expression, then combines per category: any `n`, else any `y`, else unknown. */
export function combinePreferences(list: readonly Preferences[]): ResolvedPreferences {
  const resolvedList = list.map(resolvePreferences);
  const combined = {} as ResolvedPreferences;
  for (const key of PREFERENCE_KEYS) {
    const values = resolvedList.map((r) => r[key]);
    combined[key] = values.includes("n") ? "n" : values.includes("y") ? "y" : "unknown";
  }
  return combined;
}

/**
 * The `Content-Usage` header value (an RFC 9651 dictionary of tokens) that expresses `resolved`.
 * Categories are written in PREFERENCE_KEYS order. By default a category whose value equals its
 * parent's is left out, since a consumer following the draft infers it from the parent
 * ("train-ai=n" already means train-genai=n); this is lossless because a known parent always
 * has a known child after resolution. `{ explicit: true }` writes every known category.
 * Unknown categories are never written. An empty string means no preference at all.
 */
export function contentUsageHeader(resolved: ResolvedPreferences, opts?: { explicit?: boolean }): string {
  const parts: string[] = [];
  for (const key of PREFERENCE_KEYS) {
    const value = resolved[key];
    if (value === "unknown") continue;
    const parent = PREFERENCE_PARENT[key];
    if (!opts?.explicit && parent !== null && resolved[parent] === value) continue;
    parts.push(`${key}=${value}`);
  }
  return parts.join(", ");
}

/**
 * Whether the resolved preferences refuse AI training, as the Spawning-compatible endpoint reports
 * it: train-ai or train-genai is `n` (either disallows some training the caller may intend).
 */
export function isOptedOut(resolved: ResolvedPreferences): boolean {
  return resolved["train-ai"] === "n" || resolved["train-genai"] === "n";
}

/**
 * Whether the resolved preferences explicitly allow AI training (Spawning's `optIn`): both
 * train-ai and train-genai are `y`. Never true together with isOptedOut.
 */
export function isOptedIn(resolved: ResolvedPreferences): boolean {
  return resolved["train-ai"] === "y" && resolved["train-genai"] === "y";
}
