// `iscc <file…>`: prints the ISCC-CODE and its units for each file. Data and Instance always; Text
// for UTF-8 plain text; Image for PNG and JPEG (decoded in pure JS, so nothing native is built).
import { closeSync, openSync, readSync, statSync } from "node:fs";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import {
  DataHasher,
  InstanceHasher,
  enableWasmBlake3,
  exifOrientation,
  genImageCodeV0,
  genIsccCodeV0,
  genTextCodeV0,
  imagePixelsFromRgba,
  jpegExif,
  parseIscc,
  pngExif,
} from "../iscc/index.js";

const READ_SIZE = 2 * 1024 * 1024;
/** Text-Code is computed in memory; larger files are treated as binary. */
const MAX_TEXT_BYTES = 64 * 1024 * 1024;
const MAX_IMAGE_BYTES = 256 * 1024 * 1024;

interface FileResult {
  file: string;
  iscc: string;
  units: { kind: string; iscc: string; type: string }[];
  datahash: string;
  filesize: number;
  characters?: number;
}

function isPng(b: Uint8Array): boolean {
  return b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
}

function isJpeg(b: Uint8Array): boolean {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

function asText(b: Uint8Array): string | undefined {
  if (b.includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(b);
  } catch {
    return undefined;
  }
}

function imageCode(bytes: Uint8Array): string {
  if (isPng(bytes)) {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const exif = pngExif(bytes);
    const rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
    const pixels = imagePixelsFromRgba({ data: rgba, width: png.width, height: png.height }, { orientation: exif ? exifOrientation(exif) : 1 });
    return genImageCodeV0(pixels).iscc;
  }
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
  const exif = jpegExif(bytes);
  const pixels = imagePixelsFromRgba({ data: img.data, width: img.width, height: img.height }, { orientation: exif ? exifOrientation(exif) : 1 });
  return genImageCodeV0(pixels).iscc;
}

function unit(kind: string, iscc: string): FileResult["units"][number] {
  return { kind, iscc, type: parseIscc(iscc).typeName };
}

export function isccFile(path: string): FileResult {
  const size = statSync(path).size;
  const data = new DataHasher();
  const instance = new InstanceHasher();
  const fd = openSync(path, "r");
  const head: Uint8Array[] = [];
  let keep = 0;
  const wholeLimit = Math.max(MAX_TEXT_BYTES, MAX_IMAGE_BYTES);
  try {
    const buf = new Uint8Array(READ_SIZE);
    for (;;) {
      const n = readSync(fd, buf, 0, READ_SIZE, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      data.push(chunk);
      instance.push(chunk);
      if (size <= wholeLimit) {
        head.push(chunk.slice());
        keep += n;
      }
    }
  } finally {
    closeSync(fd);
  }
  const whole = new Uint8Array(keep);
  let o = 0;
  for (const c of head) {
    whole.set(c, o);
    o += c.length;
  }
  const units: FileResult["units"] = [];
  let characters: number | undefined;
  if (keep === size && (isPng(whole) || isJpeg(whole)) && size <= MAX_IMAGE_BYTES) {
    units.push(unit("Content", imageCode(whole)));
  } else if (keep === size && size > 0 && size <= MAX_TEXT_BYTES) {
    const text = asText(whole);
    if (text !== undefined) {
      const r = genTextCodeV0(text);
      characters = r.characters;
      units.push(unit("Content", r.iscc));
    }
  }
  units.push(unit("Data", data.code()), unit("Instance", instance.code()));
  const result: FileResult = {
    file: path,
    iscc: genIsccCodeV0(units.map((u) => u.iscc)).iscc,
    units,
    datahash: instance.multihash(),
    filesize: instance.filesize,
  };
  if (characters !== undefined) result.characters = characters;
  return result;
}

function usage(): string {
  return "usage: iscc [--json] <file…>\nPrints the ISCC-CODE and its units (Content for text/PNG/JPEG, Data, Instance) for each file.";
}

export async function main(argv: string[]): Promise<number> {
  // Node may compile WebAssembly at run time: ~12× faster BLAKE3 than pure JS (see src/iscc/blake3.ts).
  await enableWasmBlake3();
  const json = argv.includes("--json");
  const files = argv.filter((a) => a !== "--json");
  if (files.length === 0 || files.includes("-h") || files.includes("--help")) {
    process.stderr.write(usage() + "\n");
    return files.length === 0 ? 2 : 0;
  }
  let status = 0;
  const results: FileResult[] = [];
  for (const file of files) {
    try {
      const r = isccFile(file);
      results.push(r);
      if (!json) {
        const lines = [`${r.file}`, `  ISCC-CODE  ${r.iscc}`];
        for (const u of r.units) lines.push(`  ${u.kind.padEnd(9)}  ${u.iscc.padEnd(24)}  ${u.type}`);
        lines.push(`  datahash   ${r.datahash}`, `  filesize   ${r.filesize}`);
        if (r.characters !== undefined) lines.push(`  characters ${r.characters}`);
        process.stdout.write(lines.join("\n") + "\n");
      }
    } catch (e) {
      status = 1;
      process.stderr.write(`iscc: ${file}: ${(e as Error).message}\n`);
    }
  }
  if (json) process.stdout.write(JSON.stringify(results, null, 2) + "\n");
  return status;
}

process.exitCode = await main(process.argv.slice(2));
