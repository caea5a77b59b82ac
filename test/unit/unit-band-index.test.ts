/** The in-memory band index of one unit type (memory-index.ts TypeIndex): exactly the brute-force answers, built part and tail alike. */
import { describe, expect, it } from "vitest";
import { bandMasks, bandRadii, DEFAULT_MAX_DISTANCE, MAX_DISTANCE } from "../../src/similarity/bands";
import { TypeIndex } from "../../src/similarity/memory-index";
import { prng } from "../support/seeded-random";

const pop = (x: number) => {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
};

describe("unit band index", () => {
  it("finds every unit within the distance, from a snapshot's columns, its tail, and after a rebuild", () => {
    const rng = prng(0xba4d);
    const word = () => rng.int(2 ** 16) * 2 ** 16 + rng.int(2 ** 16);
    const n = 3000;
    const hi = new Int32Array(n);
    const lo = new Int32Array(n);
    // Clusters of near units, so that every distance has hits.
    for (let i = 0; i < n; i++) {
      const base = i % 10 === 0 ? i : i - (i % 10);
      hi[i] = i % 10 === 0 ? word() : hi[base]! ^ (1 << rng.int(32)) ^ (rng.int(2) << rng.int(32));
      lo[i] = i % 10 === 0 ? word() : lo[base]! ^ (1 << rng.int(32)) ^ (rng.int(4) << rng.int(30));
    }
    const rowid = Float64Array.from({ length: n }, (_, i) => 3 * i + 7);
    const built = 2000;
    const t = TypeIndex.fromColumns(hi.slice(0, built), lo.slice(0, built), rowid.slice(0, built));
    for (let i = built; i < n; i++) t.push(hi[i]!, lo[i]!, rowid[i]!);
    expect({ built: t.built, tail: t.tail, n: t.n }).toEqual({ built, tail: n - built, n });

    const check = (index: TypeIndex, n = index.n) => {
      for (let q = 0; q < 120; q++) {
        const src = rng.int(n);
        const qhi = hi[src]! ^ (rng.int(2) << rng.int(32));
        const qlo = lo[src]! ^ (rng.int(8) << rng.int(29));
        for (const d of [0, 4, DEFAULT_MAX_DISTANCE, MAX_DISTANCE]) {
          const want = [...Array(n).keys()].filter((i) => pop(hi[i]! ^ qhi) + pop(lo[i]! ^ qlo) <= d).map((i) => rowid[i]!);
          const got = index.search(qhi, qlo, d, bandRadii(d).map(bandMasks));
          expect([...got].sort((a, b) => a - b), `d=${d}`).toEqual(want);
        }
      }
    };
    check(t);
    t.build();
    expect({ built: t.built, tail: t.tail }).toEqual({ built: n, tail: 0 });
    expect([...t.columns().rowid]).toEqual([...rowid]);
    check(t);
    // Only a tail, nothing built yet (an index loaded from a few rows).
    const fresh = new TypeIndex();
    for (let i = 0; i < n; i++) fresh.push(hi[i]!, lo[i]!, rowid[i]!);
    check(fresh);
    // Fewer units built than the bands would probe (1,108 values at the default distance): searched one by one.
    const small = TypeIndex.fromColumns(hi.slice(0, 500), lo.slice(0, 500), rowid.slice(0, 500));
    check(small);
  });
});
