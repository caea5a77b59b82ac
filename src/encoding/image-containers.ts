/**
 * The container structure of JPEG and PNG files: where each marker segment or chunk is and what it
 * holds, walked one way for every reader (media/image-header.ts before decoding, dialects/image-metadata.ts
 * for embedded XMP and C2PA). Nothing inside a segment or chunk is interpreted here. A walk returns
 * the segments it read and how it stopped, so that each reader decides what a damaged file means to it.
 */

export interface JpegSegment {
  marker: number;
  /** Offset of the segment's 0xFF marker byte. */
  at: number;
  /** The segment's bytes after its length field. */
  data: Uint8Array;
}

export type JpegWalkEnd =
  /** Start of scan or end of image: no more marker segments before the entropy-coded data. */
  | { stop: "end" }
  | { stop: "no-marker"; at: number }
  | { stop: "cut-short"; at: number }
  /** The bytes ran out before a start of scan. */
  | { stop: "exhausted" };

/** The marker segments of a JPEG (after its SOI) up to the start of scan. */
export function jpegSegments(b: Uint8Array): { segments: JpegSegment[]; end: JpegWalkEnd } {
  const segments: JpegSegment[] = [];
  for (let pos = 2; pos + 4 <= b.length; ) {
    if (b[pos] !== 0xff) return { segments, end: { stop: "no-marker", at: pos } };
    const marker = b[pos + 1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2; // no length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return { segments, end: { stop: "end" } };
    const length = (b[pos + 2]! << 8) | b[pos + 3]!;
    if (length < 2 || pos + 2 + length > b.length) return { segments, end: { stop: "cut-short", at: pos } };
    segments.push({ marker, at: pos, data: b.subarray(pos + 4, pos + 2 + length) });
    pos += 2 + length;
  }
  return { segments, end: { stop: "exhausted" } };
}

export interface PngChunk {
  type: string;
  /** Offset of the chunk's length field. */
  at: number;
  data: Uint8Array;
}

export type PngWalkEnd =
  /** IEND, the last chunk read. */
  | { stop: "end" }
  | { stop: "cut-short"; at: number; type: string }
  /** The bytes ran out before IEND. */
  | { stop: "exhausted" };

/** The chunks of a PNG (after its 8-byte signature, which the caller checks) up to IEND. */
export function pngChunks(b: Uint8Array): { chunks: PngChunk[]; end: PngWalkEnd } {
  const chunks: PngChunk[] = [];
  for (let pos = 8; pos + 12 <= b.length; ) {
    const length = ((b[pos]! << 24) | (b[pos + 1]! << 16) | (b[pos + 2]! << 8) | b[pos + 3]!) >>> 0;
    const type = String.fromCharCode(b[pos + 4]!, b[pos + 5]!, b[pos + 6]!, b[pos + 7]!);
    if (pos + 12 + length > b.length) return { chunks, end: { stop: "cut-short", at: pos, type } };
    chunks.push({ type, at: pos, data: b.subarray(pos + 8, pos + 8 + length) });
    if (type === "IEND") return { chunks, end: { stop: "end" } };
    pos += 12 + length;
  }
  return { chunks, end: { stop: "exhausted" } };
}
