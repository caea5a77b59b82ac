import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeBase64, decodeBase64Bulk, encodeBase64, encodeBase64Bulk } from "../../src/encoding/base64";

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
  });
});
