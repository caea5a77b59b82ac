import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { answer, parseLookupUrl, serializeLookups, type UrlLookup } from "../../src/flows/lookup-urls";

describe("serializeLookups", () => {
  const rule = {
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
});
