/**
 * What a PNG's chunks or a JPEG's markers say before any pixel is decoded: the image's size and sample layout,
 * and whether it carries EXIF (which may hold an orientation). image-decode.ts reads this to choose where an image
 * is decoded. Only the container is read (walked by encoding/image-containers.ts); the pixels are left to the
 * decoders. Anything unexpected gives null, and the caller takes the general decoder, which reports errors as
 * before.
 */

import { jpegSegments, pngChunks } from "../encoding/image-containers.js";

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
  const { chunks, end } = pngChunks(b);
  if (end.stop !== "end") return null; // cut short, or no IEND
  let header: PngHeader | null = null;
  for (const { type, data } of chunks) {
    if (type === "IHDR") {
      if (data.length < 13 || header) return null;
      header = { width: u32(data, 0), height: u32(data, 4), bitDepth: data[8]!, colorType: data[9]!, transparency: false, exif: false };
    } else if (!header) {
      return null; // IHDR must come first
    } else if (type === "tRNS") {
      header.transparency = true;
    } else if (type === "eXIf") {
      header.exif = true;
    } else if (type === "tEXt" || type === "zTXt" || type === "iTXt") {
      const keyword = Math.min(data.length, 80);
      const nul = data.subarray(0, keyword).indexOf(0);
      if (/exif/i.test(ascii(data, 0, nul < 0 ? keyword : nul))) header.exif = true;
    }
  }
  return header;
}

export function jpegHeader(b: Uint8Array): JpegHeader | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  const { segments, end } = jpegSegments(b);
  if (end.stop !== "end") return null; // the header must reach the start of scan
  let exif = false;
  let frame: Omit<JpegHeader, "exif"> | null = null;
  for (const { marker, data } of segments) {
    if (marker === 0xe1 && data.length >= 6 && ascii(data, 0, 4) === "Exif" && data[4] === 0) exif = true;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (frame || data.length < 6) return null;
      frame = { precision: data[0]!, height: u16(data, 1), width: u16(data, 3), components: data[5]!, sof: marker };
    }
  }
  return frame ? { ...frame, exif } : null;
}
