import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  CATEGORIES,
  CATEGORY_INFO,
  combinePreferences,
  contentUsageHeader,
  isOptedIn,
  isOptedOut,
  preferenceErrors,
  toCurrent,
  unknownPreferences,
  V1_KEYS,
  verdictFor,
  vocabularyOf,
  type ResolvedPreferences,
  type StatedPreferences,
} from "../../src/domain/preferences";

const U = "unknown";
const current = (trainAi: string, aiUse: string, search: string) =>
  ({ "train-ai": trainAi, "draft-ai-use": aiUse, search }) as ResolvedPreferences;

const yn = fc.constantFrom<"y" | "n">("y", "n");
const arbV1: fc.Arbitrary<StatedPreferences> = fc.record(Object.fromEntries(V1_KEYS.map((k) => [k, yn])), { requiredKeys: [] }) as fc.Arbitrary<StatedPreferences>;
const arbV2: fc.Arbitrary<StatedPreferences> = fc.record(Object.fromEntries(CATEGORIES.map((k) => [k, yn])), { requiredKeys: [] }) as fc.Arbitrary<StatedPreferences>;
const arbResolved: fc.Arbitrary<ResolvedPreferences> = fc.record({
  "train-ai": fc.constantFrom("y", "n", U),
  "draft-ai-use": fc.constantFrom("y", "n", U),
  search: fc.constantFrom("y", "n", U),
}) as fc.Arbitrary<ResolvedPreferences>;

/**
 * Vocabulary 1 as the registry answered before vocabulary 2 existed (draft -02 §7: an unstated key
 * takes its parent's value), kept here as the reference the mapping must stay faithful to.
 */
function v1Resolve(p: StatedPreferences): Record<string, string> {
  const parent: Record<string, string | null> = { all: null, "train-ai": "all", "train-genai": "train-ai", "ai-use": "all", search: "all" };
  const out: Record<string, string> = {};
  for (const k of V1_KEYS) out[k] = p[k] ?? (parent[k] === null ? U : out[parent[k]!]!);
  return out;
}
const v1OptedOut = (p: StatedPreferences) => v1Resolve(p)["train-ai"] === "n" || v1Resolve(p)["train-genai"] === "n";

describe("toCurrent: vocabulary 1 (draft -02) to the current vocabulary", () => {
  it("maps each -02 statement as documented", () => {
    const cases: [StatedPreferences, ResolvedPreferences][] = [
      [{}, current(U, U, U)],
      [{ all: "n" }, current("n", "n", "n")], // -02 all=n reserves every category
      [{ all: "y" }, current("y", "y", "y")],
      [{ "train-genai": "n" }, current("n", U, U)], // -02 generative AI training is today's train-ai
      [{ "train-ai": "n" }, current("n", U, U)], // -02 train-ai contains train-genai
      [{ "train-ai": "y", "train-genai": "n" }, current("n", U, U)],
      [{ "train-ai": "n", "train-genai": "y" }, current("y", U, U)], // the child's own value wins (-02 §7)
      [{ all: "n", search: "y" }, current("n", "n", "y")],
      [{ all: "n", "train-ai": "y" }, current("y", "n", "n")],
      [{ "ai-use": "n" }, current(U, "n", U)],
      // The SPEC.md example.
      [{ "train-ai": "n", "train-genai": "n", "ai-use": "y", search: "y" }, current("n", "y", "y")],
    ];
    for (const [stated, expected] of cases) expect(toCurrent(1, stated), JSON.stringify(stated)).toEqual(expected);
  });

  it("the keys both vocabularies share mean the same in either", () => {
    const shared = fc.record({ "train-ai": yn, search: yn }, { requiredKeys: [] }) as fc.Arbitrary<StatedPreferences>;
    fc.assert(
      fc.property(shared, (p) => {
        expect(toCurrent(1, p)).toEqual(toCurrent(2, p));
      }),
    );
  });

  it("keeps opted_out for every -02 statement except one whose train-genai=y overrides train-ai=n", () => {
    fc.assert(
      fc.property(arbV1, (p) => {
        const r = v1Resolve(p);
        const contradicts = r["train-ai"] === "n" && r["train-genai"] === "y";
        if (!contradicts) expect(isOptedOut(toCurrent(1, p))).toBe(v1OptedOut(p));
        else expect(isOptedOut(toCurrent(1, p))).toBe(false); // generative training allowed; other training has no category today
      }),
    );
  });

  it("an -02 n never maps to an allow: adding an n only restricts", () => {
    fc.assert(
      fc.property(arbV1, fc.constantFrom(...V1_KEYS), (p, key) => {
        if (p[key] !== undefined) return;
        const before = toCurrent(1, p);
        const after = toCurrent(1, { ...p, [key]: "n" });
        for (const c of CATEGORIES) if (before[c] === "n") expect(after[c]).toBe("n");
      }),
    );
  });

  it("vocabulary 2 is flat: each category is what it says, nothing inherits", () => {
    expect(toCurrent(2, { "train-ai": "n" })).toEqual(current("n", U, U));
    expect(toCurrent(2, { "draft-ai-use": "n", search: "y" })).toEqual(current(U, "n", "y"));
    fc.assert(
      fc.property(arbV2, (p) => {
        for (const c of CATEGORIES) expect(toCurrent(2, p)[c]).toBe(p[c] ?? U);
      }),
    );
  });

  it("reads the vocabulary member, absent meaning 1", () => {
    expect(vocabularyOf({})).toBe(1);
    expect(vocabularyOf({ vocabulary: 1 })).toBe(1);
    expect(vocabularyOf({ vocabulary: 2 })).toBe(2);
  });
});

describe("combinePreferences (draft -07 §5.1)", () => {
  it("any n wins, then y, else unknown", () => {
    expect(combinePreferences([])).toEqual(unknownPreferences());
    expect(combinePreferences([current("y", U, "y"), current("n", U, U)])).toEqual(current("n", U, "y"));
    expect(combinePreferences([current(U, "y", U), current(U, U, U)])).toEqual(current(U, "y", U));
    // Mapping happens before combining: one declarant's explicit y does not undo another's inherited n.
    expect(combinePreferences([toCurrent(1, { all: "n" }), toCurrent(2, { "train-ai": "y" })])).toEqual(current("n", "n", "n"));
  });

  it("is commutative, idempotent and associative", () => {
    fc.assert(
      fc.property(fc.array(arbResolved, { maxLength: 5 }), fc.array(arbResolved, { maxLength: 4 }), (a, b) => {
        expect(combinePreferences([...a].reverse())).toEqual(combinePreferences(a));
        expect(combinePreferences([...a, ...a])).toEqual(combinePreferences(a));
        expect(combinePreferences([combinePreferences(a), combinePreferences(b)])).toEqual(combinePreferences([...a, ...b]));
      }),
    );
  });

  it("n dominates and a single statement combines to itself", () => {
    fc.assert(
      fc.property(fc.array(arbResolved, { maxLength: 4 }), arbResolved, (list, extra) => {
        const after = combinePreferences([...list, extra]);
        for (const c of CATEGORIES) {
          if (extra[c] === "n" || combinePreferences(list)[c] === "n") expect(after[c]).toBe("n");
          if (extra[c] === "y") expect(after[c]).not.toBe(U);
        }
        expect(combinePreferences([extra])).toEqual(extra);
      }),
    );
  });
});

describe("contentUsageHeader", () => {
  it("writes the settled tokens with known outcomes, in order; the draft category never", () => {
    expect(contentUsageHeader(current("n", "y", "y"))).toBe("train-ai=n, search=y");
    expect(contentUsageHeader(current(U, "n", "n"))).toBe("search=n");
    expect(contentUsageHeader(current(U, "n", U))).toBe("");
    expect(contentUsageHeader(unknownPreferences())).toBe("");
    expect(CATEGORY_INFO["draft-ai-use"].token).toBeNull();
  });
});

describe("verdicts and Spawning's fields", () => {
  it("verdictFor names the outcome of one use", () => {
    expect(verdictFor(current("n", "y", U), "train-ai")).toBe("disallowed");
    expect(verdictFor(current("n", "y", U), "draft-ai-use")).toBe("allowed");
    expect(verdictFor(current("n", "y", U), "search")).toBe("unknown");
  });

  it("opted out when train-ai is n, opted in when it is y, never both", () => {
    expect(isOptedOut(current("n", U, U))).toBe(true);
    expect(isOptedOut(current(U, "n", "n"))).toBe(false);
    expect(isOptedIn(current("y", "n", U))).toBe(true);
    fc.assert(
      fc.property(arbResolved, (r) => {
        expect(isOptedIn(r) && isOptedOut(r)).toBe(false);
      }),
    );
  });
});

describe("preferenceErrors", () => {
  it("accepts each vocabulary's keys with y/n", () => {
    expect(preferenceErrors(1, { all: "n", "train-genai": "y", "ai-use": "n", search: "y", "train-ai": "n" })).toEqual([]);
    expect(preferenceErrors(2, { "train-ai": "n", "draft-ai-use": "y", search: "n" })).toEqual([]);
    expect(preferenceErrors(2, {})).toEqual([]);
  });

  it("names every bad member, and the vocabulary a misplaced key belongs to", () => {
    expect(preferenceErrors(2, { "train-genai": "n", all: "n", search: "no", "tdm/mine": "n" })).toEqual([
      { pointer: "/train-genai", detail: expect.stringMatching(/not a category of vocabulary 2 .*belongs to vocabulary 1: set "vocabulary": 1/) },
      { pointer: "/all", detail: expect.stringMatching(/vocabulary 1/) },
      { pointer: "/search", detail: 'preference for \'search\' must be "y" or "n", got "no"' },
      { pointer: "/tdm~1mine", detail: expect.stringMatching(/^'tdm\/mine' is not a category of vocabulary 2 \(train-ai, draft-ai-use, search\)$/) },
    ]);
    expect(preferenceErrors(1, { "draft-ai-use": "n" })[0]!.detail).toMatch(/belongs to vocabulary 2/);
    expect(preferenceErrors(1, null)).toEqual([{ pointer: "", detail: "preferences must be an object" }]);
    expect(preferenceErrors(1, ["train-ai"])).toEqual([{ pointer: "", detail: "preferences must be an object" }]);
  });
});
