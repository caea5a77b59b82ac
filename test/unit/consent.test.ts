import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { effectivePreferences, type CitedPreferences } from "../../src/domain/consent";
import { CATEGORIES, combinePreferences, contentUsageHeader, isOptedIn, isOptedOut, toCurrent, unknownPreferences, V1_KEYS, type StatedPreferences } from "../../src/domain/preferences";

const verified = (preferences: StatedPreferences, vocabulary = 1): CitedPreferences => ({ vocabulary, preferences, verification: "domain-verified" });
const claimed = (preferences: StatedPreferences, vocabulary = 1): CitedPreferences => ({ vocabulary, preferences, verification: "self-asserted" });

const yn = fc.constantFrom<"y" | "n">("y", "n");
const arbV1 = fc.record(Object.fromEntries(V1_KEYS.map((k) => [k, yn])) as Record<(typeof V1_KEYS)[number], fc.Arbitrary<"y" | "n">>, { requiredKeys: [] });
const arbV2 = fc.record(Object.fromEntries(CATEGORIES.map((k) => [k, yn])) as Record<(typeof CATEGORIES)[number], fc.Arbitrary<"y" | "n">>, { requiredKeys: [] });
const arbCited: fc.Arbitrary<CitedPreferences> = fc.oneof(
  fc.record({ vocabulary: fc.constant(1), preferences: arbV1, verification: fc.constantFrom<CitedPreferences["verification"]>("domain-verified", "self-asserted") }),
  fc.record({ vocabulary: fc.constant(2), preferences: arbV2, verification: fc.constantFrom<CitedPreferences["verification"]>("domain-verified", "self-asserted") }),
);
const current = (c: CitedPreferences) => toCurrent(c.vocabulary === 2 ? 2 : 1, c.preferences);

describe("effectivePreferences: a y is consent only from a declarant verified for the subject", () => {
  it("the attack: a stranger's all=y about victim.example allows nothing", () => {
    const p = effectivePreferences([claimed({ all: "y" })]);
    expect(p).toEqual(unknownPreferences());
    expect(isOptedIn(p)).toBe(false);
    expect(contentUsageHeader(p)).toBe("");
    expect(effectivePreferences([claimed({ "train-ai": "y" }, 2)])).toEqual(unknownPreferences());
  });

  it("the domain-verified owner's all=y allows", () => {
    const p = effectivePreferences([verified({ all: "y" })]);
    expect(isOptedIn(p)).toBe(true);
    expect(contentUsageHeader(p)).toBe("train-ai=y, search=y");
  });

  it("an unverified reservation still counts, and its own y does not become n", () => {
    const p = effectivePreferences([claimed({ all: "n", search: "y" })]);
    expect(p).toEqual({ "train-ai": "n", "draft-ai-use": "n", search: "unknown" });
    expect(isOptedOut(p)).toBe(true);
    expect(contentUsageHeader(p)).toBe("train-ai=n");
  });

  it("anyone's n beats the owner's y; the owner's y stands beside a stranger's y", () => {
    expect(effectivePreferences([verified({ "train-ai": "y" }, 2), claimed({ "train-ai": "n" }, 2)])["train-ai"]).toBe("n");
    expect(effectivePreferences([verified({ "train-ai": "y" }, 2), claimed({ "train-ai": "y" }, 2)])["train-ai"]).toBe("y");
    expect(effectivePreferences([claimed({ search: "y" }, 2), claimed({ "train-ai": "n" }, 2)])).toEqual({ "train-ai": "n", "draft-ai-use": "unknown", search: "unknown" });
  });

  it("nothing cited: everything unknown", () => {
    expect(effectivePreferences([])).toEqual(unknownPreferences());
  });

  it("properties: verified citations combine as AIPREF says; no unverified y ever shows; every n survives", () => {
    fc.assert(
      fc.property(fc.array(arbCited, { maxLength: 6 }), (cited) => {
        const p = effectivePreferences(cited);
        const all = combinePreferences(cited.map(current));
        const onlyVerified = combinePreferences(cited.filter((c) => c.verification === "domain-verified").map(current));
        for (const k of CATEGORIES) {
          // a reservation is never dropped, whoever made it
          expect(p[k] === "n").toBe(all[k] === "n");
          // a permission needs a verified declarant saying (or inheriting) y, and no n from anyone
          expect(p[k] === "y").toBe(all[k] !== "n" && onlyVerified[k] === "y");
        }
        if (cited.every((c) => c.verification === "domain-verified")) expect(p).toEqual(all);
      }),
    );
  });
});
