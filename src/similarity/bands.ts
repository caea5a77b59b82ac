/**
 * Multi-index hashing (Norouzi, Punjani & Fleet, "Fast Search in Hamming Space with Multi-Index
 * Hashing", CVPR 2012) over the first 64 bits of an ISCC unit body.
 *
 * The 64 bits are cut into BANDS = 4 bands of 16 bits. If two codes differ in at most d bits, those
 * d differing bits are spread over 4 bands, so at least one band differs in at most floor(d / 4)
 * bits (pigeonhole). Searching every band for all 16-bit values within floor(d / 4) of the query's
 * band therefore finds every code within distance d: recall is exactly 100% for any d, and the
 * exact distance is then checked on each candidate to drop the false positives.
 *
 * The cost is the number of probed band values: sum_{i<=r} C(16, i) per band, with r = floor(d/4).
 * MAX_DISTANCE = 15 keeps r <= 3, i.e. 697 values per band.
 */
export const BANDS = 4;
export const BAND_BITS = 16;
export const DEFAULT_MAX_DISTANCE = 12;
export const MAX_DISTANCE = 15;

export type Bands = [number, number, number, number];

/** The four 16-bit bands of the first 64 bits (big-endian); shorter bodies are zero-padded. */
export function bandsOf(body: Uint8Array): Bands {
  const b = (i: number) => ((body[i] ?? 0) << 8) | (body[i + 1] ?? 0);
  return [b(0), b(2), b(4), b(6)];
}

export function bandRadius(maxDistance: number): number {
  return Math.floor(maxDistance / BANDS);
}

/**
 * Per-band search radii that still guarantee full recall, tighter than ⌊d/4⌋ for every band
 * (the generalized pigeonhole principle, Qin et al., "GPH: Similarity Search in Hamming Space",
 * ICDE 2018): if every band i differed in more than r_i bits, the codes would differ in at least
 * Σ (r_i + 1) bits; so with Σ (r_i + 1) = d + 1, a code within d bits has some band i within r_i.
 * For the default d = 12 that is radii (3, 2, 2, 2) instead of (3, 3, 3, 3): 1,108 probed band
 * values instead of 2,788, and as many fewer candidates.
 */
export function bandRadii(maxDistance: number): Bands {
  const base = Math.floor((maxDistance + 1) / BANDS) - 1;
  const extra = (maxDistance + 1) % BANDS;
  return [0, 1, 2, 3].map((i) => base + (i < extra ? 1 : 0)) as Bands;
}

const neighbourCache = new Map<number, Int32Array>();

/** XOR masks of every 16-bit value with at most `radius` bits set, 0 first. */
function masks(radius: number): Int32Array {
  let cached = neighbourCache.get(radius);
  if (!cached) {
    const out: number[] = [];
    for (let v = 0; v < 1 << BAND_BITS; v++) if (popcount16(v) <= radius) out.push(v);
    out.sort((a, b) => popcount16(a) - popcount16(b) || a - b);
    cached = Int32Array.from(out);
    neighbourCache.set(radius, cached);
  }
  return cached;
}

/** Every 16-bit value within `radius` bits of `value` (none for a negative radius). */
export function bandNeighbours(value: number, radius: number): number[] {
  if (radius < 0) return [];
  return Array.from(masks(radius), (m) => value ^ m);
}

/** XOR masks of the 16-bit values with at most `radius` bits set, 0 first. */
export function bandMasks(radius: number): Int32Array {
  return radius < 0 ? new Int32Array(0) : masks(radius);
}

function popcount16(v: number): number {
  v = v - ((v >> 1) & 0x5555);
  v = (v & 0x3333) + ((v >> 2) & 0x3333);
  v = (v + (v >> 4)) & 0x0f0f;
  return (v + (v >> 8)) & 0x1f;
}

/** Hamming distance between the first 64 bits of two bodies (SPEC: longer units compare by prefix). */
export function distance64(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < 8; i++) {
    let x = (a[i] ?? 0) ^ (b[i] ?? 0);
    while (x) {
      x &= x - 1;
      d++;
    }
  }
  return d;
}
