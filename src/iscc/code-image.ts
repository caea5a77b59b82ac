import { encodeUnit } from "./codec.js";
import { dct } from "./dct.js";
import { IsccError } from "./errors.js";
import { MainType, ST_CC } from "./header.js";

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** DCT of the 32×32 image; bits from the 8×8 low-frequency blocks at (0,0), (1,0), (0,1), (1,1) vs. their medians. */
export function softHashImageV0(pixels: ArrayLike<number>, bits = 64): Uint8Array {
  if (bits > 256) throw new IsccError(`${bits} bits exceeds max length 256 for soft_hash_image`);
  if (pixels.length !== 1024) throw new IsccError(`Image-Code needs 1024 grayscale pixels (32×32), got ${pixels.length}`);
  const rows: number[][] = [];
  for (let r = 0; r < 32; r++) rows.push(dct(Array.prototype.slice.call(pixels, r * 32, r * 32 + 32) as number[]));
  // column DCTs; matrix[y][x] = cols[x][y]
  const cols: number[][] = [];
  for (let c = 0; c < 32; c++) cols.push(dct(rows.map((row) => row[c]!)));
  const out = new Uint8Array(32);
  let bit = 0;
  for (const [x, y] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ] as const) {
    const flat: number[] = [];
    for (let yy = y; yy < y + 8; yy++) for (let xx = x; xx < x + 8; xx++) flat.push(cols[xx]![yy]!);
    const med = median(flat);
    for (const value of flat) {
      if (value > med) out[bit >> 3]! |= 0x80 >> (bit & 7);
      bit++;
    }
    if (bit >= bits) return out.slice(0, bit / 8);
  }
  return out;
}

/** gen_image_code_v0(pixels, bits): pixels are 1,024 grayscale values (32×32, row-major). */
export function genImageCodeV0(pixels: ArrayLike<number>, bits = 64): { iscc: string } {
  return { iscc: encodeUnit(MainType.CONTENT, ST_CC.IMAGE, 0, bits, softHashImageV0(pixels, bits)) };
}
