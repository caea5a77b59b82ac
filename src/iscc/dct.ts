/**
 * Recursive fast DCT-II (unnormalized), with the same operation order as iscc-core's alg_dct so that
 * floating-point results, and therefore median comparisons, are identical.
 */
export function dct(v: ArrayLike<number>): number[] {
  const n = v.length;
  if (n === 1) return [v[0]!];
  if (n === 0 || n % 2 !== 0) throw new RangeError(`dct input length ${n} must be a power of two`);
  const half = n / 2;
  const alpha = new Array<number>(half);
  const beta = new Array<number>(half);
  for (let i = 0; i < half; i++) {
    const a = v[i]!;
    const b = v[n - 1 - i]!;
    alpha[i] = a + b;
    beta[i] = (a - b) / (Math.cos(((i + 0.5) * Math.PI) / n) * 2.0);
  }
  const ea = dct(alpha);
  const eb = dct(beta);
  const out = new Array<number>(n);
  for (let i = 0; i < half - 1; i++) {
    out[2 * i] = ea[i]!;
    out[2 * i + 1] = eb[i]! + eb[i + 1]!;
  }
  out[n - 2] = ea[half - 1]!;
  out[n - 1] = eb[half - 1]!;
  return out;
}
