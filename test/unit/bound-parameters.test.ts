/**
 * D1 and Durable Object SQLite bind at most 100 parameters per statement. src/store/bound-parameters.ts
 * is the one place that turns a list into SQL; these checks keep it that way, so a statement whose
 * parameter count grows with its input cannot come back (test/workers/bound-parameters.test.ts runs
 * every store with oversized inputs against the real limit).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { inJson, jsonList, MAX_BOUND_PARAMETERS, rowsPerInsert } from "../../src/store/bound-parameters";

const SRC = join(import.meta.dirname, "../../src");
const HELPER = "store/bound-parameters.ts";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const files = sources(SRC).map((p) => ({ path: relative(SRC, p), text: readFileSync(p, "utf8") }));

describe("lists reach SQL only through src/store/bound-parameters.ts", () => {
  it("no drizzle inArray/notInArray (one parameter per value): use inList", () => {
    const offenders = files.filter((f) => /\b(inArray|notInArray)\b/.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('no placeholder lists built in raw SQL (`map(() => "?")`, `"?,".repeat`): bind jsonList with inJson', () => {
    const pattern = /=>\s*["'`]\?\d*["'`]|["'`]\?,\s*["'`]\.repeat|\.fill\(\s*["'`]\?["'`]\s*\)/;
    expect(files.filter((f) => pattern.test(f.text)).map((f) => f.path)).toEqual([]);
  });

  it("no multi-row insert outside insertRows: `.values(` takes one row object elsewhere", () => {
    const offenders = files
      .filter((f) => f.path !== HELPER)
      .flatMap((f) => [...f.text.matchAll(/\.insert\([^)]*\)\s*\.values\(\s*([^\s{])/g)].map(() => f.path));
    expect(offenders).toEqual([]);
  });

  it("the helper: one JSON parameter for any list, inserts cut to fit", () => {
    expect(inJson("?2")).toBe("IN (SELECT value FROM json_each(?2))");
    expect(jsonList(["a", 1])).toBe('["a",1]');
    expect(() => jsonList([1.5])).toThrow(TypeError);
    expect(() => jsonList([2 ** 53])).toThrow(TypeError);
    for (const columns of [1, 2, 6, 8, 18, 99, 100, 150]) {
      const rows = rowsPerInsert(columns);
      expect(rows).toBeGreaterThanOrEqual(1);
      if (columns <= MAX_BOUND_PARAMETERS) expect(rows * columns).toBeLessThanOrEqual(MAX_BOUND_PARAMETERS);
    }
  });
});
