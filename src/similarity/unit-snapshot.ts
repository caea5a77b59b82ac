/**
 * The in-memory unit index (memory-index.ts) as bytes, so that a fresh isolate loads it in one read
 * instead of rebuilding it from a million rows: per unit type, the first 64 bits of every unit (two
 * 32-bit halves) and its iscc_units rowid, 12 bytes a unit, plus the table mark (domain/table-mark.ts)
 * saying which rows of which table it holds. The band index is not stored: it is rebuilt from the
 * halves (a counting sort, milliseconds). Format "OOUS" (sections.ts), format 1.
 */
import { decodeSections, encodeSections, SectionsError } from "../encoding/sections";
import type { TableMark } from "../domain/table-mark";

export const UNIT_SNAPSHOT_FORMAT = 1;
const MAGIC = "OOUS";

export interface UnitColumns {
  unitType: string;
  hi: Int32Array;
  lo: Int32Array;
  rowid: Uint32Array;
}

export interface UnitSnapshot {
  mark: TableMark;
  types: UnitColumns[];
}

export function encodeUnitSnapshot(s: UnitSnapshot): Uint8Array {
  const sections: (Int32Array | Uint32Array)[] = [];
  for (const t of s.types) {
    if (t.hi.length !== t.lo.length || t.hi.length !== t.rowid.length) throw new SectionsError(`columns of ${t.unitType} differ in length`);
    sections.push(t.hi, t.lo, t.rowid);
  }
  return encodeSections(MAGIC, { format: UNIT_SNAPSHOT_FORMAT, mark: s.mark, types: s.types.map((t) => t.unitType) }, sections);
}

export function decodeUnitSnapshot(bytes: Uint8Array): UnitSnapshot {
  const { header, sections } = decodeSections(MAGIC, bytes);
  if (header.format !== UNIT_SNAPSHOT_FORMAT) throw new SectionsError(`unit snapshot format ${String(header.format)}, expected ${UNIT_SNAPSHOT_FORMAT}`);
  const types = header.types as string[];
  const mark = header.mark as TableMark;
  if (!Array.isArray(types) || sections.length !== 3 * types.length || !mark?.first || !mark?.last) throw new SectionsError("unit snapshot header does not match its sections");
  return {
    mark,
    types: types.map((unitType, i) => {
      const [hi, lo, rowid] = sections.slice(3 * i, 3 * i + 3);
      if (!(hi instanceof Int32Array && lo instanceof Int32Array && rowid instanceof Uint32Array) || hi.length !== lo.length || hi.length !== rowid.length)
        throw new SectionsError(`unit snapshot columns of ${unitType} are malformed`);
      return { unitType, hi, lo, rowid };
    }),
  };
}
