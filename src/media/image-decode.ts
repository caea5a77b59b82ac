/**
 * Decoding an image file to the RGBA pixels and EXIF orientation that iscc-sdk's image_normalize
 * starts from (Pillow's Image.open). Node only.
 *
 * Decoder: libvips through `sharp` (JPEG via mozjpeg's libjpeg-turbo decoder, PNG, WebP, GIF first frame,
 * TIFF, AVIF via libheif) — the same codec libraries Pillow links, so the decoded pixels are the same
 * (checked against Pillow, see src/iscc/README.md). BMP is decoded by bmp.ts. What stays ours is what
 * Pillow does after decoding: the colour-mode conversions below and src/iscc/image-normalize.ts.
 *
 * Small plain PNGs and JPEGs are decoded on the calling thread instead: PNG by pngjs (lossless, so any correct
 * decoder gives the same pixels), JPEG by @jsquash/jpeg (mozjpeg's decoder compiled to WebAssembly: the same
 * libjpeg-turbo decoding as sharp's, and the same pixels on every file compared). sharp runs each call on
 * libuv's and libvips' threads, ~0.55–0.75 ms of CPU for a 96×64 image, most of it per-call cost; these take
 * 0.1–0.15 ms and keep a scan's fingerprinting thread from waiting for other threads (BENCHMARKS.md,
 * bench:scan). "Plain" is read from the container before decoding (image-header.ts): 8-bit samples (or a PNG
 * palette), no EXIF (so no orientation to read), a JPEG of 1 or 3 components in a Huffman-coded frame that ends
 * where it should; anything else, anything larger than measured faster, and any file these decoders refuse goes
 * to sharp, which decides and reports as before.
 *
 * Where Pillow and libvips differ and we follow Pillow:
 * - ICC profiles: Pillow ignores them, so `ignoreIcc` keeps libvips from converting to sRGB.
 * - CMYK: Pillow converts naively (r = 255 − k − c·(255 − k)/255); libvips would use a colour profile, so we
 *   take the raw CMYK bands and apply Pillow's formula.
 * - 16-bit greyscale: Pillow opens it as mode "I;16"/"I" and convert("RGB") clips every value above 255 (it
 *   does not scale); libvips scales to 8 bits, so we take the 16-bit values and clip like Pillow.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import decodeMozjpeg, { init as initMozjpeg } from "@jsquash/jpeg/decode.js";
import { PNG } from "pngjs";
import sharp from "sharp";
import type { RgbaImage } from "../iscc/index.js";
import { decodeBmp } from "./bmp.js";
import { jpegHeader, pngHeader } from "./image-header.js";

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

/**
 * The largest images decoded on the calling thread, in pixels: up to these, pngjs and the WebAssembly decoder took
 * less CPU than sharp's two calls (measured at 64² to 1,024²: pngjs was ahead to 128² and behind from 256²;
 * WebAssembly was ahead at every size up to 1,024²).
 */
export const PNG_HERE_MAX_PIXELS = 128 * 128;
export const JPEG_HERE_MAX_PIXELS = 1024 * 1024;

function pngHere(bytes: Uint8Array): DecodedImage | null {
  const h = pngHeader(bytes);
  // the layouts the tests compare with sharp: 8-bit grey, RGB, grey + alpha and RGBA without a transparent colour,
  // and palettes of any depth with or without alphas (how decoders scale 1–4-bit grey, or which colour a tRNS
  // makes transparent, is left to sharp)
  const layout = h && (h.colorType === 3 ? h.bitDepth <= 8 : h.bitDepth === 8 && !h.transparency);
  if (!h || !layout || h.exif || h.width * h.height > PNG_HERE_MAX_PIXELS) return null;
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { image: { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height }, orientation: 1 };
  } catch {
    return null; // sharp decides, and says why if it cannot either
  }
}

let mozjpeg: Promise<void> | undefined;

/** Instantiates the WebAssembly decoder (again after a failure: a decoder that exit()ed is not used twice). */
function mozjpegReady(): Promise<void> {
  return (mozjpeg ??= (async () => {
    // from the package's own file (its default would fetch() it, as in a browser); Module.wasmBinary is emscripten's option
    const wasmBinary = readFileSync(createRequire(import.meta.url).resolve("@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm"));
    // quiet: a file it refuses goes to sharp, which says why; libjpeg's messages would only clutter a scan's stderr
    const quiet = () => {};
    await initMozjpeg({ wasmBinary, print: quiet, printErr: quiet } as Parameters<typeof initMozjpeg>[0]);
  })());
}

async function jpegHere(bytes: Uint8Array): Promise<DecodedImage | null> {
  const h = jpegHeader(bytes);
  const plain = h && !h.exif && h.precision === 8 && (h.components === 1 || h.components === 3) && h.sof <= 0xc2;
  // a file that does not end with EOI may be cut short, which sharp refuses (failOn) and libjpeg would fill in
  const whole = bytes.length >= 2 && bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9;
  if (!plain || !whole || h.width * h.height > JPEG_HERE_MAX_PIXELS) return null;
  try {
    await mozjpegReady();
    const d = await decodeMozjpeg(new Uint8Array(bytes).buffer); // a copy: a Buffer's .buffer may be a shared pool
    return { image: { data: new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength), width: d.width, height: d.height }, orientation: 1 };
  } catch {
    mozjpeg = undefined;
    return null;
  }
}

/** The image decoded on this thread, or null when it is one for sharp (exported for the tests). */
export async function decodeHere(bytes: Uint8Array, mediatype: string): Promise<DecodedImage | null> {
  if (mediatype === "image/png") return pngHere(bytes);
  if (mediatype === "image/jpeg") return jpegHere(bytes);
  return null;
}

export async function decodeImage(bytes: Uint8Array, mediatype: string): Promise<DecodedImage> {
  if (mediatype === "image/bmp") return { image: decodeBmp(bytes), orientation: 1 };
  return (await decodeHere(bytes, mediatype)) ?? decodeWithSharp(bytes);
}

/** Any format libvips reads, through sharp (exported for the tests that hold decodeHere to its pixels). */
export async function decodeWithSharp(bytes: Uint8Array): Promise<DecodedImage> {
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
