import { MINHASH_A, MINHASH_B } from "./minhash-params.js";

// The 64-bit products a·f + b (mod 2^64) are computed with 32-bit limbs instead of BigInt, which is
// ~50× slower here; the constants are split once at load.
const N = MINHASH_A.length;
const A_LO = new Float64Array(N);
const A_HI = new Int32Array(N);
const B_LO = new Float64Array(N);
const B_HI = new Float64Array(N);
for (let k = 0; k < N; k++) {
  A_LO[k] = Number(MINHASH_A[k]! & 0xffffffffn);
  A_HI[k] = Number(MINHASH_A[k]! >> 32n) | 0;
  B_LO[k] = Number(MINHASH_B[k]! & 0xffffffffn);
  B_HI[k] = Number(MINHASH_B[k]! >> 32n);
}
const TWO32 = 4294967296;

/**
 * For each of the 64 hash functions, min over features of ((a·f + b) mod 2^64 mod (2^61 − 1)) & 0xffffffff.
 * Throws on an empty feature list, as the reference does.
 */
export function minhash(features: ArrayLike<number>): Uint32Array {
  const n = features.length;
  if (n === 0) throw new RangeError("minhash needs at least one feature");
  const fLo = new Float64Array(n);
  const fHi = new Float64Array(n);
  const fFull = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const f = features[j]! >>> 0;
    fLo[j] = f & 0xffff;
    fHi[j] = f >>> 16;
    fFull[j] = f | 0;
  }
  const out = new Uint32Array(N);
  for (let k = 0; k < N; k++) {
    const aLo = A_LO[k]!;
    const aHi = A_HI[k]!;
    const bLo = B_LO[k]!;
    const bHi = B_HI[k]!;
    let min = TWO32;
    for (let j = 0; j < n; j++) {
      const p1 = aLo * fHi[j]!;
      // low 64 bits of aLo·f + b as (hi, lo) 32-bit halves; every intermediate stays below 2^53, and
      // `& 0xffff` / `>>> 0` take exact residues of such integers without a slow floating-point modulo
      const p1Lo = p1 & 0xffff;
      const t = aLo * fLo[j]! + p1Lo * 65536 + bLo;
      const lo = t >>> 0;
      const hi = ((t - lo) / TWO32 + (p1 - p1Lo) / 65536 + bHi + Math.imul(aHi, fFull[j]!)) >>> 0;
      // mod 2^61−1: fold the top 3 bits back in (2^61 ≡ 1)
      let sLo = lo + (hi >>> 29);
      let sHi = hi & 0x1fffffff;
      if (sLo >= TWO32) {
        sLo -= TWO32;
        sHi++;
      }
      if (sHi > 0x1fffffff || (sHi === 0x1fffffff && sLo === 0xffffffff)) sLo = (sLo + 1) >>> 0;
      if (sLo < min) min = sLo;
    }
    out[k] = min;
  }
  return out;
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
