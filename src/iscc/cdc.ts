import { CDC_GEAR } from "./cdc-gear.js";

export interface CdcParams {
  minSize: number;
  maxSize: number;
  centerSize: number;
  maskS: number;
  maskL: number;
}

/** FastCDC parameters for an average chunk size (iscc-core's alg_cdc_params). */
export function cdcParams(avgSize: number): CdcParams {
  const minSize = Math.floor(avgSize / 4);
  const maxSize = avgSize * 8;
  const offset = minSize + Math.ceil(minSize / 2);
  const bits = Math.round(Math.log2(avgSize));
  return {
    minSize,
    maxSize,
    centerSize: avgSize - offset,
    maskS: 2 ** (bits + 1) - 1,
    maskL: 2 ** (bits - 1) - 1,
  };
}

export const DATA_CDC = cdcParams(1024);

/**
 * Length of the next chunk of buf[start, end): gear rolling hash with the stricter mask before
 * centerSize and the looser one after, never shorter than minSize (unless the data ends) nor longer than maxSize.
 */
export function cdcOffset(buf: Uint8Array, start: number, end: number, p: CdcParams = DATA_CDC): number {
  const size = end - start;
  const gear = CDC_GEAR;
  let i = start + Math.min(p.minSize, size);
  let barrier = start + Math.min(p.centerSize, size);
  // int32 arithmetic: the true pattern stays below 2^32 and only its low bits are tested, so the
  // wrapped value gives identical cut points while keeping the loop in small integers
  let pattern = 0;
  const maskS = p.maskS;
  while (i < barrier) {
    pattern = ((pattern >>> 1) + gear[buf[i]!]!) | 0;
    if ((pattern & maskS) === 0) return i + 1 - start;
    i++;
  }
  barrier = start + Math.min(p.maxSize, size);
  const maskL = p.maskL;
  while (i < barrier) {
    pattern = ((pattern >>> 1) + gear[buf[i]!]!) | 0;
    if ((pattern & maskL) === 0) return i + 1 - start;
    i++;
  }
  return i - start;
}
