/**
 * The in-memory unit index (memory-index.ts) as bytes, so that a fresh isolate loads it in one read
 * instead of rebuilding it from a million rows: per unit type, the first 64 bits of every unit (two
 * 32-bit halves) and its iscc_units rowid, plus the table mark (domain/table-mark.ts) saying which
 * rows of which table it holds. The band index is not stored: it is rebuilt from the halves (a
 * counting sort). Format "OOUS" (sections.ts).
 *
 * Format 2 stores a type's rowids, which rise, as the step from the one before in LEB128 bytes (7
 * bits a byte): one byte a unit while a type's units lie fewer than 128 rows apart, so about 9 bytes
 * a unit instead of format 1's 12 (rowids as u32). A cold isolate's first match reads the whole
 * snapshot through D1 and that read is most of its cost (BENCHMARKS.md, "match cold start"), so a
 * quarter fewer bytes is a quarter less of it. Format 1 is still read.
 */
import { decodeSections, encodeSections, SectionsError } from "../encoding/sections";
import type { TableMark } from "../domain/table-mark";

export const UNIT_SNAPSHOT_FORMAT = 2;
const MAGIC = "OOUS";

export interface UnitColumns {
  unitType: string;
  hi: Int32Array;
  lo: Int32Array;
  /** Rising. */
  rowid: Float64Array;
}

export interface UnitSnapshot {
  mark: TableMark;
  types: UnitColumns[];
}

export function encodeUnitSnapshot(s: UnitSnapshot): Uint8Array {
  const sections: (Int32Array | Uint8Array)[] = [];
  for (const t of s.types) {
    if (t.hi.length !== t.lo.length || t.hi.length !== t.rowid.length) throw new SectionsError(`columns of ${t.unitType} differ in length`);
    sections.push(t.hi, t.lo, risingAsSteps(t.rowid, t.unitType));
  }
  return encodeSections(MAGIC, { format: UNIT_SNAPSHOT_FORMAT, mark: s.mark, types: s.types.map((t) => t.unitType) }, sections);
}

export function decodeUnitSnapshot(bytes: Uint8Array): UnitSnapshot {
  const { header, sections } = decodeSections(MAGIC, bytes);
  const format = header.format;
  if (format !== UNIT_SNAPSHOT_FORMAT && format !== 1) throw new SectionsError(`unit snapshot format ${String(format)}, expected ${UNIT_SNAPSHOT_FORMAT}`);
  const types = header.types as string[];
  const mark = header.mark as TableMark;
  if (!Array.isArray(types) || sections.length !== 3 * types.length || !mark?.first || !mark?.last) throw new SectionsError("unit snapshot header does not match its sections");
  return {
    mark,
    types: types.map((unitType, i) => {
      const [hi, lo, rowid] = sections.slice(3 * i, 3 * i + 3);
      if (!(hi instanceof Int32Array && lo instanceof Int32Array) || hi.length !== lo.length) throw new SectionsError(`unit snapshot columns of ${unitType} are malformed`);
      if (format === 1) {
        if (!(rowid instanceof Uint32Array) || rowid.length !== hi.length) throw new SectionsError(`unit snapshot rowids of ${unitType} are malformed`);
        return { unitType, hi, lo, rowid: Float64Array.from(rowid) };
      }
      if (!(rowid instanceof Uint8Array)) throw new SectionsError(`unit snapshot rowids of ${unitType} are malformed`);
      return { unitType, hi, lo, rowid: risingFromSteps(rowid, hi.length, unitType) };
    }),
  };
}

/** Each value's step from the one before (the first's from 0), LEB128: 7 bits a byte, low bits first. */
function risingAsSteps(rising: Float64Array, unitType: string): Uint8Array {
  let size = 0;
  for (let i = 0, prev = 0; i < rising.length; prev = rising[i++]!) {
    const step = rising[i]! - prev;
    if (!(step >= 1) || !Number.isSafeInteger(rising[i])) throw new SectionsError(`rowids of ${unitType} do not rise`);
    for (let d = step; d >= 128; d = Math.floor(d / 128)) size++;
    size++;
  }
  const out = new Uint8Array(size);
  let k = 0;
  for (let i = 0, prev = 0; i < rising.length; prev = rising[i++]!) {
    let d = rising[i]! - prev;
    for (; d >= 128; d = Math.floor(d / 128)) out[k++] = (d % 128) | 128;
    out[k++] = d;
  }
  return out;
}

/** The n rising values of risingAsSteps' bytes. */
function risingFromSteps(bytes: Uint8Array, n: number, unitType: string): Float64Array {
  const out = new Float64Array(n);
  let value = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    let b = bytes[k++]!;
    let step = b & 127;
    for (let scale = 128; b >= 128; scale *= 128) {
      if (k >= bytes.length || scale > 2 ** 49) throw new SectionsError(`unit snapshot rowids of ${unitType} are malformed`);
      b = bytes[k++]!;
      step += (b & 127) * scale;
    }
    if (step === 0) throw new SectionsError(`unit snapshot rowids of ${unitType} do not rise`);
    value += step;
    out[i] = value;
  }
  if (k !== bytes.length || !Number.isSafeInteger(value)) throw new SectionsError(`unit snapshot rowids of ${unitType} are malformed`);
  return out;
}
