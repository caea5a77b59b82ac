import { MINHASH_A, MINHASH_B } from "./minhash-params.js";

// minhash needs, per permutation (a, b) and feature f, the low 32 bits of ((a·f + b) mod 2^64) mod (2^61 − 1).
// BigInt is ~50× too slow, so the 64-bit arithmetic is split into 32-bit halves:
//   lo = (a_lo·f + b_lo) mod 2^32                         exact with Math.imul
//   hi = ⌊(a_lo·f + b_lo) / 2^32⌋ + a_hi·f + b_hi  mod 2^32
// The carry word ⌊(a_lo·f + b_lo) / 2^32⌋ comes from doubles: a_lo·f + b_lo − lo is an exact multiple of 2^32
// below 2^65, computed with an error under 2^14, so (… · 2^−32 + 0.5) | 0 rounds it to the exact integer (and
// | 0 wraps it mod 2^32). Reduction mod 2^61 − 1 folds the top 3 bits of hi into lo (2^61 ≡ 1); only when
// bits 32…60 of the folded sum are all ones can it reach the modulus, which adds one more.
//
// So the result is lo + c mod 2^32 with 0 ≤ c ≤ 8, and unless lo ≥ 2^32 − 8 (where it may wrap) it is ≥ lo:
// a feature whose lo exceeds the running minimum cannot lower it. The hot loop therefore computes only lo
// (Math.imul and an add, with 8 folded into b_lo so that one unsigned comparison covers the wrap) and does the
// full computation for the few features that pass (about ln n per permutation for random features; every
// feature in the worst case, which is then as fast as computing all of them). Four permutations per pass share
// each feature load. Measured on 835 features × 64 permutations (Node 22, CPU time min/median of 15 batches on
// 2 busy vCPUs): previous limb version (16-bit split float products for every pair) 120–200 / 160–230 µs;
// exact carry via one rounded double, all pairs, four permutations per pass 115–130 / 130–200 µs; with the
// lo filter, one permutation per pass 83–132 / 123–140 µs; four per pass 52–75 / 77–101 µs; eight per pass
// 63–82 / 97–103 µs.

/** Permutation constants split into the halves the inner loop uses; length a multiple of 4. */
interface Params {
  n: number;
  aLoI: Int32Array;
  aLoD: Float64Array;
  aHi: Int32Array;
  bLoI: Int32Array;
  bLoD: Float64Array;
  bHi: Int32Array;
  /** b_lo + 8 mod 2^32 (the filter's offset) */
  bLo8: Int32Array;
}

function split(a: readonly bigint[], b: readonly bigint[]): Params {
  const n = a.length;
  const padded = (n + 3) & ~3;
  const p: Params = {
    n,
    aLoI: new Int32Array(padded),
    aLoD: new Float64Array(padded),
    aHi: new Int32Array(padded),
    bLoI: new Int32Array(padded),
    bLoD: new Float64Array(padded),
    bHi: new Int32Array(padded),
    bLo8: new Int32Array(padded),
  };
  for (let k = 0; k < n; k++) {
    const ak = BigInt.asUintN(64, a[k]!);
    const bk = BigInt.asUintN(64, b[k]!);
    p.aLoD[k] = Number(ak & 0xffffffffn);
    p.aLoI[k] = p.aLoD[k]! | 0;
    p.aHi[k] = Number(ak >> 32n) | 0;
    p.bLoD[k] = Number(bk & 0xffffffffn);
    p.bLoI[k] = p.bLoD[k]! | 0;
    p.bHi[k] = Number(bk >> 32n) | 0;
    p.bLo8[k] = (p.bLoI[k]! + 8) | 0;
  }
  return p;
}

const ISCC_PARAMS = split(MINHASH_A, MINHASH_B);
const INV32 = 1 / 4294967296;

let scratchI = new Int32Array(1024);
let scratchD = new Float64Array(1024);

/** Exact ((a·f + b) mod 2^64 mod (2^61 − 1)) mod 2^32 for permutation k, as an unsigned number. */
function exact(p: Params, k: number, f: number, d: number): number {
  const lo = (Math.imul(p.aLoI[k]!, f) + p.bLoI[k]!) | 0;
  const hi = ((((p.aLoD[k]! * d + p.bLoD[k]! - (lo >>> 0)) * INV32 + 0.5) | 0) + Math.imul(p.aHi[k]!, f) + p.bHi[k]!) | 0;
  const top = hi >>> 29;
  let v = (lo + top) | 0;
  if ((hi & 0x1fffffff) === 0x1fffffff && (lo >>> 0) + top >= 0xffffffff) v = (v + 1) | 0;
  return v >>> 0;
}

/** Filter bound for a running minimum m: lo + 8 ≤ m + 8 (saturated) admits lo ≤ m and the wrapping lo ≥ 2^32 − 8. */
const bound = (m: number): number => (m >= 0xfffffff7 ? 0xffffffff : m + 8);

function minhashWithParams(features: ArrayLike<number>, p: Params): Uint32Array {
  const n = features.length;
  if (n === 0) throw new RangeError("minhash needs at least one feature");
  if (scratchI.length < n) {
    scratchI = new Int32Array(n * 2);
    scratchD = new Float64Array(n * 2);
  }
  const fi = scratchI;
  const fd = scratchD;
  for (let j = 0; j < n; j++) {
    const f = features[j]! >>> 0;
    fi[j] = f | 0;
    fd[j] = f;
  }
  const { aLoI, bLo8 } = p;
  const out = new Uint32Array(aLoI.length);
  for (let k = 0; k < aLoI.length; k += 4) {
    const a0 = aLoI[k]!, b0 = bLo8[k]!, a1 = aLoI[k + 1]!, b1 = bLo8[k + 1]!;
    const a2 = aLoI[k + 2]!, b2 = bLo8[k + 2]!, a3 = aLoI[k + 3]!, b3 = bLo8[k + 3]!;
    let m0 = 0xffffffff, m1 = 0xffffffff, m2 = 0xffffffff, m3 = 0xffffffff;
    let t0 = 0xffffffff, t1 = 0xffffffff, t2 = 0xffffffff, t3 = 0xffffffff;
    for (let j = 0; j < n; j++) {
      const f = fi[j]!;
      if ((Math.imul(a0, f) + b0) >>> 0 <= t0) {
        const v = exact(p, k, f, fd[j]!);
        if (v < m0) t0 = bound((m0 = v));
      }
      if ((Math.imul(a1, f) + b1) >>> 0 <= t1) {
        const v = exact(p, k + 1, f, fd[j]!);
        if (v < m1) t1 = bound((m1 = v));
      }
      if ((Math.imul(a2, f) + b2) >>> 0 <= t2) {
        const v = exact(p, k + 2, f, fd[j]!);
        if (v < m2) t2 = bound((m2 = v));
      }
      if ((Math.imul(a3, f) + b3) >>> 0 <= t3) {
        const v = exact(p, k + 3, f, fd[j]!);
        if (v < m3) t3 = bound((m3 = v));
      }
    }
    out[k] = m0;
    out[k + 1] = m1;
    out[k + 2] = m2;
    out[k + 3] = m3;
  }
  return p.n === out.length ? out : out.subarray(0, p.n);
}

/**
 * For each of the 64 hash functions, min over features of ((a·f + b) mod 2^64 mod (2^61 − 1)) & 0xffffffff.
 * Throws on an empty feature list, as the reference does.
 */
export function minhash(features: ArrayLike<number>): Uint32Array {
  return minhashWithParams(features, ISCC_PARAMS);
}

/** The same computation with caller-chosen permutations (tests reach edge cases of the reduction with it). */
export function minhashWith(features: ArrayLike<number>, a: readonly bigint[], b: readonly bigint[]): Uint32Array {
  if (a.length !== b.length) throw new RangeError("minhash needs as many a as b");
  return minhashWithParams(features, split(a, b));
}

/** Packs bit `b` (b < lsb) of each of the 64 minhash values, bit 0 of all first, MSB first. */
export function minhashCompress(mh: Uint32Array, lsb: number): Uint8Array {
  const out = new Uint8Array((mh.length * lsb) / 8);
  let i = 0;
  for (let bit = 0; bit < lsb; bit++) {
    for (let k = 0; k < mh.length; k++, i++) {
      if ((mh[k]! >>> bit) & 1) out[i >> 3]! |= 0x80 >> (i & 7);
    }
  }
  return out;
}

/** 256-bit minhash digest (4 least significant bits of each of 64 minima). */
export function minhash256(features: ArrayLike<number>): Uint8Array {
  return minhashCompress(minhash(features), 4);
}
