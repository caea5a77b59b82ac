import { IsccError } from "./errors.js";

/** Payload bytes of an RFC 2397 data: URL (base64 or percent-encoded). */
export function decodeDataUrl(url: string): Uint8Array {
  const m = /^data:([^,]*),(.*)$/is.exec(url.trim());
  if (!m) throw new IsccError("meta string must be a data: URL (data:[<media type>][;base64],<data>)");
  const params = m[1]!;
  const data = m[2]!;
  if (/;base64$/i.test(params)) return decodeBase64(data);
  // Percent-decoding works on the UTF-8 bytes, like urllib's unquote_to_bytes.
  const raw = new TextEncoder().encode(data);
  const out: number[] = [];
  const hex = (b: number): number => (b >= 48 && b <= 57 ? b - 48 : b >= 65 && b <= 70 ? b - 55 : b >= 97 && b <= 102 ? b - 87 : -1);
  for (let i = 0; i < raw.length; i++) {
    const hi = hex(raw[i + 1] ?? 0x100);
    const lo = hex(raw[i + 2] ?? 0x100);
    if (raw[i] === 0x25 && hi >= 0 && lo >= 0) {
      out.push(hi * 16 + lo);
      i += 2;
    } else {
      out.push(raw[i]!);
    }
  }
  return Uint8Array.from(out);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_LOOKUP[B64.charCodeAt(i)] = i;
B64_LOOKUP["-".charCodeAt(0)] = 62;
B64_LOOKUP["_".charCodeAt(0)] = 63;

export function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/[\s=]+/g, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buf = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 128 ? B64_LOOKUP[c]! : -1;
    if (v < 0) throw new IsccError(`invalid base64 character ${JSON.stringify(clean[i])} in data: URL`);
    buf = ((buf << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (buf >> bits) & 0xff;
    }
  }
  return out.subarray(0, j);
}
