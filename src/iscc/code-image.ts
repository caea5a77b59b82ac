import { encodeUnit } from "./codec.js";
import { dct } from "./dct.js";
import { IsccError } from "./errors.js";
import { MainType, ST_CC } from "./header.js";

/** The median of values (sorted in place). */
function median(values: Float64Array): number {
  values.sort();
  const m = values.length >> 1;
  return values.length % 2 ? values[m]! : (values[m - 1]! + values[m]!) / 2;
}

/** Row transforms, a column, the column transforms (cols[x * 32 + y]), a block and its sorted copy: no allocation per image. */
const rows = new Float64Array(1024);
const column = new Float64Array(32);
const cols = new Float64Array(1024);
const block = new Float64Array(64);
const sorted = new Float64Array(64);

/** The 8×8 low-frequency blocks, in the order their bits are taken. */
const BLOCKS = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
] as const;

/** DCT of the 32×32 image; bits from the 8×8 low-frequency blocks at (0,0), (1,0), (0,1), (1,1) vs. their medians. */
export function softHashImageV0(pixels: ArrayLike<number>, bits = 64): Uint8Array {
  if (bits > 256) throw new IsccError(`${bits} bits exceeds max length 256 for soft_hash_image`);
  if (pixels.length !== 1024) throw new IsccError(`Image-Code needs 1024 grayscale pixels (32×32), got ${pixels.length}`);
  for (let r = 0; r < 32; r++) dct(pixels, r * 32, 32, rows, r * 32);
  // column DCTs; matrix[y][x] = cols[x * 32 + y]
  for (let c = 0; c < 32; c++) {
    for (let r = 0; r < 32; r++) column[r] = rows[r * 32 + c]!;
    dct(column, 0, 32, cols, c * 32);
  }
  const out = new Uint8Array(32);
  let bit = 0;
  for (const [x, y] of BLOCKS) {
    let k = 0;
    for (let yy = y; yy < y + 8; yy++) for (let xx = x; xx < x + 8; xx++) block[k++] = cols[xx * 32 + yy]!;
    sorted.set(block);
    const med = median(sorted);
    for (const value of block) {
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
