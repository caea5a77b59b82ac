import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { pathPreferences, publishAiTxt, publishRobotsBlock, publishRsl, publishTdmRep, rulePath, type PublishedRule } from "../../src/dialects/publish";
import { readContentSignal } from "../../src/dialects/content-signal";
import { readContentUsage } from "../../src/dialects/content-usage";
import { aiTxtPreferencesFor, parseAiTxt } from "../../src/dialects/ai-txt";
import { matchTarget, parseRobotsTxt, preferenceRulesFor, rulesFor } from "../../src/dialects/robots-txt";
import { parseRsl, rslPreferencesFor } from "../../src/dialects/rsl";
import { parseTdmRepFile, tdmRuleFor } from "../../src/dialects/tdmrep";
import { dialectsFor } from "../../src/dialects/dialect-map";
import { combinePreferences, type ResolvedPreferences } from "../../src/domain/preferences";

const U = "unknown";
const p = (trainAi: string, aiUse: string, search: string) => ({ "train-ai": trainAi, "draft-ai-use": aiUse, search }) as ResolvedPreferences;
const ctx = { host: "ex.example", declarant: "z6MkDeclarant", registry: "registry.test" };

describe("rule paths", () => {
  it("exact, prefix and whole-host patterns become robots.txt paths on their own host only", () => {
    expect(rulePath({ kind: "exact", pattern: "https://ex.example/a.jpg" }, "ex.example")).toBe("/a.jpg$");
    expect(rulePath({ kind: "prefix", pattern: "https://ex.example/art/*" }, "ex.example")).toBe("/art/");
    expect(rulePath({ kind: "prefix", pattern: "https://ex.example/*" }, "ex.example")).toBe("/");
    expect(rulePath({ kind: "host", pattern: "https://*.ex.example/*" }, "www.ex.example")).toBe("/");
    expect(rulePath({ kind: "prefix", pattern: "https://ex.example:8443/a*" }, "ex.example:8443")).toBe("/a");
    expect(rulePath({ kind: "prefix", pattern: "https://ex.example:8443/a*" }, "ex.example")).toBeNull();
    expect(rulePath({ kind: "exact", pattern: "https://other.example/a" }, "ex.example")).toBeNull();
  });

  it("combines declarations on one path; most specific first", () => {
    const rules: PublishedRule[] = [
      { id: "A", kind: "prefix", pattern: "https://ex.example/*", preferences: p("n", U, "y") },
      { id: "B", kind: "prefix", pattern: "https://ex.example/art/*", preferences: p("y", U, U), policy: "https://ex.example/terms" },
      { id: "C", kind: "prefix", pattern: "https://ex.example/art/*", preferences: p("n", "n", U) },
    ];
    // /art/ is also covered by the whole-site rule A, as the registry's lookup would combine them.
    expect(pathPreferences(rules, "ex.example")).toEqual([
      { path: "/art/", preferences: p("n", "n", "y"), ids: ["B", "C"], policy: "https://ex.example/terms" },
      { path: "/", preferences: p("n", U, "y"), ids: ["A"] },
    ]);
  });
});

const outcome = fc.constantFrom<"y" | "n" | "unknown">("y", "n", "unknown");
const prefs = fc.record({ "train-ai": outcome, "draft-ai-use": outcome, search: outcome }) as fc.Arbitrary<ResolvedPreferences>;
const rule: fc.Arbitrary<PublishedRule> = fc.record({
  id: fc.constantFrom("A", "B", "C"),
  kind: fc.constant("prefix" as const),
  pattern: fc.constantFrom("https://ex.example/*", "https://ex.example/art/*", "https://ex.example/art/2024/*", "https://ex.example/blog/*"),
  preferences: prefs,
});
const urls = ["/", "/art/", "/art/x.jpg", "/art/2024/a", "/blog/p", "/other"].map((path) => new URL("https://ex.example" + path));

describe("every published file reads back, with its dialect's reader, to what the declarations say", () => {
  it("robots.txt Content-Usage (settled tokens) and Content-Signal (every category) answer as the registry's lookup", () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 5 }), (rules) => {
        const robots = parseRobotsTxt(publishRobotsBlock(pathPreferences(rules, "ex.example"), ctx));
        for (const url of urls) {
          // What the registry answers: every declaration covering the URL, combined.
          const expected = combinePreferences(rules.filter((r) => url.href.startsWith(r.pattern.slice(0, -1))).map((r) => r.preferences));
          const group = rulesFor(robots, "anybot");
          const usage = combinePreferences(preferenceRulesFor(group, matchTarget(url), "content-usage").map((r) => readContentUsage(r.statement).preferences));
          const signal = combinePreferences(preferenceRulesFor(group, matchTarget(url), "content-signal").map((r) => readContentSignal(r.statement).preferences));
          expect(signal).toEqual(expected);
          expect(usage).toEqual({ ...expected, "draft-ai-use": U });
        }
      }),
    );
  });

  it("tdmrep.json, ai.txt and RSL, where each can say it", () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 5 }), (rules) => {
        const paths = pathPreferences(rules, "ex.example");
        const tdm = parseTdmRepFile(publishTdmRep(paths));
        const ai = parseAiTxt(publishAiTxt(paths));
        const rsl = parseRsl(publishRsl(paths));
        for (const url of urls) {
          const here = { preferences: combinePreferences(rules.filter((r) => url.href.startsWith(r.pattern.slice(0, -1))).map((r) => r.preferences)) };
          const t = tdmRuleFor(tdm, url);
          if (here && here.preferences["train-ai"] === "n") expect(t?.reservation).toBe(1);
          const a = aiTxtPreferencesFor(ai, url, "anybot").preferences["train-ai"];
          if (here && here.preferences["train-ai"] !== U) expect(a).toBe(here.preferences["train-ai"]);
          const r = rslPreferencesFor(rsl, url).preferences;
          if (here) for (const c of ["train-ai", "draft-ai-use", "search"] as const) if (here.preferences[c] === "n") expect(r[c]).toBe("n");
        }
      }),
    );
  });

  it("the robots.txt block says where it came from", () => {
    const out = publishRobotsBlock(pathPreferences([{ id: "ISCC:MAIX", kind: "prefix", pattern: "https://ex.example/art/*", preferences: p("n", "n", "y") }], "ex.example"), ctx);
    expect(out).toBe(
      "# Generated by registry.test from the declarations of z6MkDeclarant for ex.example:\n#   /art/  ISCC:MAIX\n# Merge into robots.txt: crawlers combine every group for * (RFC 9309 §2.2.1).\n" +
        "User-agent: *\nContent-Usage: /art/ train-ai=n, search=y\nContent-Signal: /art/ search=yes, ai-input=no, ai-train=no\n",
    );
  });
});

describe("dialectsFor", () => {
  it("says the preferences in every dialect, null where a dialect cannot", () => {
    expect(dialectsFor(p("n", U, "y"), "https://ex.example/terms")).toEqual({
      "content-usage": "train-ai=n, search=y",
      "content-signal": "search=yes, ai-train=no",
      "tdm-reservation": 1,
      "tdm-policy": "https://ex.example/terms",
      "rsl-prohibits": ["ai-train"],
      "ai-txt": "Disallow",
      "iptc-data-mining": null,
      "cawg-training-mining": { "cawg.ai_generative_training": "notAllowed" },
    });
    expect(dialectsFor(p("n", U, U), null)["iptc-data-mining"]).toBe("http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-GENAIMLTRAINING");
    expect(dialectsFor(p(U, U, U), "x")).toMatchObject({ "tdm-reservation": null, "tdm-policy": null, "ai-txt": null, "content-usage": "" });
  });
});
