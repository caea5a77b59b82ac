/**
 * SQL lives in src/store/ and in the Durable Objects (src/durable/), nowhere else (docs/ARCHITECTURE.md):
 * every other module asks a store function. Checked on the sources: no string literal that starts as a
 * SQL statement, and no drizzle database opened, outside those two folders.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const SQL_TEXT = /["'`]\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP)\s/;
const DRIZZLE = /\bopenDb\(/;

describe("SQL lives in src/store/ and src/durable/ only", () => {
  const outside = sources(SRC)
    .map((p) => ({ path: relative(SRC, p), text: readFileSync(p, "utf8") }))
    .filter((f) => !f.path.startsWith("store/") && !f.path.startsWith("durable/"));

  it("no SQL text and no drizzle database anywhere else", () => {
    const offenders = outside.filter((f) => SQL_TEXT.test(f.text) || DRIZZLE.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});
