import { encodeUnit } from "./codec.js";
import { MainType, ST_CC } from "./header.js";
import { simhash } from "./simhash.js";

/** Each value as 4 big-endian two's-complement bytes, as views into one buffer. */
function int32beAll(values: readonly number[]): Uint8Array[] {
  const buf = new Uint8Array(values.length * 4);
  const view = new DataView(buf.buffer);
  return values.map((v, i) => {
    view.setInt32(i * 4, v);
    return buf.subarray(i * 4, i * 4 + 4);
  });
}

/** more_itertools.divide: n contiguous parts, the first (len mod n) one item longer. */
function divide<T>(n: number, items: readonly T[]): T[][] {
  const q = Math.floor(items.length / n);
  const r = items.length % n;
  const parts: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const size = q + (i < r ? 1 : 0);
    parts.push(items.slice(start, start + size));
    start += size;
  }
  return parts;
}

/**
 * Simhash of all Chromaprint features (32 bits), then of 4 quarters (→ 160 bits), then of 3 thirds
 * of the sorted features (→ 256 bits); empty parts contribute zero bits.
 */
export function softHashAudioV0(cv: readonly number[], bits = 64): Uint8Array {
  const digests = int32beAll(cv);
  if (digests.length === 0) return new Uint8Array(32);
  const parts: Uint8Array[] = [simhash(digests)];
  let length = 32;
  const join = () => {
    const out = new Uint8Array(parts.length * 4);
    parts.forEach((p, i) => out.set(p, i * 4));
    return out;
  };
  for (const bucket of divide(4, digests)) {
    parts.push(bucket.length ? simhash(bucket) : new Uint8Array(4));
    length += 32;
    if (length === bits) return join();
  }
  const sorted = int32beAll([...cv].sort((a, b) => a - b));
  for (const bucket of divide(3, sorted)) {
    parts.push(bucket.length ? simhash(bucket) : new Uint8Array(4));
    length += 32;
    if (length === bits) return join();
  }
  return join();
}

/** gen_audio_code_v0(cv, bits): cv is a Chromaprint fingerprint as signed 32-bit integers. */
export function genAudioCodeV0(cv: readonly number[], bits = 64): { iscc: string } {
  return { iscc: encodeUnit(MainType.CONTENT, ST_CC.AUDIO, 0, bits, softHashAudioV0(cv, bits)) };
}
