/**
 * What a PNG's chunks or a JPEG's markers say before any pixel is decoded: the image's size and sample layout,
 * and whether it carries EXIF (which may hold an orientation). image-decode.ts reads this to choose where an image
 * is decoded. Only the container is walked here (chunk lengths, marker segments); the pixels are left to the
 * decoders. Anything unexpected gives null, and the caller takes the general decoder, which reports errors as
 * before.
 */

export interface PngHeader {
  width: number;
  height: number;
  /** Bits per sample (1, 2, 4, 8 or 16). */
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: number;
  /** A tRNS chunk (a transparent colour, or the palette's alphas). */
  transparency: boolean;
  /** An eXIf chunk, or a text chunk whose keyword names EXIF (ImageMagick's "Raw profile type exif"). */
  exif: boolean;
}

export interface JpegHeader {
  width: number;
  height: number;
  /** Bits per sample of the frame. */
  precision: number;
  /** Colour components of the frame (1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK). */
  components: number;
  /** The frame's SOF marker: 0xC0 baseline, 0xC1 extended, 0xC2 progressive (Huffman); others arithmetic or lossless. */
  sof: number;
  /** An APP1 segment holding EXIF. */
  exif: boolean;
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const u32 = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const u16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const ascii = (b: Uint8Array, start: number, end: number) => String.fromCharCode(...b.subarray(start, end));

export function pngHeader(b: Uint8Array): PngHeader | null {
  if (b.length < 33 || PNG_SIGNATURE.some((v, i) => b[i] !== v)) return null;
  let header: PngHeader | null = null;
  for (let pos = 8; pos + 12 <= b.length; ) {
    const length = u32(b, pos);
    const type = ascii(b, pos + 4, pos + 8);
    const data = pos + 8;
    if (data + length + 4 > b.length) return null; // cut short
    if (type === "IHDR") {
      if (length < 13 || header) return null;
      header = { width: u32(b, data), height: u32(b, data + 4), bitDepth: b[data + 8]!, colorType: b[data + 9]!, transparency: false, exif: false };
    } else if (!header) {
      return null; // IHDR must come first
    } else if (type === "tRNS") {
      header.transparency = true;
    } else if (type === "eXIf") {
      header.exif = true;
    } else if (type === "tEXt" || type === "zTXt" || type === "iTXt") {
      const end = b.subarray(data, data + Math.min(length, 80)).indexOf(0);
      if (/exif/i.test(ascii(b, data, data + (end < 0 ? Math.min(length, 80) : end)))) header.exif = true;
    } else if (type === "IEND") {
      return header;
    }
    pos = data + length + 4;
  }
  return null; // no IEND
}

export function jpegHeader(b: Uint8Array): JpegHeader | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let exif = false;
  let frame: Omit<JpegHeader, "exif"> | null = null;
  for (let pos = 2; pos + 4 <= b.length; ) {
    if (b[pos] !== 0xff) return null;
    const marker = b[pos + 1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2; // no length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return frame ? { ...frame, exif } : null; // start of scan: the header is over
    const length = u16(b, pos + 2);
    const data = pos + 4;
    if (length < 2 || pos + 2 + length > b.length) return null;
    if (marker === 0xe1 && length >= 8 && ascii(b, data, data + 4) === "Exif" && b[data + 4] === 0) exif = true;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (frame || length < 8) return null;
      frame = { precision: b[data]!, height: u16(b, data + 1), width: u16(b, data + 3), components: b[data + 5]!, sof: marker };
    }
    pos += 2 + length;
  }
  return null;
}
