import { decodeUnitTypes, headerOf, parseIscc } from "./codec.js";
import { MainType } from "./header.js";
import { toHex } from "./hex.js";
import { normalizeIscc } from "./iscc-code.js";

/** iscc-core's type id, e.g. "CONTENT-TEXT-V0-64" or "ISCC-SUM-V0-DI". */
export function typeId(input: string): string {
  const info = parseIscc(normalizeIscc(input));
  const h = headerOf(info.code);
  if (h.maintype === MainType.ISCC) {
    const letters = decodeUnitTypes(h.length).map((mt) => MainType[mt]![0]).join("");
    return `${info.typeName}-${letters}DI`;
  }
  return `${info.typeName}-${info.bits}`;
}

/** Human-readable form, as iscc-core's iscc_explain: type id and hex body (ISCC-ID v1: timestamp and hub). */
export function explain(input: string): string {
  const info = parseIscc(normalizeIscc(input));
  if (info.maintype === MainType.ID) {
    if (info.version === 1) {
      const v = new DataView(info.body.buffer, info.body.byteOffset, 8).getBigUint64(0);
      return `ID-REALM_${info.subtype}-V1-64-${v >> 12n}-${v & 0xfffn}`;
    }
    if (info.body.length > 8) {
      let counter = 0;
      let shift = 1;
      for (const b of info.body.subarray(8)) {
        counter += (b & 0x7f) * shift;
        shift *= 128;
        if (!(b & 0x80)) break;
      }
      return `${typeId(info.code)}-${toHex(info.body.subarray(0, 8))}-${counter}`;
    }
  }
  return `${typeId(info.code)}-${toHex(info.body)}`;
}
