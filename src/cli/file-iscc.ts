/**
 * The ISCC-CODE of a local file, from the project's ISCC library: Data- and Instance-Code always,
 * plus a Content-Code for PNG/JPEG images and UTF-8 plain text.
 *
 * The kind of file is sniffed from its bytes, not its name. `iscc FILE` (src/cli/iscc.ts) and
 * `optout declare --file FILE` both call it, so they always agree on the code (the e2e test checks it).
 */
import { open } from "node:fs/promises";
import { TextDecoder } from "node:util";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import {
  DataHasher,
  exifOrientation,
  genImageCodeV0,
  genIsccCodeV0,
  genTextCodeV0,
  imagePixelsFromRgba,
  InstanceHasher,
  jpegExif,
  pngExif,
  type RgbaImage,
} from "../iscc/index";

export interface FileIscc {
  iscc: string;
  datahash: string;
  units: { content?: string; data: string; instance: string };
  /** What the Content-Code was computed from, if any. */
  kind: "image" | "text" | "binary";
  filesize: number;
  /** Characters the Text-Code saw, for text files. */
  characters?: number;
}

/** Reading or decoding the file failed; the message names the file and the reason. */
export class FileIsccError extends Error {}

const READ_SIZE = 2 * 1024 * 1024;
/** Above these sizes a file is hashed as plain bytes (Data + Instance): decoding would need it all in memory. */
const MAX_TEXT_BYTES = 64 * 1024 * 1024;
const MAX_IMAGE_BYTES = 256 * 1024 * 1024;

const isPng = (b: Uint8Array) => b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

function utf8Text(b: Uint8Array): string | undefined {
  if (b.includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(b);
  } catch {
    return undefined;
  }
}

function imageContentCode(bytes: Uint8Array): string {
  let img: RgbaImage;
  let exif: Uint8Array | undefined;
  if (isPng(bytes)) {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    img = { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
    exif = pngExif(bytes);
  } else {
    const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    img = { data: j.data, width: j.width, height: j.height };
    exif = jpegExif(bytes);
  }
  return genImageCodeV0(imagePixelsFromRgba(img, { orientation: exif ? exifOrientation(exif) : 1 })).iscc;
}

export async function isccOfFile(path: string): Promise<FileIscc> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (e) {
    throw new FileIsccError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const data = new DataHasher();
  const instance = new InstanceHasher();
  const kept: Uint8Array[] = [];
  try {
    const s = await handle.stat();
    if (!s.isFile()) throw new FileIsccError(`${path} is not a regular file`);
    const keepWhole = s.size <= Math.max(MAX_TEXT_BYTES, MAX_IMAGE_BYTES);
    const buf = new Uint8Array(READ_SIZE);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, READ_SIZE, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      data.push(chunk);
      instance.push(chunk);
      if (keepWhole) kept.push(chunk.slice());
    }
  } finally {
    await handle.close();
  }
  const whole = kept.length ? Buffer.concat(kept) : new Uint8Array(0);
  const complete = whole.length === instance.filesize;

  let content: string | undefined;
  let kind: FileIscc["kind"] = "binary";
  let characters: number | undefined;
  if (complete && (isPng(whole) || isJpeg(whole)) && whole.length <= MAX_IMAGE_BYTES) {
    try {
      content = imageContentCode(whole);
    } catch (e) {
      throw new FileIsccError(`${path}: cannot decode the image: ${(e as Error).message}`);
    }
    kind = "image";
  } else if (complete && whole.length > 0 && whole.length <= MAX_TEXT_BYTES) {
    const text = utf8Text(whole);
    if (text !== undefined) {
      const r = genTextCodeV0(text);
      content = r.iscc;
      characters = r.characters;
      kind = "text";
    }
  }
  const units = { ...(content ? { content } : {}), data: data.code(), instance: instance.code() };
  return {
    iscc: genIsccCodeV0([...(content ? [content] : []), units.data, units.instance]).iscc,
    datahash: instance.multihash(),
    units,
    kind,
    filesize: instance.filesize,
    ...(characters !== undefined ? { characters } : {}),
  };
}
