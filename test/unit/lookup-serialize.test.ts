import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { answer, parseLookupUrl, serializeLookups, type UrlLookup } from "../../src/flows/lookup-urls";
import { identifierAnswer, parseIdentifierToken, type IdentifierLookup } from "../../src/flows/lookup-identifiers";

describe("serializeLookups", () => {
  const rule = { alsoBy: null,
    i: 0,
    seq: 1,
    id: "ISCC:MAIQ",
    pattern: "https://example.com/a/*",
    kind: "prefix" as const,
    verification: "self-asserted" as const,
    declarant: "did:key:z6Mk",
    controller: null,
    vocabulary: 1,
    preferences: '{"train-ai":"n"}',
    policy: null,
  };
  const oneResult = fc.oneof(
    fc.string().map((u): UrlLookup => {
      const p = parseLookupUrl(u, ["urls", 0]);
      return "error" in p ? p : answer(p.url, p.normalized, []);
    }),
    fc.webUrl({ withQueryParameters: true }).map((u): UrlLookup => {
      const p = parseLookupUrl(u, () => ["urls", 1]);
      return "error" in p ? p : answer(p.url, p.normalized, []);
    }),
    // Any UTF-16 (controls, quotes, backslashes, lone surrogates) in a URL that is still answered.
    fc.tuple(fc.string({ unit: "binary" }), fc.constantFrom("", '"', "\\", "\t", "\u0001", "\ud800", "\udc00x", "😀")).map(([s, t]): UrlLookup => {
      const p = parseLookupUrl(`https://example.com/${s}${t}`, ["urls", 3]);
      return "error" in p ? p : answer(p.url, p.normalized, []);
    }),
    fc.constantFrom("https://example.com/a/b", "HTTPS://Example.com/a/\u2028\"x\"").map((u): UrlLookup => {
      const p = parseLookupUrl(u, ["urls", 2]);
      return "error" in p ? p : answer(p.url, p.normalized, [rule]);
    }),
  );

  it("writes exactly JSON.stringify({ results }) for any mix of errors, declared and undeclared answers", () => {
    fc.assert(
      fc.property(fc.array(oneResult, { maxLength: 20 }), (results) => {
        expect(serializeLookups(results)).toBe(JSON.stringify({ results }));
      }),
      { numRuns: 2000 },
    );
  });

  const identifierRow = { i: 0, seq: 2, id: "ISCC:MAIR", kind: "isrc" as const, value: "USRC17607839", declarant: "z6Mk", controller: null, vocabulary: 2, preferences: '{"train-ai":"n"}' };
  const oneIdentifier = fc.oneof(
    fc.string().map((t): IdentifierLookup => {
      const p = parseIdentifierToken(t, ["identifiers", 0]);
      return "error" in p ? p : identifierAnswer(p.identifier, p.id, []);
    }),
    fc.constantFrom("isrc:US-RC1-76-07839", "isrc:USRC17607839", "doi:10.1000/\u2028\"x\"", "isbn:0-306-40615-2").map((t): IdentifierLookup => {
      const p = parseIdentifierToken(t, ["identifiers", 1]);
      return "error" in p ? p : identifierAnswer(p.identifier, p.id, t.startsWith("isrc") ? [identifierRow] : []);
    }),
  );

  it("writes exactly JSON.stringify({ results, identifiers }) when identifiers were asked", () => {
    fc.assert(
      fc.property(fc.array(oneResult, { maxLength: 5 }), fc.array(oneIdentifier, { maxLength: 20 }), (results, identifiers) => {
        expect(serializeLookups(results, identifiers)).toBe(JSON.stringify({ results, identifiers }));
      }),
      { numRuns: 1000 },
    );
  });
});
