import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseTdmRepFile, reservationFor, reservationPreferences, readReservation, serializeTdmRepFile, TdmRepError, tdmRuleFor, type TdmRule } from "../../src/dialects/tdmrep";
import { parseTdmAi, serializeTdmAi, TdmAiError, tdmAiPreferences, type TdmAiDeclaration } from "../../src/dialects/tdm-ai";
import { aiTxtPreferencesFor, parseAiTxt, serializeAiTxt } from "../../src/dialects/ai-txt";
import { toCurrent } from "../../src/domain/preferences";

const at = (path: string) => new URL("https://provider.com" + path);

describe("TDMRep (W3C CG Final Report, 10 May 2024)", () => {
  it("§TDM File on the Origin Server, first example: one rule for every file", () => {
    const rules = parseTdmRepFile('[\n  {\n  "location": "/",\n  "tdm-reservation": 1\n  }\n]');
    expect(tdmRuleFor(rules, at("/anything/x.pdf"))).toEqual({ location: "/", reservation: 1 });
    expect(reservationPreferences(1)).toEqual({ "train-ai": "n", "draft-ai-use": "n", search: "n" });
  });

  it("§TDM File on the Origin Server, second example: three groups of files", () => {
    const rules = parseTdmRepFile(`[
      { "location": "/directory-a/", "tdm-reservation": 1 },
      { "location": "/directory-b/html/", "tdm-reservation": 1, "tdm-policy":"https://provider.com/policies/policy.json" },
      { "location": "/directory-b/images/*.jpg", "tdm-reservation": 0 }
    ]`);
    expect(tdmRuleFor(rules, at("/directory-a/doc.pdf"))!.reservation).toBe(1);
    expect(tdmRuleFor(rules, at("/directory-b/html/p.html"))!.policy).toBe("https://provider.com/policies/policy.json");
    expect(tdmRuleFor(rules, at("/directory-b/images/cat.jpg"))!.reservation).toBe(0);
    expect(tdmRuleFor(rules, at("/directory-b/images/cat.png"))).toBeNull();
    expect(tdmRuleFor(rules, at("/elsewhere"))).toBeNull();
  });

  it("the most specific match is the first in sequence; matching is case sensitive", () => {
    const rules = parseTdmRepFile('[{"location":"/a/","tdm-reservation":0},{"location":"/a/b/","tdm-reservation":1}]');
    expect(tdmRuleFor(rules, at("/a/b/c"))!.reservation).toBe(0);
    expect(tdmRuleFor(rules, at("/A/b/c"))).toBeNull();
  });

  it("§tdm-reservation: any value but 1 or 0 is a protocol error and leaves it unset", () => {
    const rules = parseTdmRepFile('[{"location":"/","tdm-reservation":"yes"}]');
    expect(rules[0]).toEqual({ location: "/", reservation: null, invalid: "yes" });
    expect(reservationPreferences(null)).toEqual({ "train-ai": "unknown", "draft-ai-use": "unknown", search: "unknown" });
    expect(readReservation(" 1 ")).toBe(1);
    expect(readReservation("2")).toBeNull();
  });

  it("refuses a file that is not an array of rules", () => {
    for (const bad of ['{"location":"/","tdm-reservation":1}', "[1]", '[{"tdm-reservation":1}]', '[{"location":"/"}]', "not json"]) {
      expect(() => parseTdmRepFile(bad), bad).toThrow(TdmRepError);
    }
  });

  it("publishes 1 for reserved training, 0 only when everything is allowed", () => {
    expect(reservationFor({ "train-ai": "n", "draft-ai-use": "unknown", search: "y" })).toBe(1);
    expect(reservationFor({ "train-ai": "y", "draft-ai-use": "y", search: "y" })).toBe(0);
    expect(reservationFor({ "train-ai": "y", "draft-ai-use": "unknown", search: "y" })).toBeNull();
  });

  it("round-trips", () => {
    const rule: fc.Arbitrary<TdmRule> = fc.record(
      { location: fc.stringMatching(/^\/[a-z*/.]{0,8}\$?$/), reservation: fc.constantFrom<1 | 0>(1, 0), policy: fc.stringMatching(/^https:\/\/[a-z]{1,8}\.example\/[a-z]{0,6}$/) },
      { requiredKeys: ["location", "reservation"] },
    );
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 5 }), (rules) => {
        expect(parseTdmRepFile(serializeTdmRepFile(rules))).toEqual(rules);
      }),
    );
  });
});

describe("TDM·AI (docs.tdmai.org)", () => {
  const iscc = "ISCC:EXAMPLE5QH7FTV7N5YVD5UMF4TUKFFGDGCOI4UDFKE4FNPW6C3L7J2Y";

  it("reads the -02 keys as vocabulary 1: all=false reserves every category", () => {
    const d = parseTdmAi(JSON.stringify({ version: "1.0", iscc, intent: "activate", all: "false" }));
    expect(tdmAiPreferences(d)).toEqual(toCurrent(1, { all: "n" }));
    expect(tdmAiPreferences(d)).toEqual({ "train-ai": "n", "draft-ai-use": "n", search: "n" });
    const genai = parseTdmAi(JSON.stringify({ version: "1.0", iscc, intent: "activate", "train-genai": "false", search: "true" }));
    expect(tdmAiPreferences(genai)).toEqual({ "train-ai": "n", "draft-ai-use": "unknown", search: "y" });
  });

  it("the TDMRep binding's examples (2025-11-04)", () => {
    expect(tdmAiPreferences(parseTdmAi(JSON.stringify({ iscc, "tdm-reservation": 1 })))["train-ai"]).toBe("n");
    const withPolicy = parseTdmAi(JSON.stringify({ iscc, "tdm-reservation": 1, "tdm-policy": "https://example.com/tdm-policy" }));
    expect(withPolicy).toEqual({ form: "tdmrep", iscc, reservation: 1, policy: "https://example.com/tdm-policy" });
    expect(tdmAiPreferences(parseTdmAi(JSON.stringify({ iscc, "tdm-reservation": 0 })))["search"]).toBe("y");
  });

  it("refuses what the schema refuses", () => {
    for (const bad of [
      { version: "1.0", iscc, intent: "activate", "train-ai": false },
      { version: "1.0", iscc, intent: "activate", extra: 1 },
      { version: "2.0", iscc, intent: "activate" },
      { version: "1.0", iscc, intent: "revoke" },
      { version: "1.0", intent: "activate" },
      { iscc, "tdm-reservation": "1" },
    ]) {
      expect(() => parseTdmAi(JSON.stringify(bad)), JSON.stringify(bad)).toThrow(TdmAiError);
    }
  });

  it("round-trips", () => {
    const yn = fc.constantFrom<"y" | "n">("y", "n");
    const aipref = fc.record({
      form: fc.constant("aipref" as const),
      iscc: fc.constant(iscc),
      intent: fc.constantFrom("activate" as const, "update" as const, "supersede" as const),
      preferences: fc.record({ all: yn, "train-ai": yn, "train-genai": yn, "ai-use": yn, search: yn }, { requiredKeys: [] }),
    });
    fc.assert(
      fc.property(aipref, (d) => {
        expect(parseTdmAi(serializeTdmAi(d as TdmAiDeclaration))).toEqual(d);
      }),
    );
  });
});

describe("ai.txt (Spawning)", () => {
  const file = parseAiTxt(`# Spawning AI
# Prevent datasets from using the following file types
User-Agent: *
Disallow: *.jpg
Disallow: *.png
Allow: /blog/

User-Agent: friendlybot
Allow: /
`);

  it("Disallow reserves training, Allow permits it, nothing matching says nothing", () => {
    expect(aiTxtPreferencesFor(file, new URL("https://x.example/art/a.jpg"), "crawler")).toEqual({
      preferences: { "train-ai": "n", "draft-ai-use": "unknown", search: "unknown" },
      rule: "Disallow: *.jpg",
    });
    expect(aiTxtPreferencesFor(file, new URL("https://x.example/blog/post"), "crawler").preferences["train-ai"]).toBe("y");
    expect(aiTxtPreferencesFor(file, new URL("https://x.example/about"), "crawler").rule).toBeNull();
    expect(aiTxtPreferencesFor(file, new URL("https://x.example/art/a.jpg"), "FriendlyBot").preferences["train-ai"]).toBe("y");
  });

  it("round-trips its groups", () => {
    expect(parseAiTxt(serializeAiTxt(file)).groups).toEqual(file.groups);
  });
});
