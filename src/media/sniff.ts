/**
 * What kind of medium a file is, from its first bytes (and, only where the bytes cannot tell, its name).
 * Pure: no I/O. The processing mode decides which Content-Code a file gets, as iscc-sdk's mediatype
 * modes do (text, image, audio, video); everything else gets Data- and Instance-Code only.
 */
export type MediaMode = "image" | "audio" | "video" | "text";

export interface Sniffed {
  /** IANA media type, best guess. */
  mediatype: string;
  mode: MediaMode | null;
}

/** Bytes needed to sniff every format below. */
export const SNIFF_BYTES = 4096;

/**
 * The largest file whose bytes are kept in memory to decode for a Content-Code (text and images;
 * audio and video are read by their tools), 0 for media that are never kept. Above it only Data-
 * and Instance-Code are computed, and the result says so. The CLI and the browser use the same.
 */
export function keptBytesLimit(mode: MediaMode | null): number {
  return mode === "image" ? 256 * 1024 * 1024 : mode === "text" ? 64 * 1024 * 1024 : 0;
}

const ascii = (b: Uint8Array, at: number, s: string) => {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};

const ext = (name: string) => {
  const dot = name.lastIndexOf(".");
  return dot < 0 || dot < name.lastIndexOf("/") ? "" : name.slice(dot + 1).toLowerCase();
};

/** ISO base media (MP4, QuickTime, HEIF, AVIF): the major and compatible brands of the ftyp box. */
function ftypBrands(b: Uint8Array): string[] | null {
  if (!ascii(b, 4, "ftyp")) return null;
  const size = Math.min(b.length, ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0);
  const brands: string[] = [];
  for (let i = 8; i + 4 <= size; i += 4) if (i !== 12) brands.push(String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!));
  return brands;
}

const AUDIO_EXT = new Set(["m4a", "m4b", "aac", "oga", "opus", "mka", "weba", "mp3", "flac", "wav", "aif", "aiff", "wv", "ogg"]);
const VIDEO_EXT = new Set(["mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "ogv", "wmv", "flv", "3gp"]);

/**
 * Whether the file's name says its Content-Code comes from a tool (fpcalc, ffmpeg). A scheduling hint only
 * (worker-pool.ts starts such files early): the bytes decide the medium, as sniff does.
 */
export function namedForTool(name: string): boolean {
  const e = ext(name);
  return AUDIO_EXT.has(e) || VIDEO_EXT.has(e);
}

/** Markup that says a text file is HTML (checked case-insensitively near the start). */
const HTML_START = /^\s*(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]/i;

export function sniff(head: Uint8Array, name = ""): Sniffed {
  const e = ext(name);
  const b = head;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { mediatype: "image/jpeg", mode: "image" };
  if (ascii(b, 0, "\x89PNG\r\n\x1a\n")) return { mediatype: "image/png", mode: "image" };
  if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) return { mediatype: "image/gif", mode: "image" };
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) return { mediatype: "image/webp", mode: "image" };
  if (ascii(b, 0, "II*\0") || ascii(b, 0, "MM\0*")) return { mediatype: "image/tiff", mode: "image" };
  if (ascii(b, 0, "BM") && b.length >= 26) return { mediatype: "image/bmp", mode: "image" };
  const brands = ftypBrands(b);
  if (brands) {
    if (brands.some((x) => x === "avif" || x === "avis")) return { mediatype: "image/avif", mode: "image" };
    if (brands.some((x) => ["heic", "heix", "heim", "heis", "mif1", "msf1"].includes(x))) return { mediatype: "image/heic", mode: "image" };
    if (brands.some((x) => x === "M4A " || x === "M4B ") || AUDIO_EXT.has(e)) return { mediatype: "audio/mp4", mode: "audio" };
    if (brands[0] === "qt  ") return { mediatype: "video/quicktime", mode: "video" };
    return { mediatype: "video/mp4", mode: "video" };
  }
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) return { mediatype: "audio/wav", mode: "audio" };
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "AVI ")) return { mediatype: "video/avi", mode: "video" };
  if (ascii(b, 0, "FORM") && (ascii(b, 8, "AIFF") || ascii(b, 8, "AIFC"))) return { mediatype: "audio/aiff", mode: "audio" };
  if (ascii(b, 0, "fLaC")) return { mediatype: "audio/flac", mode: "audio" };
  if (ascii(b, 0, "wvpk")) return { mediatype: "audio/x-wavpack", mode: "audio" };
  if (ascii(b, 0, "ID3") || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0 && (b[1]! & 0x06) !== 0)) {
    return { mediatype: "audio/mpeg", mode: "audio" };
  }
  if (ascii(b, 0, "OggS")) {
    // the first page's codec header names the stream: Theora/VP8 are video, the rest audio
    const video = ascii(b, 29, "theora") || ascii(b, 28, "OVP80");
    return video ? { mediatype: "video/ogg", mode: "video" } : { mediatype: "audio/ogg", mode: "audio" };
  }
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) {
    const webm = indexOfAscii(b, "webm") >= 0;
    if (AUDIO_EXT.has(e)) return { mediatype: webm ? "audio/webm" : "audio/x-matroska", mode: "audio" };
    return { mediatype: webm ? "video/webm" : "video/x-matroska", mode: "video" };
  }
  if (b[0] === 0x00 && b[1] === 0x00 && b[2] === 0x01 && (b[3] === 0xba || b[3] === 0xb3)) return { mediatype: "video/mpeg", mode: "video" };
  if (ascii(b, 0, "%PDF-")) return { mediatype: "application/pdf", mode: "text" };
  if (ascii(b, 0, "PK\x03\x04") && ascii(b, 30, "mimetype") && ascii(b, 38, "application/epub+zip")) {
    return { mediatype: "application/epub+zip", mode: "text" };
  }
  if (looksLikeText(b)) {
    const start = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false }).decode(b.subarray(0, 1024));
    if (HTML_START.test(start) || e === "html" || e === "htm" || e === "xhtml") return { mediatype: "text/html", mode: "text" };
    if (e === "md" || e === "markdown") return { mediatype: "text/markdown", mode: "text" };
    return { mediatype: "text/plain", mode: "text" };
  }
  return { mediatype: "application/octet-stream", mode: null };
}

function indexOfAscii(b: Uint8Array, s: string): number {
  outer: for (let i = 0; i + s.length <= b.length; i++) {
    for (let j = 0; j < s.length; j++) if (b[i + j] !== s.charCodeAt(j)) continue outer;
    return i;
  }
  return -1;
}

/** No NUL byte and valid UTF-8 (a multibyte character cut at the end of the sample is allowed). */
export function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0 || b.includes(0)) return false;
  let end = b.length;
  // drop an incomplete trailing sequence: the sample may end mid-character
  for (let k = 1; k <= 3 && end - k >= 0; k++) {
    const c = b[end - k]!;
    if ((c & 0xc0) === 0x80) continue;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (need > k) end -= k;
    break;
  }
  try {
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(b.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}
