/**
 * Windows BMP decoding to RGBA, as Pillow's BmpImagePlugin reads the files iscc-sdk sees: 1/4/8-bit
 * palettes, 24-bit BGR, 32-bit BGRX (alpha ignored, as Pillow does for BI_RGB) and 32-bit BI_BITFIELDS
 * with an alpha mask (RGBA). RLE-compressed and 16-bit files are refused with a reason. Pure.
 *
 * Why our own: libvips (sharp) has no BMP loader in its prebuilt build, and the npm BMP decoders are
 * unmaintained; the uncompressed format is small and fully specified.
 */
import type { RgbaImage } from "../iscc/index.js";

export class BmpError extends Error {}

export function decodeBmp(b: Uint8Array): RgbaImage {
  if (b.length < 26 || b[0] !== 0x42 || b[1] !== 0x4d) throw new BmpError("not a BMP file");
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dataOffset = v.getUint32(10, true);
  const headerSize = v.getUint32(14, true);
  if (headerSize < 40 || 14 + headerSize > b.length) throw new BmpError(`unsupported BMP header size ${headerSize}`);
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bpp = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height <= 0 || width * height > 128_000_000) throw new BmpError(`unsupported BMP size ${width}×${rawHeight}`);
  let masks: [number, number, number, number] | null = null;
  if (compression === 3 || compression === 6) {
    // BI_BITFIELDS: masks follow a 40-byte header, or are inside a V4/V5 header
    const at = 14 + 40;
    masks = [v.getUint32(at, true), v.getUint32(at + 4, true), v.getUint32(at + 8, true), headerSize >= 56 || compression === 6 ? v.getUint32(at + 12, true) : 0];
  } else if (compression !== 0) {
    throw new BmpError(`BMP compression ${compression} (RLE) is not supported`);
  }
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > b.length) throw new BmpError("BMP pixel data is truncated");
  const out = new Uint8Array(width * height * 4);
  let palette: Uint8Array | null = null;
  if (bpp <= 8) {
    const colors = v.getUint32(46, true) || 1 << bpp;
    const at = 14 + headerSize;
    palette = new Uint8Array(256 * 4);
    for (let i = 0; i < Math.min(colors, 256) && at + i * 4 + 3 <= b.length; i++) {
      palette[i * 4] = b[at + i * 4 + 2]!;
      palette[i * 4 + 1] = b[at + i * 4 + 1]!;
      palette[i * 4 + 2] = b[at + i * 4]!;
      palette[i * 4 + 3] = 255;
    }
  } else if (bpp !== 24 && bpp !== 32) {
    throw new BmpError(`${bpp}-bit BMP is not supported`);
  }
  if (masks && bpp !== 32) throw new BmpError(`${bpp}-bit BI_BITFIELDS BMP is not supported`);
  const shift = (m: number) => (m === 0 ? 0 : 31 - Math.clz32(m & -m));
  const depth = (m: number) => (m === 0 ? 0 : 32 - Math.clz32(m >>> shift(m)));
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (palette) {
        const bit = x * bpp;
        const idx = (b[row + (bit >> 3)]! >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        out.set(palette.subarray(idx * 4, idx * 4 + 4), o);
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = b[p + 2]!;
        out[o + 1] = b[p + 1]!;
        out[o + 2] = b[p]!;
        out[o + 3] = 255;
      } else if (!masks) {
        const p = row + x * 4;
        out[o] = b[p + 2]!;
        out[o + 1] = b[p + 1]!;
        out[o + 2] = b[p]!;
        out[o + 3] = 255;
      } else {
        const px = v.getUint32(row + x * 4, true);
        for (let c = 0; c < 4; c++) {
          const m = masks[c]!;
          if (m === 0) {
            out[o + c] = 255;
            continue;
          }
          const d = depth(m);
          const value = (px & m) >>> shift(m);
          out[o + c] = d === 8 ? value : Math.round((value * 255) / ((1 << d) - 1));
        }
      }
    }
  }
  return { data: out, width, height };
}
