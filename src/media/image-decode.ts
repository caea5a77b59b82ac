/**
 * Decoding an image file to the RGBA pixels and EXIF orientation that iscc-sdk's image_normalize
 * starts from (Pillow's Image.open). Node only.
 *
 * Decoder: libvips through `sharp` (JPEG via mozjpeg's libjpeg-turbo decoder, PNG, WebP, GIF first frame,
 * TIFF, AVIF via libheif) — the same codec libraries Pillow links, so the decoded pixels are the same
 * (checked against Pillow, see src/iscc/README.md). BMP is decoded by bmp.ts. What stays ours is what
 * Pillow does after decoding: the colour-mode conversions below and src/iscc/image-normalize.ts.
 *
 * Where Pillow and libvips differ and we follow Pillow:
 * - ICC profiles: Pillow ignores them, so `ignoreIcc` keeps libvips from converting to sRGB.
 * - CMYK: Pillow converts naively (r = 255 − k − c·(255 − k)/255); libvips would use a colour profile, so we
 *   take the raw CMYK bands and apply Pillow's formula.
 * - 16-bit greyscale: Pillow opens it as mode "I;16"/"I" and convert("RGB") clips every value above 255 (it
 *   does not scale); libvips scales to 8 bits, so we take the 16-bit values and clip like Pillow.
 */
import sharp from "sharp";
import type { RgbaImage } from "../iscc/index.js";
import { decodeBmp } from "./bmp.js";

export interface DecodedImage {
  image: RgbaImage;
  /** EXIF orientation 1–8 (1 = as stored). */
  orientation: number;
}

/** iscc-sdk's image_max_pixels default (Pillow's MAX_IMAGE_PIXELS set to 128 megapixels). */
export const MAX_IMAGE_PIXELS = 128_000_000;

sharp.cache(false); // every file is decoded once; libvips' operation cache would only hold memory
sharp.concurrency(1); // parallelism comes from worker threads, one file each

function toRgba(data: Uint8Array, width: number, height: number, channels: number): RgbaImage {
  if (channels === 4) return { data, width, height };
  const n = width * height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    if (channels >= 3) {
      out[i * 4] = data[i * channels]!;
      out[i * 4 + 1] = data[i * channels + 1]!;
      out[i * 4 + 2] = data[i * channels + 2]!;
      out[i * 4 + 3] = 255;
    } else {
      const g = data[i * channels]!;
      out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = g;
      out[i * 4 + 3] = channels === 2 ? data[i * 2 + 1]! : 255;
    }
  }
  return { data: out, width, height };
}

/** Pillow's cmyk2rgb: nk = 255 − k; channel = nk − MULDIV255(c, nk). */
function cmykToRgba(data: Uint8Array, width: number, height: number, channels: number): RgbaImage {
  const n = width * height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const nk = 255 - data[i * channels + 3]!;
    for (let c = 0; c < 3; c++) {
      const tmp = data[i * channels + c]! * nk + 128;
      const v = nk - (((tmp >> 8) + tmp) >> 8);
      out[i * 4 + c] = v < 0 ? 0 : v;
    }
    out[i * 4 + 3] = 255;
  }
  return { data: out, width, height };
}

export async function decodeImage(bytes: Uint8Array, mediatype: string): Promise<DecodedImage> {
  if (mediatype === "image/bmp") return { image: decodeBmp(bytes), orientation: 1 };
  const options = { failOn: "error", limitInputPixels: MAX_IMAGE_PIXELS, ignoreIcc: true, page: 0, pages: 1 } as const;
  const meta = await sharp(bytes, options).metadata();
  const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1;
  if (meta.space === "cmyk") {
    const { data, info } = await sharp(bytes, options).pipelineColourspace("cmyk").toColourspace("cmyk").raw().toBuffer({ resolveWithObject: true });
    return { image: cmykToRgba(data, info.width, info.height, info.channels), orientation };
  }
  if (meta.depth === "ushort" && (meta.channels === 1 || meta.channels === 2)) {
    const { data, info } = await sharp(bytes, options).toColourspace("grey16").raw({ depth: "ushort" }).toBuffer({ resolveWithObject: true });
    const words = new Uint16Array(data.buffer, data.byteOffset, data.byteLength >> 1);
    const clipped = new Uint8Array(info.width * info.height);
    for (let i = 0; i < clipped.length; i++) {
      const w = words[i * info.channels]!;
      clipped[i] = w > 255 ? 255 : w;
    }
    return { image: toRgba(clipped, info.width, info.height, 1), orientation };
  }
  const { data, info } = await sharp(bytes, options).raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  return { image: toRgba(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, info.channels), orientation };
}
