import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { acceptedLookupBatch, LookupBatchSchema } from "../../src/routes/lookup-batch-body";
import { LIMITS } from "../../src/http/limits";
import { IDENTIFIER_MAX_LENGTH } from "../../src/domain/work-identifier";
import { lookupUrls } from "../../bench/lib/corpus";

// Strings on both sides of each length limit, and values that are not strings.
const item = fc.oneof(
  { arbitrary: fc.string({ maxLength: 12 }), weight: 8 },
  { arbitrary: fc.constantFrom(LIMITS.urlLength - 1, LIMITS.urlLength, LIMITS.urlLength + 1, IDENTIFIER_MAX_LENGTH + 5, IDENTIFIER_MAX_LENGTH + 6).map((n) => "x".repeat(n)), weight: 2 },
  { arbitrary: fc.constantFrom<unknown>(null, 1, true, [], {}, ["a"], { toString: "a" }), weight: 1 },
);
// Lists short and long, up to one over each count limit (filled cheaply).
const list = fc.oneof(
  { arbitrary: fc.array(item, { maxLength: 5 }), weight: 8 },
  { arbitrary: fc.tuple(fc.constantFrom(LIMITS.lookupUrls - 1, LIMITS.lookupUrls, LIMITS.lookupUrls + 1), item).map(([n, x]) => Array.from({ length: n }, () => x)), weight: 1 },
  { arbitrary: fc.constantFrom<unknown>(null, "https://a.example/", 3, {}, { 0: "a", length: 1 }), weight: 1 },
);
const key = fc.constantFrom("urls", "urls", "identifiers", "identifiers", "extra", "__proto__", "URLS", "constructor", "toString");
const body = fc.oneof(
  { arbitrary: fc.array(fc.tuple(key, list), { maxLength: 3 }).map((entries) => JSON.parse(JSON.stringify(Object.fromEntries(entries)))), weight: 6 },
  // Through JSON text, as the route gets it: "__proto__" then stays an own key.
  { arbitrary: fc.array(fc.tuple(key, list), { maxLength: 3 }).map((entries) => JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`)), weight: 3 },
  { arbitrary: fc.constantFrom<unknown>(null, [], [{ urls: ["a"] }], "urls", 0, true), weight: 1 },
);

describe("acceptedLookupBatch (POST /v1/lookup's body without zod)", () => {
  it("accepts only what the schema accepts, with the same content", () => {
    fc.assert(
      fc.property(body, (value) => {
        const fast = acceptedLookupBatch(value);
        const slow = LookupBatchSchema.safeParse(value);
        if (fast !== null) {
          expect(slow.success).toBe(true);
          expect(fast).toEqual(slow.data);
        }
        // What it leaves to the schema is only what it cannot vouch for: a valid body of plain keys
        // and string lists is taken.
        if (slow.success) expect(fast).not.toBeNull();
      }),
      { numRuns: 3000 },
    );
  });

  it("takes the benchmark's crawl-shaped batches and the limits themselves", () => {
    const body = { urls: lookupUrls(10_000, 0xb10).urls };
    expect(acceptedLookupBatch(body)).toBe(body);
    expect(acceptedLookupBatch({ urls: ["x".repeat(LIMITS.urlLength)], identifiers: ["y".repeat(IDENTIFIER_MAX_LENGTH + 5)] })).not.toBeNull();
  });

  it("leaves every refused body to the schema", () => {
    for (const v of [{}, { urls: [] }, { urls: [], identifiers: [] }, { urls: ["a"], extra: 1 }, { urls: [1] }, { urls: ["x".repeat(LIMITS.urlLength + 1)] }, { urls: null }, [], null])
      expect(acceptedLookupBatch(v)).toBeNull();
  });
});
