import { decompose, encodeRaw, encodeUnitTypes, headerOf as parseIsccHead, parseIscc, type IsccUnitInfo } from "./codec.js";
import { IsccError } from "./errors.js";
import { MainType, ST_ISCC } from "./header.js";

/**
 * Composes ISCC-UNITs into an ISCC-CODE (gen_iscc_code_v0): Data and Instance are required, Meta,
 * Semantic and Content optional; each contributes its first 64 bits, or 128 bits for WIDE.
 */
export function genIsccCodeV0(codes: readonly string[], wide = false): { iscc: string } {
  if (!Array.isArray(codes) || codes.length < 2) {
    throw new IsccError("Minimum two ISCC units required to generate valid ISCC-CODE");
  }
  const units: IsccUnitInfo[] = codes.map((c, i) => {
    const u = parseIscc(c);
    if (u.bits < 64) throw new IsccError(`Cannot build ISCC-CODE from units shorter than 64-bits: unit ${i} (${u.code}) has ${u.bits}`);
    return u;
  });
  // Stable sort, as Python's sorted(): equal main types keep their input order.
  units.sort((a, b) => a.maintype - b.maintype);
  const types = units.map((u) => u.maintype);
  const n = types.length;
  if (types[n - 2] !== MainType.DATA || types[n - 1] !== MainType.INSTANCE) {
    throw new IsccError("ISCC-CODE requires at least MT.DATA and MT.INSTANCE units (and no ISCC, ID or FLAKE)");
  }
  const isWide = wide && n === 2 && units.every((u) => u.bits >= 128);
  let subtype: number;
  if (isWide) {
    subtype = ST_ISCC.WIDE;
  } else {
    const contentSubtypes = new Set(
      units.filter((u) => u.maintype === MainType.SEMANTIC || u.maintype === MainType.CONTENT).map((u) => u.subtype),
    );
    if (contentSubtypes.size > 1) throw new IsccError("Semantic-Code and Content-Code must be of same SubType");
    subtype = contentSubtypes.size ? [...contentSubtypes][0]! : n === 2 ? ST_ISCC.SUM : ST_ISCC.NONE;
  }
  const length = encodeUnitTypes(types.slice(0, -2));
  const take = isWide ? 16 : 8;
  const body = new Uint8Array(units.length * take);
  units.forEach((u, i) => body.set(u.body.subarray(0, take), i * take));
  return { iscc: encodeRaw({ maintype: MainType.ISCC, subtype, version: 0, length }, body) };
}

/**
 * Canonical form of any ISCC notation (iscc_normalize): a concatenation of units is composed into
 * an ISCC-CODE, keeping WIDE if the input was WIDE; a single unit or code is returned canonically.
 */
export function normalizeIscc(input: string): string {
  const units = decompose(input);
  if (units.length < 2) return units[0]!.code;
  const first = parseIsccHead(input);
  return genIsccCodeV0(units.map((u) => u.code), first.maintype === MainType.ISCC && first.subtype === ST_ISCC.WIDE).iscc;
}
