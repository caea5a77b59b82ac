import { describe, expect, it } from "vitest";
import { jpegSegments, pngChunks } from "../../src/encoding/image-containers";

const seg = (marker: number, data: number[]) => [0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff, ...data];

describe("jpegSegments", () => {
  it("reads segments up to the start of scan, past fill bytes and markers without a length", () => {
    const b = Uint8Array.from([0xff, 0xd8, ...seg(0xe0, [1, 2]), 0xff, 0xff, 0xd0, ...seg(0xdb, [3]), 0xff, 0xda, 9, 9, 9]);
    const { segments, end } = jpegSegments(b);
    expect(end).toEqual({ stop: "end" });
    expect(segments.map((s) => [s.marker, s.at, [...s.data]])).toEqual([
      [0xe0, 2, [1, 2]],
      [0xdb, 11, [3]],
    ]);
  });

  it("says where a walk stops on a byte that is not a marker, a segment cut short, or no start of scan", () => {
    expect(jpegSegments(Uint8Array.from([0xff, 0xd8, ...seg(0xe0, [1]), 0x00, 0x00, 0, 0])).end).toEqual({ stop: "no-marker", at: 7 });
    expect(jpegSegments(Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x10, 1, 2])).end).toEqual({ stop: "cut-short", at: 2 });
    expect(jpegSegments(Uint8Array.from([0xff, 0xd8, ...seg(0xe0, [1])])).end).toEqual({ stop: "exhausted" });
  });
});

const chunk = (type: string, data: number[]) => [0, 0, data.length >> 8, data.length & 0xff, ...[...type].map((c) => c.charCodeAt(0)), ...data, 0, 0, 0, 0];
const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

describe("pngChunks", () => {
  it("reads chunks up to IEND", () => {
    const { chunks, end } = pngChunks(Uint8Array.from([...SIGNATURE, ...chunk("IHDR", [1, 2, 3]), ...chunk("IEND", []), ...chunk("tEXt", [4])]));
    expect(end).toEqual({ stop: "end" });
    expect(chunks.map((c) => [c.type, c.at, [...c.data]])).toEqual([
      ["IHDR", 8, [1, 2, 3]],
      ["IEND", 23, []],
    ]);
  });

  it("names the chunk that runs past the end, and says when there is no IEND", () => {
    const cut = Uint8Array.from([...SIGNATURE, ...chunk("IHDR", [1]), 0, 0, 0, 9, 0x74, 0x45, 0x58, 0x74, 1, 2, 3, 4]);
    expect(pngChunks(cut).end).toEqual({ stop: "cut-short", at: 21, type: "tEXt" });
    expect(pngChunks(Uint8Array.from([...SIGNATURE, ...chunk("IHDR", [1])])).end).toEqual({ stop: "exhausted" });
  });
});
