import { bodyBits, encodeUnit, isccToBytes } from "./codec.js";
import { IsccError } from "./errors.js";
import { decodeHeader, MainType, ST_CC } from "./header.js";
import { simhash } from "./simhash.js";

/** Simhash over each Content-Code's first header byte plus its first bits/8 − 1 body bytes. */
export function softHashCodesV0(codes: readonly string[], bits = 64): Uint8Array {
  if (codes.length < 2) throw new IsccError("Minimum of 2 codes needed for Content-Code-Mixed.");
  const nbytes = bits / 8;
  const digests = codes.map((code) => {
    const raw = isccToBytes(code);
    const { header, size } = decodeHeader(raw);
    if (header.maintype !== MainType.CONTENT) {
      throw new IsccError(`Only codes with main-type CONTENT allowed as input for Content-Code-Mixed: ${code}`);
    }
    if (bodyBits(header) < bits) throw new IsccError(`Code too short for ${bits}-bit length: ${code}`);
    const d = new Uint8Array(nbytes);
    d[0] = raw[0]!;
    d.set(raw.subarray(size, size + nbytes - 1), 1);
    return d;
  });
  return simhash(digests);
}

/** gen_mixed_code_v0(codes, bits) → { iscc, parts } with parts echoing the input codes. */
export function genMixedCodeV0(codes: readonly string[], bits = 64): { iscc: string; parts: string[] } {
  return { iscc: encodeUnit(MainType.CONTENT, ST_CC.MIXED, 0, bits, softHashCodesV0(codes, bits)), parts: [...codes] };
}
