import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  combinePreferences,
  contentUsageHeader,
  isOptedIn,
  isOptedOut,
  parsePreferences,
  PREFERENCE_KEYS,
  PreferenceError,
  resolvePreferences,
  type Preferences,
  type ResolvedPreferences,
} from "../../src/domain/preferences";

const U = "unknown";
const resolved = (all: string, trainAi: string, genai: string, aiUse: string, search: string) =>
  ({ all, "train-ai": trainAi, "train-genai": genai, "ai-use": aiUse, search }) as ResolvedPreferences;

const arbPrefs: fc.Arbitrary<Preferences> = fc.record(
  Object.fromEntries(PREFERENCE_KEYS.map((k) => [k, fc.constantFrom<"y" | "n">("y", "n")])) as Record<
    (typeof PREFERENCE_KEYS)[number],
    fc.Arbitrary<"y" | "n">
  >,
  { requiredKeys: [] },
);

// A minimal reader of our own header output, following the draft's consulting process.
function readHeader(header: string): Preferences {
  const p: Record<string, string> = {};
  for (const item of header === "" ? [] : header.split(", ")) {
    const [k, v] = item.split("=");
    p[k!] = v!;
  }
  return p as Preferences;
}

describe("resolvePreferences", () => {
  it("leaves everything unknown when nothing is said", () => {
    expect(resolvePreferences({})).toEqual(resolved(U, U, U, U, U));
  });

  it("an n on a parent reaches every descendant that says nothing", () => {
    expect(resolvePreferences({ all: "n" })).toEqual(resolved("n", "n", "n", "n", "n"));
    expect(resolvePreferences({ "train-ai": "n" })).toEqual(resolved(U, "n", "n", U, U));
  });

  it("a y on a parent reaches descendants likewise", () => {
    expect(resolvePreferences({ all: "y" })).toEqual(resolved("y", "y", "y", "y", "y"));
  });

  it("a child's own value beats its parent's, in both directions", () => {
    expect(resolvePreferences({ all: "n", search: "y" })).toEqual(resolved("n", "n", "n", "n", "y"));
    expect(resolvePreferences({ all: "n", "train-ai": "y" })).toEqual(resolved("n", "y", "y", "n", "n"));
    expect(resolvePreferences({ "train-ai": "y", "train-genai": "n" })).toEqual(resolved(U, "y", "n", U, U));
    expect(resolvePreferences({ all: "y", "train-ai": "n", "train-genai": "y" })).toEqual(resolved("y", "n", "y", "y", "y"));
  });

  it("the SPEC example", () => {
    expect(resolvePreferences({ "train-ai": "n", "train-genai": "n", "ai-use": "y", search: "y" })).toEqual(
      resolved(U, "n", "n", "y", "y"),
    );
  });
});

describe("combinePreferences", () => {
  it("any n wins, then y, else unknown", () => {
    expect(combinePreferences([])).toEqual(resolved(U, U, U, U, U));
    expect(combinePreferences([{ all: "y" }, { "train-genai": "n" }])).toEqual(resolved("y", "y", "n", "y", "y"));
    expect(combinePreferences([{ search: "y" }, { "train-ai": "n" }])).toEqual(resolved(U, "n", "n", U, "y"));
    // Resolution happens before combining: one declarant's explicit y does not undo another's inherited n.
    expect(combinePreferences([{ all: "n" }, { "train-ai": "y" }])).toEqual(resolved("n", "n", "n", "n", "n"));
  });

  it("is commutative", () => {
    fc.assert(
      fc.property(fc.array(arbPrefs, { maxLength: 5 }), (list) => {
        expect(combinePreferences([...list].reverse())).toEqual(combinePreferences(list));
      }),
    );
  });

  it("is idempotent and associative over concatenation", () => {
    fc.assert(
      fc.property(fc.array(arbPrefs, { maxLength: 4 }), fc.array(arbPrefs, { maxLength: 4 }), (a, b) => {
        expect(combinePreferences([...a, ...a])).toEqual(combinePreferences(a));
        expect(combinePreferences([...a, ...b])).toEqual(combinePreferences([...b, ...a]));
      }),
    );
  });

  it("n dominates: adding an expression never turns an n into anything else", () => {
    fc.assert(
      fc.property(fc.array(arbPrefs, { maxLength: 4 }), arbPrefs, (list, extra) => {
        const before = combinePreferences(list);
        const after = combinePreferences([...list, extra]);
        for (const k of PREFERENCE_KEYS) {
          if (before[k] === "n") expect(after[k]).toBe("n");
          if (resolvePreferences(extra)[k] === "n") expect(after[k]).toBe("n");
          if (before[k] === "y") expect(after[k]).not.toBe(U);
        }
      }),
    );
  });

  it("a single expression combines to its own resolution", () => {
    fc.assert(
      fc.property(arbPrefs, (p) => {
        expect(combinePreferences([p])).toEqual(resolvePreferences(p));
      }),
    );
  });
});

describe("contentUsageHeader", () => {
  it("writes known categories in fixed order, leaving out what a child inherits", () => {
    expect(contentUsageHeader(resolvePreferences({ "train-ai": "n", "train-genai": "n", "ai-use": "y", search: "y" }))).toBe(
      "train-ai=n, ai-use=y, search=y",
    );
    expect(contentUsageHeader(resolvePreferences({ all: "n", search: "y" }))).toBe("all=n, search=y");
    expect(contentUsageHeader(resolvePreferences({ all: "n" }))).toBe("all=n");
    expect(contentUsageHeader(resolvePreferences({ "train-genai": "n" }))).toBe("train-genai=n");
    expect(contentUsageHeader(resolvePreferences({}))).toBe("");
  });

  it("explicit mode writes every known category", () => {
    expect(contentUsageHeader(resolvePreferences({ "train-ai": "n", search: "y" }), { explicit: true })).toBe(
      "train-ai=n, train-genai=n, search=y",
    );
  });

  it("reads back to the same preferences, collapsed or explicit", () => {
    fc.assert(
      fc.property(fc.array(arbPrefs, { maxLength: 4 }), (list) => {
        const combined = combinePreferences(list);
        expect(resolvePreferences(readHeader(contentUsageHeader(combined)))).toEqual(combined);
        expect(resolvePreferences(readHeader(contentUsageHeader(combined, { explicit: true })))).toEqual(combined);
      }),
    );
  });
});

describe("isOptedOut / isOptedIn", () => {
  it("opted out when train-ai or train-genai is n", () => {
    expect(isOptedOut(resolvePreferences({ "train-ai": "n" }))).toBe(true);
    expect(isOptedOut(resolvePreferences({ "train-genai": "n" }))).toBe(true);
    expect(isOptedOut(resolvePreferences({ all: "n" }))).toBe(true);
    expect(isOptedOut(resolvePreferences({ all: "n", "train-ai": "y" }))).toBe(false);
    expect(isOptedOut(resolvePreferences({ "ai-use": "n", search: "n" }))).toBe(false);
    expect(isOptedOut(resolvePreferences({}))).toBe(false);
  });

  it("opted in only when training is allowed throughout, and never both", () => {
    expect(isOptedIn(resolvePreferences({ "train-ai": "y" }))).toBe(true);
    expect(isOptedIn(resolvePreferences({ all: "y", "train-genai": "n" }))).toBe(false);
    expect(isOptedIn(resolvePreferences({}))).toBe(false);
    fc.assert(
      fc.property(fc.array(arbPrefs, { maxLength: 3 }), (list) => {
        const c = combinePreferences(list);
        expect(isOptedIn(c) && isOptedOut(c)).toBe(false);
      }),
    );
  });
});

describe("parsePreferences", () => {
  it("accepts vocabulary keys with y/n", () => {
    expect(parsePreferences({ "train-ai": "n", search: "y" })).toEqual({ "train-ai": "n", search: "y" });
    expect(parsePreferences({})).toEqual({});
  });

  it("rejects anything else with the member's pointer", () => {
    const cases: [unknown, string, RegExp][] = [
      [null, "", /must be an object/],
      [["train-ai"], "", /must be an object/],
      [{ "train-AI": "n" }, "/train-AI", /unknown preference category 'train-AI'/],
      [{ "tdm/mine": "n" }, "/tdm~1mine", /unknown preference category/],
      [{ "train-ai": "no" }, "/train-ai", /must be "y" or "n", got "no"/],
      [{ search: true }, "/search", /got true/],
    ];
    for (const [input, pointer, message] of cases) {
      try {
        parsePreferences(input);
        throw new Error(`accepted ${JSON.stringify(input)}`);
      } catch (e) {
        expect(e).toBeInstanceOf(PreferenceError);
        expect((e as PreferenceError).pointer).toBe(pointer);
        expect((e as PreferenceError).message).toMatch(message);
      }
    }
  });
});
