import { describe, expect, it } from "vitest";
import { bandRadii, bandRadius, BANDS, MAX_DISTANCE } from "../../src/similarity/bands";

describe("bandRadii (generalized pigeonhole)", () => {
  it("for every way d differing bits can fall into the 4 bands, some band is within its radius", () => {
    for (let d = 0; d <= MAX_DISTANCE; d++) {
      const r = bandRadii(d);
      // every composition of d into 4 parts of at most 16 bits each
      for (let a = 0; a <= Math.min(16, d); a++)
        for (let b = 0; b <= Math.min(16, d - a); b++)
          for (let c = 0; c <= Math.min(16, d - a - b); c++) {
            const e = d - a - b - c;
            if (e > 16) continue;
            const parts = [a, b, c, e];
            expect(parts.some((p, i) => p <= r[i]!), `d=${d} parts=${parts} radii=${r}`).toBe(true);
          }
    }
  });

  it("is never wider than ⌊d/4⌋ and is tight: one bit less in any band would miss a code", () => {
    for (let d = 0; d <= MAX_DISTANCE; d++) {
      const r = bandRadii(d);
      expect(r.every((x) => x <= bandRadius(d))).toBe(true);
      expect(r.reduce((s, x) => s + x + 1, 0)).toBe(d + 1);
      for (let i = 0; i < BANDS; i++) {
        if (r[i]! < 0) continue;
        // a code differing in r_j + 1 bits in every band j ≠ i and r_i bits in band i is within d…
        // …so lowering r_i to r_i − 1 would lose it.
        const parts = r.map((x, j) => (j === i ? x : x + 1));
        expect(parts.reduce((s, x) => s + x, 0)).toBe(d);
      }
    }
    expect(bandRadii(12)).toEqual([3, 2, 2, 2]);
  });
});
