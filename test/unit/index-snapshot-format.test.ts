/** The snapshot formats isolates share (unit index, URL filter): round trips and refusals. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rowMark } from "../../src/domain/table-mark";
import { decodeSections, encodeSections, SectionsError } from "../../src/encoding/sections";
import { BinaryFuse16 } from "../../src/filter/binary-fuse";
import { decodeFilterSnapshot, encodeFilterSnapshot } from "../../src/filter/filter-snapshot";
import { decodeUnitSnapshot, encodeUnitSnapshot } from "../../src/similarity/unit-snapshot";

const mark = { first: rowMark(1, 1, "ISCC:EAA"), last: rowMark(9, 4, "ISCC:EAB") };

describe("sections", () => {
  it("round-trip any header and arrays, at any byte offset", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), fc.array(fc.integer()), fc.array(fc.nat({ max: 0xffff })), fc.nat({ max: 7 }), (header, ints, shorts, pad) => {
        const bytes = encodeSections("TEST", header, [Int32Array.from(ints), Uint16Array.from(shorts)]);
        const shifted = new Uint8Array(bytes.length + pad);
        shifted.set(bytes, pad);
        const back = decodeSections("TEST", shifted.subarray(pad));
        expect([...(back.sections[0] as Int32Array)]).toEqual(ints);
        expect([...(back.sections[1] as Uint16Array)]).toEqual(shorts);
        for (const [k, v] of Object.entries(header)) if (k !== "sections") expect(back.header[k]).toBe(v);
      }),
    );
  });

  it("refuse another magic, a truncated file, trailing bytes", () => {
    const bytes = encodeSections("TEST", {}, [Int32Array.of(1, 2, 3)]);
    expect(() => decodeSections("OTHR", bytes)).toThrow(SectionsError);
    expect(() => decodeSections("TEST", bytes.subarray(0, bytes.length - 4))).toThrow(SectionsError);
    expect(() => decodeSections("TEST", Uint8Array.of(...bytes, 0, 0, 0, 0))).toThrow(SectionsError);
  });
});

describe("unit index snapshot", () => {
  it("round-trips the columns of every unit type and the table mark", () => {
    const types = [
      { unitType: "CONTENT-TEXT-V0", hi: Int32Array.of(-1, 5, 0x7fffffff), lo: Int32Array.of(0, -2, 3), rowid: Uint32Array.of(1, 4, 9) },
      { unitType: "DATA-NONE-V0", hi: Int32Array.of(7), lo: Int32Array.of(8), rowid: Uint32Array.of(2) },
    ];
    const back = decodeUnitSnapshot(encodeUnitSnapshot({ mark, types }));
    expect(back.mark).toEqual(mark);
    expect(back.types.map((t) => ({ unitType: t.unitType, hi: [...t.hi], lo: [...t.lo], rowid: [...t.rowid] }))).toEqual(
      types.map((t) => ({ unitType: t.unitType, hi: [...t.hi], lo: [...t.lo], rowid: [...t.rowid] })),
    );
  });

  it("refuses columns of different lengths and a filter snapshot", () => {
    expect(() => encodeUnitSnapshot({ mark, types: [{ unitType: "X", hi: Int32Array.of(1), lo: Int32Array.of(), rowid: Uint32Array.of(1) }] })).toThrow(SectionsError);
    const filter = BinaryFuse16.build(Uint32Array.of(1, 2, 3), Uint32Array.of(4, 5, 6));
    expect(() => decodeUnitSnapshot(encodeFilterSnapshot({ mark, filter }))).toThrow(SectionsError);
  });
});

describe("URL filter snapshot", () => {
  it("answers exactly as the filter it was made of", () => {
    const a = Uint32Array.from({ length: 5000 }, (_, i) => Math.imul(i, 2654435761) >>> 0);
    const b = Uint32Array.from({ length: 5000 }, (_, i) => Math.imul(i + 7, 40503) >>> 0);
    const filter = BinaryFuse16.build(a, b);
    const back = decodeFilterSnapshot(encodeFilterSnapshot({ mark, filter }));
    expect(back.mark).toEqual(mark);
    for (let i = 0; i < a.length; i++) expect(back.filter.has(a[i]!, b[i]!)).toBe(true);
    for (let i = 0; i < 20_000; i++) expect(back.filter.has(i, i * 3)).toBe(filter.has(i, i * 3));
  });
});
