import { encodeUnit } from "./codec.js";
import { IsccError } from "./errors.js";
import { MainType, ST_CC } from "./header.js";
import { WTA_VIDEO_ID_PERMUTATIONS } from "./wta-permutations.js";

/** Winner-take-all hash: one bit per permutation pair, set when the second element is larger. */
export function wtaHash(vec: ArrayLike<number>, bits: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits / 8));
  const n = Math.min(bits, WTA_VIDEO_ID_PERMUTATIONS.length);
  for (let i = 0; i < n; i++) {
    const [a, b] = WTA_VIDEO_ID_PERMUTATIONS[i]!;
    if (vec[b]! > vec[a]!) out[i >> 3]! |= 0x80 >> (i & 7);
  }
  return out;
}

/** Column sums over the distinct MPEG-7 frame signatures, hashed with WTA. */
export function softHashVideoV0(frameSigs: readonly (readonly number[])[], bits = 64): Uint8Array {
  if (frameSigs.length === 0) throw new IsccError("frame_sigs cannot be empty");
  const seen = new Set<string>();
  const width = frameSigs[0]!.length;
  const sums = new Float64Array(width);
  for (const sig of frameSigs) {
    const key = sig.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    for (let i = 0; i < width; i++) sums[i]! += sig[i]!;
  }
  return wtaHash(sums, bits);
}

/** gen_video_code_v0(frame_sigs, bits): frame signatures of 380 values each. */
export function genVideoCodeV0(frameSigs: readonly (readonly number[])[], bits = 64): { iscc: string } {
  return { iscc: encodeUnit(MainType.CONTENT, ST_CC.VIDEO, 0, bits, softHashVideoV0(frameSigs, bits)) };
}
