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
export { genMetaCodeV0, softHashMetaV0, multihashBlake3, type MetaCodeResult } from "./code-meta.js";
export { genTextCodeV0, softHashTextV0 } from "./code-text.js";
export { genImageCodeV0, softHashImageV0 } from "./code-image.js";
export { genAudioCodeV0, softHashAudioV0 } from "./code-audio.js";
export { genVideoCodeV0, softHashVideoV0 } from "./code-video.js";
export { genMixedCodeV0, softHashCodesV0 } from "./code-mixed.js";
export { genDataCodeV0, DataHasher } from "./code-data.js";
export { genInstanceCodeV0, InstanceHasher } from "./code-instance.js";
export { textClean, textCollapse, textTrim, textRemoveNewlines } from "./text.js";
export { canonicalize as canonicalJson } from "../encoding/canonical-json.js";
export { imagePixelsFromRgba, exifTranspose, resizeBicubicGray, type RgbaImage, type NormalizeOptions } from "./image-normalize.js";
export { exifOrientation, jpegExif, pngExif } from "./exif-orientation.js";
export { enableWasmBlake3, enableNativeBlake3, enableFastBlake3 } from "./blake3.js";
