/**
 * Where images carry XMP packets and C2PA manifest stores (XMP Specification Part 3, "Storage in
 * files"; C2PA Technical Specification, "Embedding manifests into assets"):
 * - JPEG: XMP in APP1 after "http://ns.adobe.com/xap/1.0/\0"; C2PA in APP11 JPEG-XT segments:
 *   "JP", a 2-byte box instance (En), a 4-byte sequence number (Z), then box bytes, the superbox
 *   header repeated in every segment after the first;
 * - PNG: XMP in an iTXt chunk keyed "XML:com.adobe.xmp" (compressed or not); C2PA in a `caBX` chunk;
 * - WebP: the RIFF chunks `XMP ` and `C2PA`.
 * Other formats are reported as unsupported rather than guessed at. Only container structure is
 * read here; xmp.ts and c2pa.ts read what is inside.
 */

import { jpegSegments, pngChunks } from "../encoding/image-containers";

export interface EmbeddedMetadata {
  format: "jpeg" | "png" | "webp" | "unsupported";
  xmp: string[];
  /** JUMBF manifest stores (each a whole `jumb` box). */
  manifestStores: Uint8Array[];
  /** What could not be read, and why. */
  problems: string[];
}

const XMP_APP1 = "http://ns.adobe.com/xap/1.0/\0";
const ascii = (b: Uint8Array) => String.fromCharCode(...b);
const utf8 = (b: Uint8Array) => new TextDecoder().decode(b);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

export async function readEmbeddedMetadata(bytes: Uint8Array): Promise<EmbeddedMetadata> {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return readJpeg(bytes);
  if (ascii(bytes.subarray(0, 8)) === "\x89PNG\r\n\x1a\n") return readPng(bytes);
  if (ascii(bytes.subarray(0, 4)) === "RIFF" && ascii(bytes.subarray(8, 12)) === "WEBP") return readWebp(bytes);
  return { format: "unsupported", xmp: [], manifestStores: [], problems: ["not a JPEG, PNG or WebP file"] };
}

function readJpeg(bytes: Uint8Array): EmbeddedMetadata {
  const out: EmbeddedMetadata = { format: "jpeg", xmp: [], manifestStores: [], problems: [] };
  const jumbf = new Map<number, { z: number; data: Uint8Array }[]>();
  // Up to the start of scan or the end of image: no metadata follows either.
  const { segments: walked, end } = jpegSegments(bytes);
  for (const { marker, data } of walked) {
    if (marker === 0xe1 && ascii(data.subarray(0, XMP_APP1.length)) === XMP_APP1) out.xmp.push(utf8(data.subarray(XMP_APP1.length)));
    if (marker === 0xeb && data.length >= 16 && data[0] === 0x4a && data[1] === 0x50) {
      const en = (data[2]! << 8) | data[3]!;
      const z = new DataView(data.buffer, data.byteOffset + 4, 4).getUint32(0);
      const list = jumbf.get(en) ?? [];
      list.push({ z, data: data.subarray(8) });
      jumbf.set(en, list);
    }
  }
  if (end.stop === "no-marker") out.problems.push(`JPEG: no marker at byte ${end.at}`);
  if (end.stop === "cut-short") out.problems.push(`JPEG: segment at byte ${end.at} runs past the end`);
  for (const [en, segments] of jumbf) {
    segments.sort((a, b) => a.z - b.z);
    if (segments.some((s, k) => s.z !== k + 1)) {
      out.problems.push(`JPEG: C2PA box instance ${en} has missing segments`);
      continue;
    }
    // Every segment after the first repeats the superbox's LBox and TBox (8 bytes) before its data.
    const store = concat(segments.map((s, k) => (k === 0 ? s.data : s.data.subarray(8))));
    if (ascii(store.subarray(4, 8)) === "jumb") out.manifestStores.push(store);
  }
  return out;
}

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function readPng(bytes: Uint8Array): Promise<EmbeddedMetadata> {
  const out: EmbeddedMetadata = { format: "png", xmp: [], manifestStores: [], problems: [] };
  const { chunks, end } = pngChunks(bytes);
  for (const { type, data } of chunks) {
    if (type === "caBX") out.manifestStores.push(data);
    if (type === "iTXt") {
      const k = data.indexOf(0);
      if (k > 0 && ascii(data.subarray(0, k)) === "XML:com.adobe.xmp") {
        const compressed = data[k + 1] === 1;
        let j = data.indexOf(0, k + 3); // language tag
        j = data.indexOf(0, j + 1); // translated keyword
        const text = data.subarray(j + 1);
        try {
          out.xmp.push(utf8(compressed ? await inflate(text) : text));
        } catch (e) {
          out.problems.push(`PNG: compressed XMP could not be inflated (${(e as Error).message})`);
        }
      }
    }
  }
  if (end.stop === "cut-short") out.problems.push(`PNG: chunk ${end.type} runs past the end`);
  return out;
}

function readWebp(bytes: Uint8Array): EmbeddedMetadata {
  const out: EmbeddedMetadata = { format: "webp", xmp: [], manifestStores: [], problems: [] };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 12;
  while (i + 8 <= bytes.length) {
    const type = ascii(bytes.subarray(i, i + 4));
    const size = view.getUint32(i + 4, true);
    if (i + 8 + size > bytes.length) {
      out.problems.push(`WebP: chunk ${type} runs past the end`);
      break;
    }
    const data = bytes.subarray(i + 8, i + 8 + size);
    if (type === "XMP ") out.xmp.push(utf8(data));
    if (type === "C2PA") out.manifestStores.push(data);
    i += 8 + size + (size & 1);
  }
  return out;
}

// ---- Writers, for fixtures and round trips: metadata into a minimal valid container. ----

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Inserts an XMP iTXt chunk and/or a caBX chunk after a PNG's IHDR. */
export function embedInPng(png: Uint8Array, add: { xmp?: string; manifestStore?: Uint8Array }): Uint8Array {
  const ihdrEnd = 8 + 12 + new DataView(png.buffer, png.byteOffset).getUint32(8);
  const chunks: Uint8Array[] = [];
  if (add.xmp !== undefined) chunks.push(pngChunk("iTXt", concat([new TextEncoder().encode("XML:com.adobe.xmp\0\0\0\0\0"), new TextEncoder().encode(add.xmp)])));
  if (add.manifestStore) chunks.push(pngChunk("caBX", add.manifestStore));
  return concat([png.subarray(0, ihdrEnd), ...chunks, png.subarray(ihdrEnd)]);
}

/** Inserts APP1 (XMP) and APP11 (C2PA, split into segments of at most `segment` bytes) after a JPEG's SOI. */
export function embedInJpeg(jpeg: Uint8Array, add: { xmp?: string; manifestStore?: Uint8Array }, segment = 65000): Uint8Array {
  const segments: Uint8Array[] = [];
  const seg = (marker: number, data: Uint8Array) => {
    const out = new Uint8Array(4 + data.length);
    out[0] = 0xff;
    out[1] = marker;
    new DataView(out.buffer).setUint16(2, data.length + 2);
    out.set(data, 4);
    segments.push(out);
  };
  if (add.xmp !== undefined) seg(0xe1, concat([new TextEncoder().encode(XMP_APP1), new TextEncoder().encode(add.xmp)]));
  if (add.manifestStore) {
    const store = add.manifestStore;
    const header = store.subarray(0, 8);
    const body = store.subarray(8);
    const first = segment - 8 - 8;
    const pieces = [store.subarray(0, 8 + first)];
    for (let at = first; at < body.length; at += segment - 16) pieces.push(concat([header, body.subarray(at, at + segment - 16)]));
    pieces.forEach((p, k) => {
      const h = new Uint8Array(8);
      h.set([0x4a, 0x50, 0x00, 0x01]);
      new DataView(h.buffer).setUint32(4, k + 1);
      seg(0xeb, concat([h, p]));
    });
  }
  return concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}
