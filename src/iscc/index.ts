// Public API of the ISCC library (ISO 24138). Pure: no I/O, no Worker or Node imports.
export { IsccError } from "./errors.js";
export { MainType, ST_NONE, ST_CC, ST_ISCC, ST_ID, ST_ID_REALM, encodeHeader, decodeHeader, type Header } from "./header.js";
export { encodeBase32, decodeBase32 } from "./base32.js";
export {
  type IsccUnitInfo,
  encodeUnit,
  parseIscc,
  decompose,
  headerOf,
  bodyBits,
  isccToBytes,
  decodeUnitTypes,
  encodeUnitTypes,
} from "./codec.js";
export { hammingDistance, compareUnits, unitSimilarity, type UnitComparison } from "./distance.js";
export { genIsccIdV1, parseIsccIdV1, type IsccIdV1Fields } from "./iscc-id.js";
export { genIsccCodeV0, normalizeIscc } from "./iscc-code.js";
export { explain, typeId } from "./explain.js";
