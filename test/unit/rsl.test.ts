import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseRsl, rslContentFor, RslError, rslPreferencesFor, serializeRsl, type RslDocument } from "../../src/dialects/rsl";
import { attribute, childElements, parseXml, textContent, XmlError } from "../../src/dialects/xml";

const U = "unknown";
const p = (trainAi: string, aiUse: string, search: string) => ({ "train-ai": trainAi, "draft-ai-use": aiUse, search });

describe("xml", () => {
  it("reads elements, namespaces, entities, CDATA and comments", () => {
    const root = parseXml(`<?xml version="1.0"?><!-- c --><a:r xmlns:a="urn:a" xmlns="urn:d" k='v &amp; w'><b x="1"/>t&lt;&#x41;<![CDATA[<raw>]]></a:r>`);
    expect([root.local, root.ns, attribute(root, "k")]).toEqual(["r", "urn:a", "v & w"]);
    expect(childElements(root)[0]!.ns).toBe("urn:d");
    expect(textContent(root)).toBe("t<A<raw>");
  });

  it("refuses what is not well-formed, and every DOCTYPE", () => {
    for (const bad of ["<a>", "<a></b>", "<a x='1' x='2'/>", "<p:a/>", "<a>&bogus;</a>", '<!DOCTYPE a [<!ENTITY x "y">]><a/>', "<a/><b/>", "<a x=1/>"]) {
      expect(() => parseXml(bad), bad).toThrow(XmlError);
    }
  });
});

describe("RSL 1.0", () => {
  const doc = parseRsl(`<?xml version="1.0" encoding="UTF-8"?>
<rsl xmlns="https://rslstandard.org/rsl">
  <content url="/">
    <license>
      <permits type="usage">search ai-input</permits>
      <prohibits type="usage">ai-train</prohibits>
    </license>
  </content>
  <content url="/premium/*">
    <license>
      <prohibits type="usage">ai-all</prohibits>
      <payment type="subscription"/>
    </license>
  </content>
  <content url="/archive/*" server="https://license.example.com">
    <license><permits type="usage">all</permits></license>
  </content>
  <content url="https://other.example/free/">
    <license><payment type="free"/></license>
  </content>
</rsl>`);
  const at = (u: string) => rslPreferencesFor(doc, new URL(u));

  it("a closed permits list, a prohibition, and tokens it does not name", () => {
    expect(at("https://example.com/page").preferences).toEqual(p("n", "y", "y"));
  });

  it("the most specific content wins; ai-all covers every AI use; a paid license reserves what it permits", () => {
    expect(at("https://example.com/premium/x").preferences).toEqual(p("n", "n", "n"));
    expect(at("https://example.com/premium/x").reasons).toContain("search: permits search only under a license to obtain");
  });

  it("a license server means a license must be obtained, even for a free one", () => {
    expect(at("https://example.com/archive/1").preferences).toEqual(p("n", "n", "n"));
  });

  it("full-URL contents match their own origin only; a license with no usage terms permits every use", () => {
    expect(at("https://other.example/free/a").preferences).toEqual(p("y", "y", "y"));
    expect(rslPreferencesFor(parseRsl(`<rsl xmlns="https://rslstandard.org/rsl"><content url="https://other.example/free/"><license/></content></rsl>`), new URL("https://example.com/free/a")).content).toBeNull();
  });

  it("rslstandard.org/guide/ai-preferences' example: training permitted only under a subscription is reserved", () => {
    // The guide's license names AIPREF's `train-ai` where RSL 1.0's usage token is `ai-train`: read
    // either way, nothing here is free to use, so every category is reserved until licensed.
    const guide = parseRsl(`<rsl xmlns="https://rslstandard.org/rsl">
  <content url="/">
    <license>
      <permits type="usage">train-ai</permits>
      <payment type="subscription">
        <custom>https://your-website.com/contact-form.html</custom>
      </payment>
    </license>
  </content>
</rsl>`);
    expect(rslPreferencesFor(guide, new URL("https://your-website.com/any/page")).preferences).toEqual(p("n", "n", "n"));
    const asSpecified = parseRsl(`<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license><permits type="usage">ai-train</permits><payment type="subscription"/></license></content></rsl>`);
    const r = rslPreferencesFor(asSpecified, new URL("https://your-website.com/any/page"));
    expect(r.preferences).toEqual(p("n", "n", "n"));
    expect(r.reasons).toContain("train-ai: permits ai-train only under a license to obtain");
  });

  it("comma-separated tokens (early drafts) are read too", () => {
    const d = parseRsl(`<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license><permits type="usage">ai-train,search</permits></license></content></rsl>`);
    expect(rslPreferencesFor(d, new URL("https://e.example/")).preferences).toEqual(p("y", "n", "y"));
  });

  it("refuses documents that are not RSL", () => {
    for (const bad of [
      "<rsl/>",
      '<rsl xmlns="https://rslstandard.org/rsl"/>',
      '<rsl xmlns="https://rslstandard.org/rsl"><content><license/></content></rsl>',
      '<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license><permits>x</permits></license></content></rsl>',
      '<rsl xmlns="https://rslstandard.org/rsl"><content url="/">',
    ]) {
      expect(() => parseRsl(bad), bad).toThrow(RslError);
    }
  });

  it("writes prohibitions for reserved uses; the terms link is kept", () => {
    const out = serializeRsl({ contents: [rslContentFor("/art/*", p("n", U, "y") as never, "https://example.com/terms")] });
    expect(out).toContain('<prohibits type="usage">ai-train</prohibits>');
    const back = parseRsl(out);
    expect(rslPreferencesFor(back, new URL("https://example.com/art/1")).preferences).toEqual(p("n", "y", "y"));
    expect(back.contents[0]!.terms).toBe("https://example.com/terms");
  });

  it("round-trips", () => {
    const token = fc.constantFrom("all", "ai-all", "ai-train", "ai-input", "ai-index", "search");
    const list = fc.uniqueArray(token, { minLength: 1, maxLength: 3 });
    const doc: fc.Arbitrary<RslDocument> = fc.record({
      contents: fc.array(
        fc.record(
          {
            url: fc.constantFrom("/", "/a/*", "/b$", "https://e.example/x/"),
            server: fc.stringMatching(/^https:\/\/[a-z]{1,8}\.example\/$/),
            licenses: fc.array(
              fc.record({
                permits: fc.record({ usage: list }, { requiredKeys: [] }),
                prohibits: fc.record({ usage: list, geo: fc.constant(["eu"]) }, { requiredKeys: [] }),
                payments: fc.array(fc.constantFrom("free", "purchase", "attribution"), { maxLength: 2 }),
              }),
              { maxLength: 2 },
            ),
            terms: fc.stringMatching(/^https:\/\/[a-z]{1,8}\.example\/[a-z&<]{0,6}$/),
          },
          { requiredKeys: ["url", "licenses"] },
        ),
        { minLength: 1, maxLength: 3 },
      ),
    });
    fc.assert(
      fc.property(doc, (d) => {
        expect(parseRsl(serializeRsl(d))).toEqual(d);
      }),
    );
  });
});
