// BLAKE3 of inputs of at most one 64-byte block, written for the Meta-Code's thousands of 3-character
// n-grams: general-purpose hashers pay ~20 µs of set-up per call, this pays well under 1 µs.

const IV = Uint32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19);
const PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];
const CHUNK_START = 1;
const CHUNK_END = 2;
const ROOT = 8;

/** Message word index used at each position of each of the 7 rounds. */
const SCHEDULE: number[][] = [];
{
  let order = Array.from({ length: 16 }, (_, i) => i);
  for (let r = 0; r < 7; r++) {
    SCHEDULE.push(order);
    order = PERMUTATION.map((p) => order[p]!);
  }
}

const s = new Uint32Array(16);
const m = new Uint32Array(16);
const block = new Uint8Array(64);

function g(a: number, b: number, c: number, d: number, x: number, y: number): void {
  let va = s[a]!;
  let vb = s[b]!;
  let vc = s[c]!;
  let vd = s[d]!;
  va = (va + vb + x) | 0;
  vd ^= va;
  vd = (vd >>> 16) | (vd << 16);
  vc = (vc + vd) | 0;
  vb ^= vc;
  vb = (vb >>> 12) | (vb << 20);
  va = (va + vb + y) | 0;
  vd ^= va;
  vd = (vd >>> 8) | (vd << 24);
  vc = (vc + vd) | 0;
  vb ^= vc;
  vb = (vb >>> 7) | (vb << 25);
  s[a] = va;
  s[b] = vb;
  s[c] = vc;
  s[d] = vd;
}

/** BLAKE3-256 of `data` (length ≤ 64): one chunk of one block, compressed with the ROOT flag. */
export function blake3SingleBlock(data: Uint8Array): Uint8Array {
  const len = data.length;
  if (len > 64) throw new RangeError("blake3SingleBlock takes at most 64 bytes");
  block.fill(0);
  block.set(data);
  for (let i = 0; i < 16; i++) {
    m[i] = block[i * 4]! | (block[i * 4 + 1]! << 8) | (block[i * 4 + 2]! << 16) | (block[i * 4 + 3]! << 24);
  }
  s.set(IV, 0);
  s.set(IV.subarray(0, 4), 8);
  s[12] = 0;
  s[13] = 0;
  s[14] = len;
  s[15] = CHUNK_START | CHUNK_END | ROOT;
  for (let r = 0; r < 7; r++) {
    const o = SCHEDULE[r]!;
    g(0, 4, 8, 12, m[o[0]!]!, m[o[1]!]!);
    g(1, 5, 9, 13, m[o[2]!]!, m[o[3]!]!);
    g(2, 6, 10, 14, m[o[4]!]!, m[o[5]!]!);
    g(3, 7, 11, 15, m[o[6]!]!, m[o[7]!]!);
    g(0, 5, 10, 15, m[o[8]!]!, m[o[9]!]!);
    g(1, 6, 11, 12, m[o[10]!]!, m[o[11]!]!);
    g(2, 7, 8, 13, m[o[12]!]!, m[o[13]!]!);
    g(3, 4, 9, 14, m[o[14]!]!, m[o[15]!]!);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = s[i]! ^ s[i + 8]!;
    out[i * 4] = w;
    out[i * 4 + 1] = w >>> 8;
    out[i * 4 + 2] = w >>> 16;
    out[i * 4 + 3] = w >>> 24;
  }
  return out;
}
