import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readContentUsage, writeContentUsage } from "../../src/dialects/content-usage";
import { readContentSignal, writeContentSignal } from "../../src/dialects/content-signal";
import { unknownPreferences, type ResolvedPreferences } from "../../src/domain/preferences";

const U = "unknown";
const prefs = (trainAi: string, aiUse: string, search: string) => ({ "train-ai": trainAi, "draft-ai-use": aiUse, search }) as ResolvedPreferences;
const outcome = fc.constantFrom<"y" | "n" | "unknown">("y", "n", "unknown");
const arbPrefs = fc.record({ "train-ai": outcome, "draft-ai-use": outcome, search: outcome });

describe("Content-Usage statements (draft-ietf-aipref-vocab-07 §6)", () => {
  it("§6: train-ai=y, search=n allows training, disallows search, leaves the rest unknown", () => {
    expect(readContentUsage("train-ai=y, search=n").preferences).toEqual(prefs("y", U, "n"));
  });

  it("§6.5.1: a duplicated key keeps only its last value; non-Token values are unknown", () => {
    expect(readContentUsage('train-ai=y, train-ai, search=n, search="n"').preferences).toEqual(prefs(U, U, U));
  });

  it("§6.5.1: a dictionary that does not parse (an upper-case key) states nothing", () => {
    const r = readContentUsage("Train-AI=n");
    expect(r.ok).toBe(false);
    expect(r.preferences).toEqual(unknownPreferences());
  });

  it("§6.5.2: parameters are disregarded; only the selected value's apply", () => {
    expect(readContentUsage("train-ai;allow=n, train-ai=y").preferences["train-ai"]).toBe("y");
    // The draft's last example ends in ';', which RFC 9651 does not parse: unknown either way.
    expect(readContentUsage('train-ai;has;parameters="?";').preferences["train-ai"]).toBe(U);
    expect(readContentUsage('train-ai;has;parameters="?"').preferences["train-ai"]).toBe(U);
  });

  it("§6.4: unknown labels are ignored and reported; -08's ai-use fills the draft category", () => {
    const r = readContentUsage("all=n, train-genai=n, ai-use=n, tdm=y");
    expect(r.preferences).toEqual(prefs(U, "n", U));
    expect(r.ok && r.ignored).toEqual(["all", "train-genai", "tdm"]);
    expect(readContentUsage("train-ai=yes, search=N").preferences).toEqual(prefs(U, U, U));
  });

  it("attach-05 §1.2: the header example", () => {
    expect(readContentUsage("train-ai=n").preferences).toEqual(prefs("n", U, U));
  });

  it("writes what it reads, for every statement without the unsettled draft category", () => {
    fc.assert(
      fc.property(arbPrefs, (p) => {
        const settled = { ...p, "draft-ai-use": U } as ResolvedPreferences;
        expect(readContentUsage(writeContentUsage(settled)).preferences).toEqual(settled);
      }),
    );
  });
});

describe("Content-Signal (contentsignals.org)", () => {
  it("reads the policy's example and Cloudflare's managed line", () => {
    expect(readContentSignal("search=yes, ai-input=no, ai-train=no").preferences).toEqual(prefs("n", "n", "y"));
    const managed = readContentSignal("search=yes,ai-train=no,use=reference");
    expect(managed.preferences).toEqual(prefs("n", U, "y"));
    expect(managed.ok && managed.use).toBe("reference");
  });

  it("a signal left out grants nor restricts; bad values and unknown keys are reported, not guessed", () => {
    const r = readContentSignal("ai-train=maybe, ai-speak=no");
    expect(r.preferences).toEqual(prefs(U, U, U));
    expect(r.ok && [r.invalid, r.ignored]).toEqual([["ai-train"], ["ai-speak"]]);
    expect(readContentSignal("ai-train=no search=yes").ok).toBe(false);
  });

  it("round-trips", () => {
    fc.assert(
      fc.property(arbPrefs, (p) => {
        expect(readContentSignal(writeContentSignal(p as ResolvedPreferences)).preferences).toEqual(p);
      }),
    );
  });
});
