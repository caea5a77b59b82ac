import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ST_CC,
  ST_ISCC,
  IsccError,
  MainType,
  decodeHeader,
  decompose,
  encodeHeader,
  encodeUnit,
  explain,
  genIsccCodeV0,
  genIsccIdV1,
  hammingDistance,
  compareUnits,
  normalizeIscc,
  parseIscc,
  parseIsccIdV1,
  typeId,
  unitSimilarity,
  decodeBase32,
  encodeBase32,
} from "../../src/iscc/index.js";

const CODE = "ISCC:KACYPXW445FTYNJ3CYSXHAFJMA2HUWULUNRFE3BLHRSCXYH2M5AEGQY";

describe("header varnibbles", () => {
  it("encodes the documented boundaries", () => {
    expect(encodeHeader(0, 0, 0, 1)).toEqual(Uint8Array.of(0x00, 0x01));
    // 8 → 10 000000, 71 → 10 111111, 72 → 110 000000000, 584 → 1110 000000000000
    expect(decodeHeader(encodeHeader(8, 71, 72, 584)).header).toEqual({ maintype: 8, subtype: 71, version: 72, length: 584 });
    expect(() => encodeHeader(4680, 0, 0, 0)).toThrow(/main type 4680 is out of range/);
  });

  it("round-trips any four values 0–4679", () => {
    const v = fc.integer({ min: 0, max: 4679 });
    fc.assert(
      fc.property(v, v, v, v, (m, s, ver, l) => {
        const { header, size } = decodeHeader(encodeHeader(m, s, ver, l));
        expect(header).toEqual({ maintype: m, subtype: s, version: ver, length: l });
        expect(size).toBe(encodeHeader(m, s, ver, l).length);
      }),
    );
  });

  it("rejects a 1111 prefix and truncation with precise messages", () => {
    expect(() => decodeHeader(Uint8Array.of(0xf0, 0x00))).toThrow(/main type has an invalid varnibble prefix 1111/);
    expect(() => decodeHeader(Uint8Array.of(0x00))).toThrow(/header is truncated/);
  });
});

describe("base32", () => {
  it("round-trips any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(decodeBase32(encodeBase32(b))).toEqual(b);
      }),
    );
  });
  it("rejects bad characters and impossible lengths", () => {
    expect(() => decodeBase32("AB1C")).toThrow(/invalid base32 character "1" at position 2/);
    expect(() => decodeBase32("ABC")).toThrow(/impossible length 3/);
  });
});

describe("parseIscc", () => {
  it("normalizes prefix, case, dashes and whitespace to the canonical form", () => {
    for (const s of ["EAARMJLTQCUWAND2", "iscc:eaarmjltqcuwand2", " Iscc:EAAR-MJLT-QCUW-AND2 ", "ISCC:EAARMJLTQCUWAND2"]) {
      const u = parseIscc(s);
      expect(u.code).toBe("ISCC:EAARMJLTQCUWAND2");
      expect(u).toMatchObject({ maintype: MainType.CONTENT, subtype: ST_CC.TEXT, version: 0, bits: 64, typeName: "CONTENT-TEXT-V0" });
      expect(u.body.length).toBe(8);
    }
  });

  it("accepts multibase base16 and base32 with the cc01 multicodec", () => {
    const u = parseIscc("EAARMJLTQCUWAND2");
    const raw = decodeBase32("EAARMJLTQCUWAND2");
    const hex = "fcc01" + [...raw].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(parseIscc(hex).code).toBe(u.code);
    expect(parseIscc("b" + encodeBase32(Uint8Array.of(0xcc, 0x01, ...raw)).toLowerCase()).code).toBe(u.code);
  });

  it("names the wrong part", () => {
    const cases: [string, RegExp][] = [
      ["", /ISCC is empty/],
      ["foo:EAARMJLTQCUWAND2", /invalid scheme "foo"/],
      ["ISCC:EAARMJLTQCUWAND", /announces a 64-bit body but only 56 bits follow/],
      ["ISCC:EAARMJLTQCUWAND2AA", /1 unexpected bytes after the 64-bit body of CONTENT-TEXT-V0/],
      [encodeBase32(Uint8Array.of(0x01, 0x01, 1, 2, 3, 4, 5, 6, 7, 8)), /subtype 1 is not defined for main type META version 0/],
      [encodeBase32(Uint8Array.of(0x20, 0x11, 1, 2, 3, 4, 5, 6, 7, 8)), /version 1 is not defined for main type CONTENT/],
      [encodeBase32(Uint8Array.of(0x25, 0x01, 1, 2, 3, 4, 5, 6, 7, 8)), /subtype 5 is not defined for main type CONTENT/],
      [encodeBase32(Uint8Array.of(0x55, 0x01, ...new Uint8Array(24))), /subtype SUM must contain only Data and Instance/],
      [encodeBase32(Uint8Array.of(0x50, 0x00, ...new Uint8Array(16))), /subtype TEXT requires a Semantic or Content unit/],
      [encodeBase32(Uint8Array.of(0x61, 0x11, ...new Uint8Array(8))), /ISCC-ID v1 length field must be 0/],
      ["ISCC:EAAR!JLTQCUWAND2", /invalid base32 character "!"/],
      ["ISCC:a:b", /more than one ":"/],
    ];
    for (const [input, msg] of cases) {
      expect(() => parseIscc(input)).toThrow(IsccError);
      expect(() => parseIscc(input)).toThrow(msg);
    }
  });

  it("round-trips encodeUnit for every unit main type, subtype and length", () => {
    const unitTypes: [MainType, number, number][] = [
      [MainType.META, 0, 0],
      ...[0, 1, 2, 3, 4].map((s): [MainType, number, number] => [MainType.SEMANTIC, s, 0]),
      ...[0, 1, 2, 3, 4].map((s): [MainType, number, number] => [MainType.CONTENT, s, 0]),
      [MainType.DATA, 0, 0],
      [MainType.INSTANCE, 0, 0],
      [MainType.FLAKE, 0, 0],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...unitTypes), fc.integer({ min: 1, max: 8 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), ([mt, st, v], n, body) => {
        const bits = n * 32;
        const code = encodeUnit(mt, st, v, bits, body);
        expect(code).toMatch(/^ISCC:[A-Z2-7]+$/);
        const u = parseIscc(code);
        expect(u).toMatchObject({ maintype: mt, subtype: st, version: v, bits, code });
        expect(u.body).toEqual(body.subarray(0, bits / 8));
        expect(decompose(code)).toEqual([u]);
        expect(parseIscc(code.slice(5).toLowerCase()).code).toBe(code);
      }),
    );
  });

  it("refuses to encode invalid lengths or an ISCC main type as a unit", () => {
    expect(() => encodeUnit(MainType.CONTENT, 0, 0, 48, new Uint8Array(32))).toThrow(/invalid length 48 bits for main type CONTENT/);
    expect(() => encodeUnit(MainType.ISCC, 0, 0, 64, new Uint8Array(32))).toThrow(/composite/);
    expect(() => encodeUnit(MainType.DATA, 0, 0, 128, new Uint8Array(8))).toThrow(/fewer than the 128 requested/);
  });
});

describe("ISCC-CODE compose and decompose", () => {
  it("decomposes the standard vector into its four 64-bit units", () => {
    const units = decompose(CODE);
    expect(units.map((u) => u.code)).toEqual([
      "ISCC:AAAYPXW445FTYNJ3",
      "ISCC:EAARMJLTQCUWAND2",
      "ISCC:GAAVVC5DMJJGYKZ4",
      "ISCC:IAAWIK7A7JTUAQ2D",
    ]);
    expect(parseIscc(CODE)).toMatchObject({ maintype: MainType.ISCC, subtype: ST_ISCC.TEXT, bits: 256, typeName: "ISCC-TEXT-V0" });
  });

  it("explains and type-ids as iscc-core does", () => {
    expect(typeId(CODE)).toBe("ISCC-TEXT-V0-MCDI");
    expect(explain("GAAW2PRCRS5LNVZV-IAAUVACQKXE3V44W")).toBe("ISCC-SUM-V0-DI-6d3e228cbab6d7354a805055c9baf396");
    expect(normalizeIscc("GAAW2PRCRS5LNVZV-IAAUVACQKXE3V44W")).toBe("ISCC:KUAG2PRCRS5LNVZVJKAFAVOJXLZZM");
    expect(explain("EAARMJLTQCUWAND2")).toBe("CONTENT-TEXT-V0-64-16257380a960347a");
  });

  const unit = (mt: MainType, st: number, bits: number) =>
    fc.uint8Array({ minLength: bits / 8, maxLength: bits / 8 }).map((b) => encodeUnit(mt, st, 0, bits, b));
  const len = fc.constantFrom(64, 128, 256);

  it("composes every optional unit combination and decomposes back to 64-bit prefixes", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 4 }),
        len.chain((b) => unit(MainType.META, 0, b)),
        len,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        len.chain((b) => unit(MainType.DATA, 0, b)),
        len.chain((b) => unit(MainType.INSTANCE, 0, b)),
        fc.boolean(),
        (hasMeta, hasSem, hasContent, st, meta, cbits, sem, content, data, instance, shuffle) => {
          const codes = [
            ...(hasMeta ? [meta] : []),
            ...(hasSem ? [encodeUnit(MainType.SEMANTIC, st, 0, cbits, sem)] : []),
            ...(hasContent ? [encodeUnit(MainType.CONTENT, st, 0, cbits, content)] : []),
            data,
            instance,
          ];
          const input = shuffle ? [...codes].reverse() : codes;
          const { iscc } = genIsccCodeV0(input);
          const info = parseIscc(iscc);
          const expectedSt = hasSem || hasContent ? st : codes.length === 2 ? ST_ISCC.SUM : ST_ISCC.NONE;
          expect(info.subtype).toBe(expectedSt);
          expect(info.bits).toBe(codes.length * 64);
          const units = decompose(iscc);
          expect(units.map((u) => u.maintype)).toEqual(codes.map((c) => parseIscc(c).maintype));
          units.forEach((u, i) => {
            expect(u.bits).toBe(64);
            expect(u.body).toEqual(parseIscc(codes[i]!).body.subarray(0, 8));
          });
          expect(normalizeIscc(units.map((u) => u.code.slice(5)).join("-"))).toBe(iscc);
        },
      ),
    );
  });

  it("builds WIDE codes from 128-bit Data and Instance units and decomposes them to 128 bits", () => {
    const data = encodeUnit(MainType.DATA, 0, 0, 256, new Uint8Array(32).fill(0xab));
    const inst = encodeUnit(MainType.INSTANCE, 0, 0, 256, new Uint8Array(32).fill(0xcd));
    const { iscc } = genIsccCodeV0([data, inst], true);
    const info = parseIscc(iscc);
    expect(info).toMatchObject({ subtype: ST_ISCC.WIDE, bits: 256, typeName: "ISCC-WIDE-V0" });
    expect(decompose(iscc).map((u) => u.bits)).toEqual([128, 128]);
    expect(normalizeIscc(iscc)).toBe(iscc);
    // WIDE only applies to exactly Data + Instance of ≥128 bits; otherwise the standard layout is used
    const short = encodeUnit(MainType.DATA, 0, 0, 64, new Uint8Array(8));
    expect(parseIscc(genIsccCodeV0([short, inst], true).iscc).subtype).toBe(ST_ISCC.SUM);
  });

  it("rejects invalid compositions", () => {
    const d = "GAAVVC5DMJJGYKZ4";
    const i = "IAAWIK7A7JTUAQ2D";
    expect(() => genIsccCodeV0([d])).toThrow(/Minimum two ISCC units/);
    expect(() => genIsccCodeV0([d, d])).toThrow(/requires at least MT.DATA and MT.INSTANCE/);
    expect(() => genIsccCodeV0(["EAASL4F2", i])).toThrow();
    expect(() => genIsccCodeV0(["EAARMJLTQCUWAND2", "EAASL4F2WZY7KBXB", d, i])).toThrow(/invalid ISCC-UNIT combination: CONTENT, CONTENT/);
    expect(() => genIsccCodeV0(["CAARMJLTQCUWAND2", "EEAQAAAAAAAAAAAA", d, i])).toThrow(/same SubType/);
    expect(() => genIsccCodeV0([encodeUnit(MainType.CONTENT, 0, 0, 32, new Uint8Array(4)), d, i])).toThrow(/shorter than 64-bits/);
  });
});

describe("distance and similarity", () => {
  const bytes = fc.uint8Array({ minLength: 8, maxLength: 8 });
  it("is a metric: zero on equal, symmetric, triangle inequality", () => {
    fc.assert(
      fc.property(bytes, bytes, bytes, (a, b, c) => {
        expect(hammingDistance(a, a)).toBe(0);
        expect(hammingDistance(a, b)).toBe(hammingDistance(b, a));
        expect(hammingDistance(a, c)).toBeLessThanOrEqual(hammingDistance(a, b) + hammingDistance(b, c));
        expect(hammingDistance(a, b)).toBeLessThanOrEqual(64);
      }),
    );
  });

  it("compares units of different lengths on their common prefix", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 63 }), (body, flip) => {
        const long = encodeUnit(MainType.CONTENT, ST_CC.IMAGE, 0, 256, body);
        const flipped = Uint8Array.from(body);
        flipped[flip >> 3]! ^= 0x80 >> (flip & 7);
        const short = encodeUnit(MainType.CONTENT, ST_CC.IMAGE, 0, 64, flipped);
        expect(compareUnits(long, short)).toEqual({ distance: 1, commonPrefixBits: 64, similarity: 1 - 1 / 64 });
        expect(unitSimilarity(short, long)).toBe(unitSimilarity(long, short));
      }),
    );
  });

  it("refuses to compare different unit types, ISCC-CODEs and ISCC-IDs", () => {
    expect(() => unitSimilarity("EAARMJLTQCUWAND2", "EEAQAAAAAAAAAAAA")).toThrow(/CONTENT-TEXT-V0 vs CONTENT-IMAGE-V0/);
    expect(() => unitSimilarity(CODE, CODE)).toThrow(/decompose/);
    expect(() => unitSimilarity("ISCC:MAIGC5KN3I6TCUBK", "ISCC:MAIGC5KN3I6TCUBK")).toThrow(/ISCC-IDs/);
  });
});

describe("ISCC-ID v1", () => {
  it("matches iscc-core's published examples", () => {
    const ts = 1714503123456789n;
    expect(genIsccIdV1({ timestampMicros: ts, hubId: 42 })).toBe("ISCC:MAIGC5KN3I6TCUBK");
    expect(genIsccIdV1({ timestampMicros: ts, hubId: 0, realm: 0 })).toBe("ISCC:MAIGC5KN3I6TCUAA");
    expect(genIsccIdV1({ timestampMicros: ts, hubId: 4095, realm: 0 })).toBe("ISCC:MAIGC5KN3I6TCX77");
    expect(explain("ISCC:MAIGC5KN3I6TCUBK")).toBe("ID-REALM_0-V1-64-1714503123456789-42");
    expect(parseIscc("ISCC:MAIGC5KN3I6TCUBK").typeName).toBe("ID-REALM_0-V1");
  });

  it("round-trips any timestamp, hub and realm", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }), fc.integer({ min: 0, max: 4095 }), fc.constantFrom(0 as const, 1 as const), (ts, hub, realm) => {
        const id = genIsccIdV1({ timestampMicros: ts, hubId: hub, realm });
        expect(parseIsccIdV1(id)).toEqual({ timestampMicros: ts, hubId: hub, realm });
        expect(id.length).toBe(21);
      }),
    );
  });

  it("rejects out-of-range fields and non-ID codes", () => {
    expect(() => genIsccIdV1({ timestampMicros: 1n << 52n, hubId: 0 })).toThrow(/timestamp/);
    expect(() => genIsccIdV1({ timestampMicros: 0n, hubId: 4096 })).toThrow(/hub id 4096/);
    expect(() => genIsccIdV1({ timestampMicros: 0n, hubId: 0, realm: 2 as 0 })).toThrow(/realm 2/);
    expect(() => parseIsccIdV1("EAARMJLTQCUWAND2")).toThrow(/expected an ISCC-ID but got CONTENT-TEXT-V0/);
  });
});
