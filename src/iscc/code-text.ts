import { encodeUnit } from "./codec.js";
import { MainType, ST_CC } from "./header.js";
import { minhash256 } from "./minhash.js";
import { codePointLength, textCollapse, utf8WithOffsets } from "./text.js";
import { xxh32 } from "./xxh32.js";

const NGRAM = 13;

/** 256-bit minhash of the xxh32 of every 13-code-point window of already collapsed text. */
export function softHashTextV0(collapsed: string): Uint8Array {
  const { bytes, offsets } = utf8WithOffsets(collapsed);
  const chars = offsets.length - 1;
  const windows = Math.max(chars - NGRAM + 1, 1);
  const features = new Uint32Array(windows);
  for (let i = 0; i < windows; i++) features[i] = xxh32(bytes, offsets[i]!, offsets[Math.min(i + NGRAM, chars)]!);
  return minhash256(features);
}

/** gen_text_code_v0(text, bits) → { iscc, characters } (characters counted after collapsing). */
export function genTextCodeV0(text: string, bits = 64): { iscc: string; characters: number } {
  const collapsed = textCollapse(text);
  const digest = softHashTextV0(collapsed);
  return { iscc: encodeUnit(MainType.CONTENT, ST_CC.TEXT, 0, bits, digest), characters: codePointLength(collapsed) };
}
