/**
 * Recursive fast DCT-II (unnormalized), with the same operation order as iscc-core's alg_dct so that
 * floating-point results, and therefore median comparisons, are identical. It works in scratch arrays kept
 * per size instead of allocating three arrays per call: an Image-Code's 64 transforms of 32 values allocated
 * ~300 KB a file that way, most of what a scan's fingerprinting threads then spent their collections on.
 */

/** Per size n (at index log2 n): 2·cos((i + ½)π / n), the divisors of the odd half (the same doubles alg_dct computes). */
const divisors: Float64Array[] = [];
/** Per size n (at index log2 n): alpha, beta and their two transforms, n/2 values each. Not reentrant: nothing here awaits. */
const scratches: Float64Array[] = [];

function prepare(n: number, k: number): void {
  divisors[k] = Float64Array.from({ length: n / 2 }, (_, i) => Math.cos(((i + 0.5) * Math.PI) / n) * 2.0);
  scratches[k] = new Float64Array(2 * n);
}

/** The DCT of v[from .. from + n) (n a power of two), written to out[at .. at + n). */
export function dct(v: ArrayLike<number>, from: number, n: number, out: Float64Array, at: number): void {
  if (n === 1) {
    out[at] = v[from]!;
    return;
  }
  if (n === 0 || n % 2 !== 0) throw new RangeError(`dct input length ${n} must be a power of two`);
  const half = n / 2;
  const k = 31 - Math.clz32(n);
  if (!scratches[k]) prepare(n, k);
  const div = divisors[k]!;
  const s = scratches[k]!;
  // s: alpha [0, half), beta [half, n), their transforms ea [n, n + half), eb [n + half, 2n)
  for (let i = 0; i < half; i++) {
    const a = v[from + i]!;
    const b = v[from + n - 1 - i]!;
    s[i] = a + b;
    s[half + i] = (a - b) / div[i]!;
  }
  dct(s, 0, half, s, n);
  dct(s, half, half, s, n + half);
  const eb = n + half;
  for (let i = 0; i < half - 1; i++) {
    out[at + 2 * i] = s[n + i]!;
    out[at + 2 * i + 1] = s[eb + i]! + s[eb + i + 1]!;
  }
  out[at + n - 2] = s[n + half - 1]!;
  out[at + n - 1] = s[eb + half - 1]!;
}
