import { IsccError } from "./errors.js";

/**
 * Preprocessing of a decoded image into the 32×32 grayscale pixels of the Image-Code, reproducing
 * iscc-sdk's image_normalize on Pillow: EXIF transpose, white background under alpha, trim of a
 * uniform border, ITU-R 601-2 luma ("L"), and Pillow's antialiased bicubic resize with its
 * fixed-point arithmetic, so that codes match iscc-sdk for the same decoded pixels.
 */
export interface RgbaImage {
  /** width × height × 4 bytes, row-major RGBA. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface NormalizeOptions {
  /** EXIF Orientation tag value 1–8 (1 = as stored). */
  orientation?: number;
  /** Crop a border of the top-left pixel's colour (iscc-sdk default: true). */
  trimBorder?: boolean;
}

/** Applies the EXIF orientation as Pillow's ImageOps.exif_transpose does. */
export function exifTranspose(img: RgbaImage, orientation = 1): RgbaImage {
  if (orientation === 1 || !(orientation >= 2 && orientation <= 8)) return img;
  const { width: w, height: h, data } = img;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(ow * oh * 4);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: sx = w - 1 - x; sy = y; break; // flip left-right
        case 3: sx = w - 1 - x; sy = h - 1 - y; break; // rotate 180
        case 4: sx = x; sy = h - 1 - y; break; // flip top-bottom
        case 5: sx = y; sy = x; break; // transpose
        case 6: sx = y; sy = h - 1 - x; break; // rotate 90° clockwise
        case 7: sx = w - 1 - y; sy = h - 1 - x; break; // transverse
        default: sx = w - 1 - y; sy = x; break; // 8: rotate 90° counter-clockwise
      }
      const si = (sy * w + sx) * 4;
      out.set(data.subarray(si, si + 4), (y * ow + x) * 4);
    }
  }
  return { data: out, width: ow, height: oh };
}

/** Pillow's DIV255 blend of a pixel over white with its alpha as mask; returns packed RGB. */
function fillWhite(img: RgbaImage): Uint8Array {
  const n = img.width * img.height;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = img.data[i * 4 + 3]!;
    for (let c = 0; c < 3; c++) {
      const tmp = 255 * (255 - a) + img.data[i * 4 + c]! * a + 128;
      rgb[i * 3 + c] = ((tmp >> 8) + tmp) >> 8;
    }
  }
  return rgb;
}

/** Bounding box [left, top, right, bottom) of pixels differing from the top-left one, or null if uniform. */
function borderBox(rgb: Uint8Array, w: number, h: number): [number, number, number, number] | null {
  const r0 = rgb[0]!;
  const g0 = rgb[1]!;
  const b0 = rgb[2]!;
  let left = w;
  let top = h;
  let right = -1;
  let bottom = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      if (rgb[i] !== r0 || rgb[i + 1] !== g0 || rgb[i + 2] !== b0) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
    }
  }
  return right < 0 ? null : [left, top, right + 1, bottom + 1];
}

const PRECISION_BITS = 32 - 8 - 2;

function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for a bicubic resample of one axis. */
function coefficients(inSize: number, outSize: number): { bounds: Int32Array; kk: Int32Array; ksize: number } {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 2 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const kk = new Int32Array(outSize * ksize);
  const bounds = new Int32Array(outSize * 2);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    // C casts truncate toward zero
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bicubic((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x]! / ww : k[x]!;
      kk[xx * ksize + x] = Math.trunc(v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, kk, ksize };
}

function clip8(ss: number): number {
  const v = Math.floor(ss / (1 << PRECISION_BITS));
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Pillow Image.resize(size, BICUBIC) of an 8-bit single-channel image (horizontal pass, then vertical). */
export function resizeBicubicGray(src: Uint8Array, w: number, h: number, ow: number, oh: number): Uint8Array {
  let cur = src;
  let cw = w;
  if (ow !== w) {
    const { bounds, kk, ksize } = coefficients(w, ow);
    const out = new Uint8Array(ow * h);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < ow; xx++) {
        const xmin = bounds[xx * 2]!;
        const xmax = bounds[xx * 2 + 1]!;
        let ss = 1 << (PRECISION_BITS - 1);
        for (let x = 0; x < xmax; x++) ss += cur[y * w + x + xmin]! * kk[xx * ksize + x]!;
        out[y * ow + xx] = clip8(ss);
      }
    }
    cur = out;
    cw = ow;
  }
  if (oh !== h) {
    const { bounds, kk, ksize } = coefficients(h, oh);
    const out = new Uint8Array(cw * oh);
    for (let yy = 0; yy < oh; yy++) {
      const ymin = bounds[yy * 2]!;
      const ymax = bounds[yy * 2 + 1]!;
      for (let x = 0; x < cw; x++) {
        let ss = 1 << (PRECISION_BITS - 1);
        for (let y = 0; y < ymax; y++) ss += cur[(y + ymin) * cw + x]! * kk[yy * ksize + y]!;
        out[yy * cw + x] = clip8(ss);
      }
    }
    cur = out;
  }
  return cur;
}

/** Decoded RGBA → the 1,024 grayscale pixels that genImageCodeV0 takes. */
export function imagePixelsFromRgba(img: RgbaImage, options: NormalizeOptions = {}): Uint8Array {
  const { width, height, data } = img;
  if (!(width > 0 && height > 0) || data.length !== width * height * 4) {
    throw new IsccError(`RGBA image data has ${data.length} bytes, expected ${width}×${height}×4`);
  }
  const t = exifTranspose(img, options.orientation ?? 1);
  let rgb = fillWhite(t);
  let w = t.width;
  let h = t.height;
  if (options.trimBorder ?? true) {
    const box = borderBox(rgb, w, h);
    if (box && !(box[0] === 0 && box[1] === 0 && box[2] === w && box[3] === h)) {
      const [l, tp, r, b] = box;
      const cropped = new Uint8Array((r - l) * (b - tp) * 3);
      for (let y = tp; y < b; y++) cropped.set(rgb.subarray((y * w + l) * 3, (y * w + r) * 3), (y - tp) * (r - l) * 3);
      rgb = cropped;
      w = r - l;
      h = b - tp;
    }
  }
  const gray = new Uint8Array(w * h);
  for (let i = 0; i < gray.length; i++) {
    gray[i] = (rgb[i * 3]! * 19595 + rgb[i * 3 + 1]! * 38470 + rgb[i * 3 + 2]! * 7471 + 0x8000) >>> 16;
  }
  return resizeBicubicGray(gray, w, h, 32, 32);
}
