/**
 * The ISCC-CODE of a local file, as iscc-sdk's code_iscc computes its Content-, Data- and Instance-Code
 * units: the medium is sniffed from the bytes (sniff.ts), then
 * - image: decoded (image-decode.ts) and normalized as iscc-sdk does (src/iscc/image-normalize.ts);
 * - audio: Chromaprint through `fpcalc -raw -json -signed -length 0 FILE`, iscc-sdk's exact call;
 * - video: MPEG-7 frame signatures through `ffmpeg -i FILE -vf fps=fps=5,signature=format=binary:filename=SIG
 *   -f null -`, iscc-sdk's exact filter chain (5 fps is its video_fps default);
 * - text: plain text and Markdown as they are, HTML's visible text, PDF text through PDFium, EPUB text; then
 *   text_clean, as iscc-sdk does before gen_text_code_v0.
 * Data- and Instance-Code are always computed. When the Content-Code cannot be (a tool is missing, the file
 * cannot be decoded), the result says which unit and why (`notComputed`), never silently.
 *
 * No Meta-Code: iscc-sdk adds one from embedded metadata or the file name; this registry matches content, and
 * a name-derived unit would make two copies of one work differ by file name.
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DataHasher,
  genAudioCodeV0,
  genImageCodeV0,
  genIsccCodeV0,
  genTextCodeV0,
  genVideoCodeV0,
  imagePixelsFromRgba,
  InstanceHasher,
  textClean,
} from "../iscc/index.js";
import { readMp7Signature } from "./mp7-signature.js";
import { keptBytesLimit, SNIFF_BYTES, sniff, type MediaMode } from "./sniff.js";
import { FFMPEG, FPCALC, MissingToolError, runTool } from "./system-tools.js";

export interface NotComputed {
  /** The unit that is missing, e.g. "Content-Code Audio". */
  unit: string;
  reason: string;
  /** How to install the missing tool, when a tool is what is missing. */
  install?: string;
}

export interface FileIscc {
  iscc: string;
  datahash: string;
  units: { content?: string; data: string; instance: string };
  /** The processing mode (which Content-Code the medium gets), or "binary" for none. */
  kind: MediaMode | "binary";
  mediatype: string;
  filesize: number;
  /** Characters the Text-Code saw, for text. */
  characters?: number;
  notComputed?: NotComputed;
}

/** Reading the file failed; the message names the file and the reason. */
export class FileIsccError extends Error {}

const READ_SIZE = 2 * 1024 * 1024;
/** iscc-sdk's video_fps default. */
export const VIDEO_FPS = 5;

const UNIT: Record<MediaMode, string> = {
  image: "Content-Code Image",
  audio: "Content-Code Audio",
  video: "Content-Code Video",
  text: "Content-Code Text",
};

async function audioCode(path: string): Promise<string> {
  const out = await runTool(FPCALC, ["-raw", "-json", "-signed", "-length", "0", path], [3]);
  const fp = (JSON.parse(out.toString("utf8")) as { fingerprint?: number[] }).fingerprint;
  if (!Array.isArray(fp)) throw new Error("fpcalc gave no fingerprint");
  return genAudioCodeV0(fp).iscc;
}

async function videoCode(path: string): Promise<string> {
  // synchronously, so that ffmpeg starts before isccOfFile goes on to read and hash the file (synchronously)
  const dir = mkdtempSync(join(tmpdir(), "optout-mp7-"));
  try {
    const sig = join(dir, "sig.bin");
    // ffmpeg filter-graph escaping of the file name, as iscc-sdk does for ":" (our temp paths have no other specials)
    const escaped = sig.replace(/\\/g, "/").replace(/:/g, "\\\\:");
    await runTool(FFMPEG, ["-nostdin", "-v", "error", "-i", path, "-vf", `fps=fps=${VIDEO_FPS},signature=format=binary:filename=${escaped}`, "-f", "null", "-"]);
    const frames = readMp7Signature(await readFile(sig));
    if (frames.length === 0) throw new Error("the video has no frames");
    return genVideoCodeV0(frames.map((f) => Array.from(f.vector))).iscc;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Decoders are loaded on first use (sharp, PDFium's WebAssembly): a run over plain text never pays for them.
// Each import() is made once: under a loader (tsx) every import() call costs a round trip to its hooks.
let imageDecoder: Promise<typeof import("./image-decode.js")> | undefined;
let pdfReader: Promise<typeof import("./pdf-text.js")> | undefined;
let epubReader: Promise<typeof import("./epub-text.js")> | undefined;
let htmlReader: Promise<typeof import("./html-text.js")> | undefined;

/** The text iscc-sdk hashes for this document, before text_clean. */
export async function documentText(bytes: Uint8Array, mediatype: string): Promise<string> {
  if (mediatype === "application/pdf") return (await (pdfReader ??= import("./pdf-text.js"))).pdfText(bytes);
  if (mediatype === "application/epub+zip") return (await (epubReader ??= import("./epub-text.js"))).epubText(bytes);
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  return mediatype === "text/html" ? (await (htmlReader ??= import("./html-text.js"))).htmlVisibleText(text) : text;
}

async function contentCode(path: string, mode: MediaMode, mediatype: string, whole: Uint8Array | null): Promise<{ code: string; characters?: number }> {
  switch (mode) {
    case "audio":
      return { code: await audioCode(path) };
    case "video":
      return { code: await videoCode(path) };
    case "image": {
      const d = await (await (imageDecoder ??= import("./image-decode.js"))).decodeImage(whole!, mediatype);
      return { code: genImageCodeV0(imagePixelsFromRgba(d.image, { orientation: d.orientation })).iscc };
    }
    case "text": {
      const text = textClean(await documentText(whole!, mediatype));
      if (!text) throw new Error("no text could be extracted");
      const r = genTextCodeV0(text);
      return { code: r.iscc, characters: r.characters };
    }
  }
}

/**
 * The file is read synchronously: a scan calls this for thousands of small files a second on worker threads,
 * and each asynchronous step (open, stat, read, close) is a round trip through libuv's thread pool that
 * profiles showed costing a worker 0.1–0.2 ms of waiting per call on a busy machine, more than reading a small
 * file. A worker still overlaps its files where it waits for real: sharp's decoding (of the images not decoded
 * on this thread, image-decode.ts) and the tools' processes. `onStat` gets the size and mtime of the file as it
 * was opened (a scan's cache keys its result by them: fingerprint-cache.ts).
 */
export async function isccOfFile(path: string, onStat?: (size: number, mtimeMs: number) => void): Promise<FileIscc> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new FileIsccError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const data = new DataHasher();
  const instance = new InstanceHasher();
  const kept: Uint8Array[] = [];
  let sniffed = { mediatype: "application/octet-stream", mode: null as MediaMode | null };
  let notComputed: NotComputed | undefined;
  let content: Promise<{ code: string; characters?: number }> | undefined;
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) throw new FileIsccError(`${path} is not a regular file`);
    onStat?.(s.size, s.mtimeMs);
    // no bigger than the file: most files in a dataset are small, and a scan reads thousands a second
    const buf = new Uint8Array(Math.max(1, Math.min(READ_SIZE, s.size)));
    let keep = false;
    for (let first = true; ; first = false) {
      const bytesRead = readSync(fd, buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      if (first) {
        sniffed = sniff(chunk.subarray(0, SNIFF_BYTES), path);
        const limit = keptBytesLimit(sniffed.mode);
        keep = limit > 0 && s.size <= limit;
        if (limit > 0 && !keep) {
          notComputed = { unit: UNIT[sniffed.mode!], reason: `the file is larger than ${limit / 1024 / 1024} MiB` };
        }
        // the tools read the file themselves, while we hash it
        if (sniffed.mode === "audio" || sniffed.mode === "video") content = contentCode(path, sniffed.mode, sniffed.mediatype, null);
        content?.catch(() => {}); // handled below, after hashing
      }
      data.push(chunk);
      instance.push(chunk);
      if (keep) kept.push(chunk.slice());
    }
  } finally {
    closeSync(fd);
  }
  const mode = sniffed.mode;
  if (mode && !content && !notComputed) {
    const whole = Buffer.concat(kept);
    content = whole.length === instance.filesize ? contentCode(path, mode, sniffed.mediatype, whole) : undefined;
    if (!content) notComputed = { unit: UNIT[mode], reason: "the file changed while it was read" };
  }
  let code: string | undefined;
  let characters: number | undefined;
  if (content) {
    try {
      ({ code, characters } = await content);
    } catch (e) {
      notComputed =
        e instanceof MissingToolError
          ? { unit: UNIT[mode!], reason: `${e.tool.command} is not installed`, install: e.tool.install }
          : { unit: UNIT[mode!], reason: `cannot ${mode === "text" ? "extract the text" : "decode the " + mode}: ${(e as Error).message}` };
    }
  }
  const units = { ...(code ? { content: code } : {}), data: data.code(), instance: instance.code() };
  return {
    iscc: genIsccCodeV0([...(code ? [code] : []), units.data, units.instance]).iscc,
    datahash: instance.multihash(),
    units,
    kind: mode ?? "binary",
    mediatype: sniffed.mediatype,
    filesize: instance.filesize,
    ...(characters !== undefined ? { characters } : {}),
    ...(notComputed ? { notComputed } : {}),
  };
}
