import { parseIscc, type IsccUnitInfo } from "./codec.js";
import { IsccError } from "./errors.js";
import { MainType } from "./header.js";

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/** Number of differing bits over the common prefix (the shorter of the two lengths). */
export function hammingDistance(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let d = 0;
  for (let i = 0; i < n; i++) d += POPCOUNT[a[i]! ^ b[i]!]!;
  return d;
}

export interface UnitComparison {
  /** Hamming distance over the common prefix. */
  distance: number;
  /** Bits compared: the shorter body length. */
  commonPrefixBits: number;
  /** 1 − distance / commonPrefixBits (iscc-core's normalized prefix Hamming similarity). */
  similarity: number;
}

function asInfo(x: string | IsccUnitInfo): IsccUnitInfo {
  return typeof x === "string" ? parseIscc(x) : x;
}

/**
 * Compares two units of the same main type, subtype and version over their common prefix, so that
 * a 64-bit unit can be matched against a 256-bit one.
 */
export function compareUnits(a: string | IsccUnitInfo, b: string | IsccUnitInfo): UnitComparison {
  const ua = asInfo(a);
  const ub = asInfo(b);
  if (ua.maintype === MainType.ISCC || ub.maintype === MainType.ISCC) {
    throw new IsccError("cannot compare ISCC-CODEs directly: decompose them into units first");
  }
  if (ua.maintype === MainType.ID || ub.maintype === MainType.ID) {
    throw new IsccError("ISCC-IDs are identifiers, not similarity hashes: compare them for equality");
  }
  if (ua.typeName !== ub.typeName) {
    throw new IsccError(`cannot compare units of different types: ${ua.typeName} vs ${ub.typeName}`);
  }
  const commonPrefixBits = Math.min(ua.bits, ub.bits);
  const distance = hammingDistance(ua.body, ub.body);
  return { distance, commonPrefixBits, similarity: 1 - distance / commonPrefixBits };
}

/** Similarity 0…1 of two units of the same type over their common prefix. */
export function unitSimilarity(a: string | IsccUnitInfo, b: string | IsccUnitInfo): number {
  return compareUnits(a, b).similarity;
}
