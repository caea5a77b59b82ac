/**
 * A file's ISCC-CODE in the browser, by the CLI's rules (src/media/file-iscc.ts, iscc-sdk's units):
 * the medium sniffed from the first bytes (src/media/sniff.ts, shared), Data- and Instance-Code always,
 * and the Content-Code where a browser can compute it the CLI's way:
 * - image: decoded by the caller (the browser's decoder), then normalized by the ISCC library
 *   (src/iscc/image-normalize.ts), as the CLI does after decoding with sharp;
 * - text: plain text and Markdown as they are, HTML's visible text (src/media/html-text.ts, shared),
 *   then text_clean, as the CLI does.
 * Audio and video (fpcalc, ffmpeg), PDF (PDFium's WebAssembly, which the page's CSP does not allow)
 * and EPUB get no Content-Code here; the result says so (`notComputed`) and the page tells the person
 * to use `optout declare --file` for the full code. Pure apart from the decoder it is given.
 */
import { DataHasher, genImageCodeV0, genIsccCodeV0, genTextCodeV0, imagePixelsFromRgba, InstanceHasher, textClean, type RgbaImage } from "../iscc/index";
import { keptBytesLimit, SNIFF_BYTES, sniff, type MediaMode } from "../media/sniff";

/** Decodes an image to RGBA; `orientation` is the EXIF value still to apply (1 when the decoder applied it). */
export type ImageDecoder = (bytes: Uint8Array, mediatype: string) => Promise<{ image: RgbaImage; orientation: number }>;

export interface FileCode {
  iscc: string;
  /** BLAKE3 multihash of the bytes (1e20…): the declaration's `datahash`. */
  datahash: string;
  units: { content?: string; data: string; instance: string };
  kind: MediaMode | "binary";
  mediatype: string;
  filesize: number;
  /** Why there is no Content-Code for a medium that has one (the CLI computes it). */
  notComputed?: string;
}

async function textOf(bytes: Uint8Array, mediatype: string): Promise<string> {
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  // Loaded only for HTML: most files never need the parser.
  return mediatype === "text/html" ? (await import("../media/html-text")).htmlVisibleText(text) : text;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Streams `chunks` (a file of `size` bytes named `name`) through the hashers, keeping the bytes only
 * when they can become a Content-Code. Chunks must not be reused by the producer once yielded.
 */
export async function fileCode(chunks: AsyncIterable<Uint8Array>, opts: { size: number; name?: string; decodeImage: ImageDecoder }): Promise<FileCode> {
  const data = new DataHasher();
  const instance = new InstanceHasher();
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let sniffed: { mediatype: string; mode: MediaMode | null } | undefined;
  let keep = false;
  let notComputed: string | undefined;
  for await (const chunk of chunks) {
    if (!sniffed) {
      sniffed = sniff(chunk.subarray(0, SNIFF_BYTES), opts.name ?? "");
      const limit = keptBytesLimit(sniffed.mode);
      keep = limit > 0 && opts.size <= limit;
      if (limit > 0 && !keep) notComputed = `the file is larger than ${limit / 1024 / 1024} MiB`;
    }
    data.push(chunk);
    instance.push(chunk);
    if (keep) {
      kept.push(chunk);
      keptBytes += chunk.length;
    }
  }
  const { mediatype, mode } = sniffed ?? { mediatype: "application/octet-stream", mode: null };
  let content: string | undefined;
  if (keep && keptBytes === instance.filesize) {
    const whole = concat(kept, keptBytes);
    try {
      if (mode === "image") {
        const { image, orientation } = await opts.decodeImage(whole, mediatype);
        content = genImageCodeV0(imagePixelsFromRgba(image, { orientation })).iscc;
      } else if (mediatype === "application/pdf" || mediatype === "application/epub+zip") {
        notComputed = `${mediatype === "application/pdf" ? "PDF" : "EPUB"} text is extracted by the CLI only`;
      } else if (mode === "text") {
        const text = textClean(await textOf(whole, mediatype));
        if (text) content = genTextCodeV0(text).iscc;
        else notComputed = "no text could be extracted";
      }
    } catch (e) {
      notComputed = `cannot ${mode === "text" ? "extract the text" : "decode the image"}: ${(e as Error).message}`;
    }
  } else if (mode === "audio" || mode === "video") {
    notComputed = `${mode} fingerprints need ffmpeg/fpcalc: the CLI computes them`;
  }
  const units = { ...(content ? { content } : {}), data: data.code(), instance: instance.code() };
  return {
    iscc: genIsccCodeV0([...(content ? [content] : []), units.data, units.instance]).iscc,
    datahash: instance.multihash(),
    units,
    kind: mode ?? "binary",
    mediatype,
    filesize: instance.filesize,
    ...(notComputed ? { notComputed } : {}),
  };
}
