import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeBase64, decodeBase64Bulk, decodeBase64BulkInto, encodeBase64, encodeBase64Bulk } from "../../src/encoding/base64";

describe("bulk base64 (index snapshots)", () => {
  it("writes what encodeBase64 writes and reads it back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encodeBase64Bulk(bytes);
        expect(text).toBe(encodeBase64(bytes));
        expect(decodeBase64Bulk(text)).toEqual(bytes);
        expect(decodeBase64(text)).toEqual(bytes);
      }),
    );
  });

  it("answers null for text that is not base64", () => {
    for (const bad of ["a", "ab$d", "abc=d", "****"]) expect([bad, decodeBase64Bulk(bad)]).toEqual([bad, null]);
    for (const bad of ["a", "ab$d", "abc=d", "****"]) expect([bad, decodeBase64BulkInto(bad, new Uint8Array(8))]).toEqual([bad, null]);
  });

  it("decodes into a buffer at an offset, and refuses what does not fit", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 9 }), (bytes, at) => {
        const into = new Uint8Array(at + bytes.length + 3).fill(7);
        expect(decodeBase64BulkInto(encodeBase64Bulk(bytes), into.subarray(at))).toBe(bytes.length);
        expect(into.subarray(at, at + bytes.length)).toEqual(bytes);
        expect([...into.subarray(0, at), ...into.subarray(at + bytes.length)].every((x) => x === 7)).toBe(true);
        if (bytes.length) expect(decodeBase64BulkInto(encodeBase64Bulk(bytes), new Uint8Array(bytes.length - 1))).toBe(null);
      }),
    );
  });
});
