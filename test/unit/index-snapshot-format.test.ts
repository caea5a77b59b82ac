/** The snapshot formats isolates share (unit index, URL filter): round trips and refusals. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rowMark } from "../../src/domain/table-mark";
import { decodeSections, encodeSections, SectionsError } from "../../src/encoding/sections";
import { BinaryFuse16 } from "../../src/filter/binary-fuse";
import { decodeFilterSnapshot, encodeFilterSnapshot } from "../../src/filter/filter-snapshot";
import { decodeUnitSnapshot, encodeUnitSnapshot, type UnitColumns } from "../../src/similarity/unit-snapshot";

const mark = { first: rowMark(1, 1, "ISCC:EAA"), last: rowMark(9, 4, "ISCC:EAB") };

describe("sections", () => {
  it("round-trip any header and arrays, at any byte offset", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), fc.array(fc.integer()), fc.array(fc.nat({ max: 0xffff })), fc.nat({ max: 7 }), (header, ints, shorts, pad) => {
        const bytes = encodeSections("TEST", header, [Int32Array.from(ints), Uint16Array.from(shorts), Uint8Array.from(shorts, (x) => x & 0xff)]);
        const shifted = new Uint8Array(bytes.length + pad);
        shifted.set(bytes, pad);
        const back = decodeSections("TEST", shifted.subarray(pad));
        expect([...(back.sections[0] as Int32Array)]).toEqual(ints);
        expect([...(back.sections[1] as Uint16Array)]).toEqual(shorts);
        expect([...(back.sections[2] as Uint8Array)]).toEqual(shorts.map((x) => x & 0xff));
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
  const columnsOf = (types: UnitColumns[]) => types.map((t) => ({ unitType: t.unitType, hi: [...t.hi], lo: [...t.lo], rowid: [...t.rowid] }));

  it("round-trips the columns of every unit type and the table mark", () => {
    const types = [
      { unitType: "CONTENT-TEXT-V0", hi: Int32Array.of(-1, 5, 0x7fffffff), lo: Int32Array.of(0, -2, 3), rowid: Float64Array.of(1, 4, 9) },
      { unitType: "DATA-NONE-V0", hi: Int32Array.of(7), lo: Int32Array.of(8), rowid: Float64Array.of(2) },
    ];
    const back = decodeUnitSnapshot(encodeUnitSnapshot({ mark, types }));
    expect(back.mark).toEqual(mark);
    expect(columnsOf(back.types)).toEqual(columnsOf(types));
  });

  it("round-trips any rising rowids, near or far apart (a step of 1 is one byte)", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 127 }), fc.integer({ min: 1, max: 2 ** 40 })), { maxLength: 200 }), (steps) => {
        let at = 0;
        const rowid = Float64Array.from(steps, (s) => (at += s));
        const hi = Int32Array.from(steps, (s) => s | 0);
        const types = [{ unitType: "META-NONE-V0", hi, lo: hi.map((x) => ~x), rowid }];
        expect(columnsOf(decodeUnitSnapshot(encodeUnitSnapshot({ mark, types })).types)).toEqual(columnsOf(types));
      }),
    );
    const ones = encodeUnitSnapshot({ mark, types: [{ unitType: "X", hi: new Int32Array(1000), lo: new Int32Array(1000), rowid: Float64Array.from({ length: 1000 }, (_, i) => i + 1) }] });
    const fours = encodeUnitSnapshot({ mark, types: [{ unitType: "X", hi: new Int32Array(1000), lo: new Int32Array(1000), rowid: Float64Array.from({ length: 1000 }, (_, i) => 4 * i + 1) }] });
    expect(ones.length).toBe(fours.length);
    expect(ones.length).toBeLessThan(9 * 1000 + 200);
  });

  it("reads format 1 (rowids as u32)", () => {
    const bytes = encodeSections("OOUS", { format: 1, mark, types: ["DATA-NONE-V0"] }, [Int32Array.of(7, 9), Int32Array.of(8, 10), Uint32Array.of(2, 2 ** 32 - 1)]);
    expect(columnsOf(decodeUnitSnapshot(bytes).types)).toEqual([{ unitType: "DATA-NONE-V0", hi: [7, 9], lo: [8, 10], rowid: [2, 2 ** 32 - 1] }]);
  });

  it("refuses columns of different lengths, rowids that do not rise, damaged rowids and a filter snapshot", () => {
    expect(() => encodeUnitSnapshot({ mark, types: [{ unitType: "X", hi: Int32Array.of(1), lo: Int32Array.of(), rowid: Float64Array.of(1) }] })).toThrow(SectionsError);
    expect(() => encodeUnitSnapshot({ mark, types: [{ unitType: "X", hi: Int32Array.of(1, 2), lo: Int32Array.of(1, 2), rowid: Float64Array.of(3, 3) }] })).toThrow(SectionsError);
    const steps = (bytes: number[]) => encodeSections("OOUS", { format: 2, mark, types: ["X"] }, [Int32Array.of(1, 2), Int32Array.of(1, 2), Uint8Array.from(bytes)]);
    expect(decodeUnitSnapshot(steps([1, 0x81, 1])).types[0]!.rowid).toEqual(Float64Array.of(1, 130));
    for (const bad of [[1], [1, 0x81], [1, 0], [1, 2, 3], [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1]]) expect(() => decodeUnitSnapshot(steps(bad))).toThrow(SectionsError);
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
