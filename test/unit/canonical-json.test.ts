import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { canonicalBytes, canonicalize, CanonicalJsonError, canonicalMembers, checkJsonDepth, MAX_JSON_DEPTH } from "../../src/encoding/canonical-json";

function f64(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt("0x" + hex));
  return view.getFloat64(0);
}

describe("canonicalize: RFC 8785 examples", () => {
  it("§3.2.2 / §3.2.4: the sample object, as text and as UTF-8 bytes", () => {
    // Parsed from the RFC's input text so number literals go through the same parse as in the RFC.
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    );
    const expected =
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    expect(canonicalize(input)).toBe(expected);
    const rfcHex =
      "7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72 75 65 2c 66 61 6c 73 65 5d 2c 22 6e " +
      "75 6d 62 65 72 73 22 3a 5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31 65 2b 33 30 " +
      "2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37 5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 " +
      "5c 75 30 30 30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d";
    expect(Buffer.from(canonicalBytes(input)).toString("hex")).toBe(rfcHex.replace(/ /g, ""));
  });

  it("§3.2.3: property sorting by UTF-16 code units", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    // JSON.parse would reorder the integer-like key "1", so read the order off the text.
    const text = canonicalize(input);
    const order = ["\\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"].map((k) =>
      text.indexOf(`"${k}":`),
    );
    expect(order.every((pos) => pos >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // U+1F600 (surrogates D83D DE00) sorts before U+FB33 by code units, though after it by code point.
    expect(text.indexOf("\ud83d\ude00")).toBeLessThan(text.indexOf("\ufb33"));
  });

  it("Appendix B: number serialization", () => {
    const cases: [string, string][] = [
      ["0000000000000000", "0"],
      ["8000000000000000", "0"],
      ["0000000000000001", "5e-324"],
      ["8000000000000001", "-5e-324"],
      ["7fefffffffffffff", "1.7976931348623157e+308"],
      ["ffefffffffffffff", "-1.7976931348623157e+308"],
      ["4340000000000000", "9007199254740992"],
      ["c340000000000000", "-9007199254740992"],
      ["4430000000000000", "295147905179352830000"],
      ["44b52d02c7e14af5", "9.999999999999997e+22"],
      ["44b52d02c7e14af6", "1e+23"],
      ["44b52d02c7e14af7", "1.0000000000000001e+23"],
      ["444b1ae4d6e2ef4e", "999999999999999700000"],
      ["444b1ae4d6e2ef4f", "999999999999999900000"],
      ["444b1ae4d6e2ef50", "1e+21"],
      ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
      ["3eb0c6f7a0b5ed8d", "0.000001"],
      ["41b3de4355555553", "333333333.3333332"],
      ["41b3de4355555554", "333333333.33333325"],
      ["41b3de4355555555", "333333333.3333333"],
      ["41b3de4355555556", "333333333.3333334"],
      ["41b3de4355555557", "333333333.33333343"],
      ["becbf647612f3696", "-0.0000033333333333333333"],
      ["43143ff3c1cb0959", "1424953923781206.2"],
    ];
    for (const [bits, text] of cases) expect(canonicalize(f64(bits)), bits).toBe(text);
  });

  it("Appendix B: NaN and Infinity are errors", () => {
    expect(() => canonicalize(f64("7fffffffffffffff"))).toThrow(CanonicalJsonError);
    expect(() => canonicalize(f64("7ff0000000000000"))).toThrow(/Infinity is not representable/);
    expect(() => canonicalize({ a: [1, -Infinity] })).toThrow(/-Infinity is not representable in JSON at \/a\/1/);
  });
});

describe("canonicalize: strictness", () => {
  it("rejects lone surrogates in values and keys, accepts pairs", () => {
    expect(() => canonicalize("a\ud800")).toThrow(/lone UTF-16 surrogate/);
    expect(() => canonicalize("\udc00b")).toThrow(/lone UTF-16 surrogate/);
    expect(() => canonicalize({ "k\udbff": 1 })).toThrow(CanonicalJsonError);
    expect(() => canonicalize({ x: ["ok", "\ud83d"] })).toThrow(/at \/x\/1/);
    expect(canonicalize("\ud83d\ude00")).toBe('"\ud83d\ude00"');
  });

  it("rejects undefined where JSON has no representation, skips undefined members", () => {
    expect(() => canonicalize(undefined)).toThrow(/undefined is not a JSON value/);
    expect(() => canonicalize([1, undefined])).toThrow(/at \/1/);
    // eslint-disable-next-line no-sparse-arrays
    expect(() => canonicalize([1, , 3])).toThrow(CanonicalJsonError);
    expect(canonicalize({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it("rejects non-JSON types with the pointer of the offender", () => {
    expect(() => canonicalize({ a: { "b/c": 10n } })).toThrow(/bigint .* at \/a\/b~1c/);
    expect(() => canonicalize({ f: () => 1 })).toThrow(/function is not a JSON value/);
    expect(() => canonicalize({ d: new Date(0) })).toThrow(/Date is not a plain JSON object/);
    expect(() => canonicalize(new Map())).toThrow(/Map is not a plain JSON object/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic)).toThrow(/cycle/);
  });

  it("canonicalMembers: the members canonicalize writes, with its keys, errors and nesting limit", () => {
    const obj = JSON.parse('{"b":[1,{"y":2,"x":"é"}],"a":null,"c":{"z":true},"u":1e30}');
    const m = canonicalMembers(obj);
    expect(m.keys).toEqual(["a", "b", "c", "u"]);
    expect(`{${m.parts.join(",")}}`).toBe(canonicalize(obj));
    expect(canonicalMembers({ a: undefined, b: 1 })).toEqual({ keys: ["b"], parts: ['"b":1'] });
    expect(() => canonicalMembers({ a: { "b/c": 10n } })).toThrow(/bigint .* at \/a\/b~1c/);
    expect(() => canonicalMembers([] as never)).toThrow(CanonicalJsonError);
    const nested = (levels: number) => {
      let v: unknown = 1;
      for (let i = 0; i < levels; i++) v = [v];
      return { a: v };
    };
    expect(canonicalMembers(nested(MAX_JSON_DEPTH - 1)).parts.join()).toBe(canonicalize(nested(MAX_JSON_DEPTH - 1)).slice(1, -1));
    expect(() => canonicalize(nested(MAX_JSON_DEPTH))).toThrow(/nested deeper/);
    expect(() => canonicalMembers(nested(MAX_JSON_DEPTH))).toThrow(/nested deeper/);
  });

  it("allows the same object twice when it is not a cycle", () => {
    const shared = { z: 1 };
    expect(canonicalize({ a: shared, b: [shared] })).toBe('{"a":{"z":1},"b":[{"z":1}]}');
  });

  it("escapes controls as lower-case \\u00xx and leaves non-ASCII literal", () => {
    expect(canonicalize("\u0000\u001f\u007f\b\t\n\f\r\"\\/é")).toBe('"\\u0000\\u001f\u007f\\b\\t\\n\\f\\r\\"\\\\/é"');
    expect(canonicalize(-0)).toBe("0");
    expect(canonicalize({})).toBe("{}");
    expect(canonicalize([])).toBe("[]");
    expect(canonicalize(Object.create(null))).toBe("{}");
  });

  it("is a fixed point: parse(canonicalize(x)) canonicalizes to the same text", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalize(v);
        expect(canonicalize(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it("is insensitive to key insertion order", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalize(reversed)).toBe(canonicalize(obj));
      }),
    );
  });

  it("bounds nesting: a document 20,000 levels deep is refused with a pointer, not a stack overflow", () => {
    const nest = (n: number) => JSON.parse('{"a":'.repeat(n) + "1" + "}".repeat(n));
    // MAX_JSON_DEPTH objects (the root included) is the most accepted
    expect(() => canonicalize(nest(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => checkJsonDepth(nest(MAX_JSON_DEPTH))).not.toThrow();
    const pointer = "/a".repeat(MAX_JSON_DEPTH);
    for (const deep of [nest(MAX_JSON_DEPTH + 1), nest(20_000)]) {
      for (const check of [() => canonicalize(deep), () => checkJsonDepth(deep)]) {
        let err: unknown;
        try {
          check();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(CanonicalJsonError);
        expect((err as CanonicalJsonError).pointer).toBe(pointer);
        expect((err as CanonicalJsonError).message).toContain(`deeper than ${MAX_JSON_DEPTH}`);
      }
    }
    const arrays = JSON.parse("[".repeat(20_000) + "]".repeat(20_000));
    expect(() => canonicalize(arrays)).toThrow(CanonicalJsonError);
    expect(() => checkJsonDepth(arrays, 3)).toThrow(/deeper than 3 levels/);
    expect(() => checkJsonDepth({ a: [{ b: 1 }] }, 3)).not.toThrow();
    expect(() => checkJsonDepth("scalar", 0)).not.toThrow();
  });
});
