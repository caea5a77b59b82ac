import { describe, expect, it } from "vitest";
import { CoveringRulesCache, type CoveringRules } from "../../src/filter/covering-rules-cache";
import type { RuleRow } from "../../src/store/url-rules-lookup";

const rule = (id: string): RuleRow => ({
  i: 0,
  seq: 1,
  id,
  pattern: "https://a.example/*",
  kind: "prefix",
  verification: "self-asserted",
  declarant: "z6Mk",
  controller: null,
  vocabulary: 1,
  preferences: '{"train-ai":"n"}',
  policy: null,
  alsoBy: null,
});
const entry = (id: string): CoveringRules => ({ rules: [rule(id)], conflicts: new Map([[id, []]]) });
const v = (seq: number, conflicts = 0, id = "ISCC:X") => ({ seq, id, conflicts });

describe("covering rules kept per registry version", () => {
  it("serves an entry only under the version it was kept for, and empties on any other", () => {
    const cache = new CoveringRulesCache(10);
    cache.put(v(5), "a.example/x", entry("d1"), { seq: 5, conflicts: 0 });
    expect(cache.get(v(5), "a.example/x")?.rules[0]!.id).toBe("d1");
    expect(cache.get(v(5), "a.example/y")).toBeUndefined();
    // A new declaration row, a new conflict, or another database of the same length: a new version.
    for (const next of [v(6), v(5, 1), v(5, 0, "ISCC:Y")]) {
      cache.put(v(5), "a.example/x", entry("d1"), { seq: 5, conflicts: 0 });
      expect(cache.get(next, "a.example/x")).toBeUndefined();
      expect(cache.size).toBe(0);
    }
  });

  it("does not keep an answer from a database older than the version (a lagging replica)", () => {
    const cache = new CoveringRulesCache(10);
    cache.put(v(7, 2), "a.example/x", entry("d1"), { seq: 6, conflicts: 2 });
    cache.put(v(7, 2), "a.example/y", entry("d1"), { seq: 7, conflicts: 1 });
    expect(cache.size).toBe(0);
    cache.put(v(7, 2), "a.example/z", entry("d1"), { seq: 8, conflicts: 2 }); // newer than the version: fine
    expect(cache.get(v(7, 2), "a.example/z")).toBeDefined();
  });

  it("holds at most maxEntries, dropping the oldest", () => {
    const cache = new CoveringRulesCache(3);
    for (const k of ["a", "b", "c", "d"]) cache.put(v(1), k, entry(k), { seq: 1, conflicts: 0 });
    expect(cache.size).toBe(3);
    expect(cache.get(v(1), "a")).toBeUndefined();
    expect(cache.get(v(1), "d")?.rules[0]!.id).toBe("d");
    // kept again: not a new entry, and still dropped in the order first kept
    cache.put(v(1), "b", entry("b2"), { seq: 1, conflicts: 0 });
    cache.put(v(1), "e", entry("e"), { seq: 1, conflicts: 0 });
    expect(cache.size).toBe(3);
    expect(cache.get(v(1), "b")).toBeUndefined();
    expect(["c", "d", "e"].map((k) => cache.get(v(1), k)?.rules[0]!.id)).toEqual(["c", "d", "e"]);
    for (let i = 0; i < 10; i++) cache.put(v(1), `k${i}`, entry(`k${i}`), { seq: 1, conflicts: 0 });
    expect(cache.size).toBe(3);
    expect(["k7", "k8", "k9"].map((k) => cache.get(v(1), k)?.rules[0]!.id)).toEqual(["k7", "k8", "k9"]);
    // a new version empties it, order and all
    cache.put(v(2), "x", entry("x"), { seq: 2, conflicts: 0 });
    expect(cache.size).toBe(1);
    for (const k of ["y", "z", "w"]) cache.put(v(2), k, entry(k), { seq: 2, conflicts: 0 });
    expect(cache.get(v(2), "x")).toBeUndefined();
    expect(cache.size).toBe(3);
  });
});
