// Text normalization exactly as iscc-core's text_clean / text_collapse / text_trim / text_remove_newlines.

/** Python's str.isspace() set; unlike JS \s it includes U+001C–U+001F and U+0085 but not U+FEFF. */
const PY_WS = "\\t-\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, "g");
const WS_RUN = new RegExp(`[${PY_WS}]+`);

/** Characters iscc-core treats as newlines (kept by textClean even though some are control chars). */
const NEWLINES = new Set(["\n", "\u000b", "\u000c", "\r", "\u0085", "\u2028", "\u2029"]);

/** Line boundaries of Python's str.splitlines() that survive control-character removal. */
const LINE_BREAK = /\r\n|[\n\u000b\u000c\r\u0085\u2028\u2029]/;

const CONTROLS = /\p{C}/gu;
const keepNewline = (ch: string) => (NEWLINES.has(ch) ? ch : "");

/** Whitespace (str.isspace), control, mark and punctuation characters, as text_collapse filters them. */
const COLLAPSE_FILTER = new RegExp(`[${PY_WS}\\p{C}\\p{M}\\p{P}]`, "gu");

/** Python str.strip(). */
export function pyStrip(s: string): string {
  return s.replace(STRIP, "");
}

/** NFKC, remove control characters except newlines, keep at most one empty line in a row, strip. */
export function textClean(text: string): string {
  // one pass of a global regex (code point by code point, as the u flag reads them): a loop testing and
  // appending each character made a string per character, ~14 KB a 2-KB text in a scan's workers
  const s = text.normalize("NFKC").replace(CONTROLS, keepNewline);
  const lines = s.split(LINE_BREAK);
  // splitlines() yields no empty element after a final line break
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const out: string[] = [];
  let emptyRun = 0;
  for (const line of lines) {
    if (pyStrip(line) === "") {
      if (emptyRun < 1) {
        out.push("");
        emptyRun++;
      }
    } else {
      out.push(line);
      emptyRun = 0;
    }
  }
  return pyStrip(out.join("\n"));
}

/** Collapse all whitespace runs to single spaces (Python " ".join(text.split())). */
export function textRemoveNewlines(text: string): string {
  return text
    .split(WS_RUN)
    .filter((p) => p !== "")
    .join(" ");
}

const encoder = new TextEncoder();

/** Trim so the UTF-8 encoding has at most `nbytes` bytes, dropping a cut multibyte char, then strip. */
export function textTrim(text: string, nbytes: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= nbytes) return pyStrip(text);
  let cut = nbytes;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  // ignoreBOM keeps a leading U+FEFF, which Python keeps too
  return pyStrip(new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(bytes.subarray(0, cut)));
}

/** NFD, lower-case, drop whitespace, control chars, marks and punctuation, then NFKC. */
export function textCollapse(text: string): string {
  return text.normalize("NFD").toLowerCase().replace(COLLAPSE_FILTER, "").normalize("NFKC");
}

/** Number of Unicode code points (Python len()). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * UTF-8 bytes of `text` and the byte offset of every code point (plus the end), so that code-point
 * windows can be hashed without re-encoding each n-gram.
 */
export function utf8WithOffsets(text: string): { bytes: Uint8Array; offsets: Uint32Array } {
  const bytes = encoder.encode(text);
  const offsets = new Uint32Array(bytes.length + 1);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & 0xc0) !== 0x80) offsets[n++] = i;
  offsets[n++] = bytes.length;
  return { bytes, offsets: offsets.subarray(0, n) };
}
