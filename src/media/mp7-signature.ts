/**
 * Reading the binary MPEG-7 video signature that ffmpeg's `signature` filter writes
 * (`signature=format=binary`), into one 380-value frame signature (ternary values 0–2) per frame,
 * the input of the Video-Code. Layout as ISO/IEC 15938-3 and ffmpeg's signature_write_binary: a
 * 129-bit preamble, frame count (32), media time unit (16), 65 bits, segment count (32) and the coarse
 * segments (4×32 + 1 + 5×243 bits each), one bit, then per frame: 1 bit, media time (32), confidence (8),
 * 5 words (5×8) and 76 bytes each packing five ternary values in base 3. Pure.
 */
export interface Mp7Frame {
  /** 380 values, each 0, 1 or 2. */
  vector: Uint8Array;
  /** Media time in units of `timeUnit` per second. */
  time: number;
  timeUnit: number;
  confidence: number;
}

export class Mp7Error extends Error {}

const FRAME_BITS = 1 + 32 + 8 + 40 + 76 * 8;
const SEGMENT_BITS = 4 * 32 + 1 + 5 * 243;

class Bits {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  get length() {
    return this.b.length * 8;
  }
  read(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++, this.pos++) v = v * 2 + ((this.b[this.pos >> 3]! >> (7 - (this.pos & 7))) & 1);
    return v;
  }
}

export function readMp7Signature(bytes: Uint8Array): Mp7Frame[] {
  const bits = new Bits(bytes);
  if (bits.length < 129 + 32 + 16 + 65 + 32 + 1) throw new Mp7Error("signature file is too short");
  bits.pos = 129;
  const frames = bits.read(32);
  const timeUnit = bits.read(16);
  bits.pos += 1 + 32 + 32;
  const segments = bits.read(32);
  bits.pos += segments * SEGMENT_BITS + 1;
  if (bits.pos + frames * FRAME_BITS > bits.length) throw new Mp7Error(`signature file is truncated (${frames} frames announced)`);
  const out: Mp7Frame[] = [];
  for (let f = 0; f < frames; f++) {
    bits.pos += 1;
    const time = bits.read(32);
    const confidence = bits.read(8);
    bits.pos += 40;
    const vector = new Uint8Array(380);
    for (let i = 0; i < 76; i++) {
      let byte = bits.read(8);
      for (let k = 4; k >= 0; k--) {
        vector[i * 5 + k] = byte % 3;
        byte = Math.floor(byte / 3);
      }
    }
    out.push({ vector, time, timeUnit, confidence });
  }
  return out;
}
