/** The web app's logic that is not DOM: batching, drafts and form checks, the catalogue and language choice. */
import { describe, expect, it } from "vitest";
import { parseDeclaration } from "../../src/domain/declaration";
import { signJson } from "../../src/domain/iscc-sig";
import { newKeyFile } from "../../src/domain/key-file";
import { CATEGORIES } from "../../src/domain/preferences";
import { batchDeclarations, REGISTRY_BATCH_LIMITS } from "../../src/web/batching";
import { checkDeclareInput, draftDeclarations, draftRevoke, draftUpdate, fieldOfPointer, type DeclareInput } from "../../src/web/declaration-drafts";
import { CATALOGUE, LOCALES, type Message } from "../../src/web/i18n/catalogue";
import { fromAcceptLanguage, negotiateLocale } from "../../src/web/i18n/negotiate";
import { translator } from "../../src/web/i18n/translate";

const FILE = { iscc: "ISCC:KECWRY3VY6R5SNV4YNBTBHR4T2HGP3HKVFO7TYUP2BKVFG724W63HVI", datahash: "1e20" + "ab".repeat(32) };
const input = (over: Partial<DeclareInput> = {}): DeclareInput => ({ files: [], urls: "", preferences: { "train-ai": "n" }, name: "", policy: "", ...over });

describe("batching", () => {
  it("keeps order and stays within the item and byte limits", () => {
    const items = Array.from({ length: 2503 }, (_, i) => ({ i, pad: "x".repeat(i % 50) }));
    const batches = batchDeclarations(items);
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 503]);
    expect(batches.flat()).toEqual(items);
    const small = batchDeclarations(items.slice(0, 40), { items: 1000, bytes: 200 });
    for (const b of small) expect(new TextEncoder().encode(JSON.stringify(b)).length).toBeLessThanOrEqual(200);
    expect(small.flat()).toEqual(items.slice(0, 40));
    expect(() => batchDeclarations([{ big: "y".repeat(300) }], { items: 10, bytes: 200 })).toThrow(RangeError);
    expect(batchDeclarations([])).toEqual([]);
    expect(REGISTRY_BATCH_LIMITS).toEqual({ items: 1000, bytes: 8 * 1024 * 1024 });
  });
});

describe("declaration drafts", () => {
  it("one declaration per file; URLs ride with a single file, stand alone with several", async () => {
    const one = draftDeclarations(input({ files: [FILE], urls: "https://example.com/a/*\n\n https://example.com/a/* ", name: " Sunset ", policy: "https://example.com/ai" }));
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ type: "OptOutDeclaration", version: 1, intent: "activate", iscc: FILE.iscc, datahash: FILE.datahash, urls: ["https://example.com/a/*"], name: "Sunset", policy: "https://example.com/ai" });
    expect(one[0]!.nonce).toMatch(/^[0-9a-f]{32}$/);
    const many = draftDeclarations(input({ files: [FILE, { ...FILE, datahash: "1e20" + "cd".repeat(32) }], urls: "https://example.com/a/*" }));
    expect(many.map((d) => [d.iscc !== undefined, d.urls])).toEqual([
      [true, undefined],
      [true, undefined],
      [false, ["https://example.com/a/*"]],
    ]);
    // Each draft has the shape and subjects the registry accepts.
    for (const d of [...one, ...many]) expect(() => parseDeclaration(structuredCloneSigned(d))).not.toThrow();
  });

  it("updates keep the subjects and supersede; revokes state nothing else", async () => {
    const { keypair } = newKeyFile();
    const previous = await signJson(draftDeclarations(input({ files: [FILE], name: "Sunset", urls: "https://example.com/x" }))[0]!, keypair);
    const id = "ISCC:MAIGMH2DFZ2GEAAB";
    const up = draftUpdate(previous, id, { "train-ai": "n", search: "y" });
    expect(up).toMatchObject({ intent: "update", supersedes: id, iscc: FILE.iscc, datahash: FILE.datahash, urls: ["https://example.com/x"], name: "Sunset", preferences: { "train-ai": "n", search: "y" } });
    expect(up.nonce).not.toBe(previous.nonce);
    const rv = draftRevoke(id);
    expect(Object.keys(rv).sort()).toEqual(["intent", "nonce", "supersedes", "timestamp", "type", "version"]);
    for (const d of [up, rv]) expect(() => parseDeclaration(structuredCloneSigned(d))).not.toThrow();
  });

  it("names every bad field before anything is signed", () => {
    expect(checkDeclareInput(input())).toEqual([{ field: "form", key: "declare.error.nosubject" }]);
    const problems = checkDeclareInput(input({ urls: "https://example.com/ok\nnot a url\n\nftp://example.com/x", preferences: {}, policy: "example.com/ai" }));
    expect(problems.map((p) => [p.field, p.key, p.vars?.line])).toEqual([
      ["urls", "declare.error.url", 2],
      ["urls", "declare.error.url", 4],
      ["prefs", "declare.error.nopref", undefined],
      ["policy", "declare.error.policy", undefined],
    ]);
    expect(checkDeclareInput(input({ files: [FILE] }))).toEqual([]);
    expect(checkDeclareInput(input({ urls: Array.from({ length: 101 }, (_, i) => `https://example.com/${i}`).join("\n") }))[0]!.field).toBe("urls");
  });

  it("maps the registry's JSON pointers to the form's fields", () => {
    expect(fieldOfPointer("/urls/3")).toBe("urls");
    expect(fieldOfPointer("/preferences/train-ai")).toBe("prefs");
    expect(fieldOfPointer("/policy")).toBe("policy");
    expect(fieldOfPointer("/2/urls/0")).toBe("urls");
    expect(fieldOfPointer("/timestamp")).toBe("form");
    expect(fieldOfPointer("")).toBe("form");
  });
});

/** A draft with a syntactically valid signature object, for the schema checks (signatures are tested elsewhere). */
function structuredCloneSigned(d: object) {
  return { ...structuredClone(d), signature: { version: "ISCC-SIG v1.0", pubkey: newKeyFile().file.pubkey, proof: "z" + "1".repeat(60) } };
}

describe("catalogue and languages", () => {
  it("every language has every message, with the same placeholders and plural forms", () => {
    const placeholders = (m: Message) => [...(typeof m === "string" ? m : m.one + m.other).matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
    const en = CATALOGUE.en as Record<string, Message>;
    for (const locale of LOCALES) {
      const msgs = CATALOGUE[locale] as Record<string, Message>;
      expect(Object.keys(msgs).sort(), locale).toEqual(Object.keys(en).sort());
      for (const [k, m] of Object.entries(msgs)) {
        expect(typeof m, `${locale} ${k}`).toBe(typeof en[k]);
        expect([...new Set(placeholders(m))], `${locale} ${k}`).toEqual([...new Set(placeholders(en[k]!))]);
      }
    }
  });

  it("labels every key of the preference vocabulary in every language", () => {
    for (const locale of LOCALES) {
      const tr = translator(locale, CATALOGUE[locale]);
      for (const key of CATEGORIES) {
        expect(tr.pref(key), `${locale} ${key}`).not.toBe(key);
        expect(tr.pref(key, "help"), `${locale} ${key}`).not.toBe("");
      }
      // A key a later vocabulary adds shows as itself until the catalogue has it.
      expect(tr.pref("future-key")).toBe("future-key");
    }
  });

  it("names the registry's trust labels in every language; a label the registry adds later shows as it is spelled", () => {
    for (const locale of LOCALES) {
      const tr = translator(locale, CATALOGUE[locale]);
      for (const label of ["domain-verified", "self-asserted", "agent-mandated", "agent-asserted"] as const)
        expect(tr.trust(label), `${locale} ${label}`).toBe(CATALOGUE[locale][`trust.${label}`]);
      expect(tr.trust("some-later-label")).toBe("some-later-label");
    }
    expect(translator("sv", CATALOGUE.sv).trust("self-asserted")).toBe("egen uppgift");
  });

  it("formats plurals, numbers and dates through Intl", () => {
    const en = translator("en", CATALOGUE.en);
    const fr = translator("fr", CATALOGUE.fr);
    const sv = translator("sv", CATALOGUE.sv);
    expect(en.t("declare.done", { n: 1 })).toBe("1 declaration registered.");
    expect(en.t("declare.done", { n: 1000 })).toBe("1,000 declarations registered.");
    expect(fr.t("declare.done", { n: 1 })).toBe("1 déclaration enregistrée.");
    expect(fr.t("declare.done", { n: 0 })).toBe("0 déclaration enregistrée."); // French: 0 is singular
    expect(fr.t("declare.done", { n: 2500 })).toMatch(/^2\u202f500 déclarations/);
    expect(sv.t("declare.done", { n: 2 })).toBe("2 förklaringar registrerade.");
    expect(sv.dateTime("2026-11-22T10:00:00.000Z")).toMatch(/2026.*10:00 UTC/);
    expect(fr.percent(0.953)).toMatch(/^95\s?%$/);
  });

  it("chooses the language: explicit choice, cookie, Accept-Language, then English", () => {
    expect(fromAcceptLanguage("sv-SE,sv;q=0.9,en-US;q=0.8")).toBe("sv");
    expect(fromAcceptLanguage("de;q=1, fr;q=0.5, en;q=0.7")).toBe("en");
    expect(fromAcceptLanguage("fr;q=0, sv;q=0.1")).toBe("sv");
    expect(fromAcceptLanguage("*")).toBeNull();
    expect(negotiateLocale({ query: "fr", cookie: "sv", acceptLanguage: "en" })).toBe("fr");
    expect(negotiateLocale({ query: "xx", cookie: "sv", acceptLanguage: "en" })).toBe("sv");
    expect(negotiateLocale({ acceptLanguage: "de" })).toBe("en");
  });
});
