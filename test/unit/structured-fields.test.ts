import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  parseDictionary,
  parseItem,
  parseList,
  serializeDictionary,
  serializeItem,
  serializeList,
  StructuredFieldError,
  type BareItem,
  type Dictionary,
  type Item,
  type Member,
} from "../../src/dialects/structured-fields";

const tok = (value: string): Item => ({ value: { type: "token", value }, params: [] });

describe("RFC 9651 examples", () => {
  it("§3.1 lists, inner lists and parameters", () => {
    expect(serializeList(parseList("sugar, tea, rum"))).toBe("sugar, tea, rum");
    const inner = parseList('("foo" "bar"), ("baz"), ("bat" "one"), ()');
    expect(inner).toHaveLength(4);
    expect(serializeList(inner)).toBe('("foo" "bar"), ("baz"), ("bat" "one"), ()');
    expect(serializeList(parseList('("foo"; a=1;b=2);lvl=5, ("bar" "baz");lvl=1'))).toBe('("foo";a=1;b=2);lvl=5, ("bar" "baz");lvl=1');
    expect(serializeList(parseList("abc;a=1;b=2; cde_456, (ghi;jk=4 l);q=\"9\";r=w"))).toBe('abc;a=1;b=2;cde_456, (ghi;jk=4 l);q="9";r=w');
  });

  it("§3.2 dictionaries, with Boolean true values written bare", () => {
    const d = parseDictionary('en="Applepie", da=:w4ZibGV0w6ZydGUK:');
    expect(d[0]).toEqual(["en", { value: { type: "string", value: "Applepie" }, params: [] }]);
    expect(new TextDecoder().decode((d[1]![1] as Item).value.value as Uint8Array)).toBe("Æbletærte\n");
    expect(serializeDictionary(parseDictionary("a=?0, b, c; foo=bar"))).toBe("a=?0, b, c;foo=bar");
    expect(serializeDictionary(parseDictionary("rating=1.5, feelings=(joy sadness)"))).toBe("rating=1.5, feelings=(joy sadness)");
    expect(serializeDictionary(parseDictionary("a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid"))).toBe("a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid");
  });

  it("§3.3 items: decimals, strings, tokens, booleans, dates (§3.3.7), display strings (§3.3.8)", () => {
    expect(parseItem("4.5").value).toEqual({ type: "decimal", value: 4.5 });
    expect(parseItem('"hello \\"world\\""').value).toEqual({ type: "string", value: 'hello "world"' });
    expect(parseItem("foo123/456").value).toEqual({ type: "token", value: "foo123/456" });
    expect(parseItem("?1").value).toEqual({ type: "boolean", value: true });
    expect(parseItem("@1659578233").value).toEqual({ type: "date", value: 1659578233 });
    expect(parseItem('%"This is intended for display to %c3%bcsers."').value).toEqual({ type: "displaystring", value: "This is intended for display to üsers." });
    expect(serializeItem(parseItem('%"This is intended for display to %c3%bcsers."'))).toBe('%"This is intended for display to %c3%bcsers."');
  });

  it("§4.2.2: a repeated key overwrites its value in place", () => {
    expect(serializeDictionary(parseDictionary("a=1, b=2, a=3"))).toBe("a=3, b=2");
  });

  it("refuses what §4.2 does not allow", () => {
    for (const bad of ["a=1,", "A=1", "a=1 b=2", 'a="\\x"', "a=1.2345", "a=1234567890123456", "a=(1 2", "a=?2", "a=é", "a=%\"%C3\"", "a=", ",a=1", "a=1;B=2", "a=@1.5"]) {
      expect(() => parseDictionary(bad), bad).toThrow(StructuredFieldError);
    }
    expect(() => parseList("1, ")).toThrow(StructuredFieldError);
  });

  it("accepts leading and trailing SP, OWS around commas, and base64 without padding (§4.2.7)", () => {
    expect(serializeDictionary(parseDictionary("  a=1 ,\tb=2  "))).toBe("a=1, b=2");
    expect(parseItem(":aGk:").value).toEqual({ type: "bytes", value: new TextEncoder().encode("hi") });
  });
});

const key = fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,8}$/);
const bareItem: fc.Arbitrary<BareItem> = fc.oneof(
  fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }).map((value) => ({ type: "integer" as const, value })),
  fc.integer({ min: -999_999_999_999, max: 999_999_999_999 }).chain((whole) => fc.integer({ min: 0, max: 999 }).map((frac) => ({ type: "decimal" as const, value: (whole * 1000 + (whole < 0 ? -frac : frac)) / 1000 }))),
  fc.stringMatching(/^[\x20-\x7e]{0,12}$/).map((value) => ({ type: "string" as const, value })),
  fc.stringMatching(/^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]{0,10}$/).map((value) => ({ type: "token" as const, value })),
  fc.uint8Array({ maxLength: 12 }).map((value) => ({ type: "bytes" as const, value })),
  fc.boolean().map((value) => ({ type: "boolean" as const, value })),
  fc.integer({ min: -1e12, max: 1e12 }).map((value) => ({ type: "date" as const, value })),
  fc.string({ maxLength: 8 }).map((value) => ({ type: "displaystring" as const, value })),
);
const uniqueParams = fc.uniqueArray(fc.tuple(key, bareItem), { maxLength: 3, selector: ([k]) => k });
const item: fc.Arbitrary<Item> = fc.record({ value: bareItem, params: uniqueParams });
const member: fc.Arbitrary<Member> = fc.oneof(item, fc.record({ items: fc.array(item, { maxLength: 3 }), params: uniqueParams }));
const dictionary: fc.Arbitrary<Dictionary> = fc.uniqueArray(fc.tuple(key, member), { maxLength: 5, selector: ([k]) => k });

describe("round trips", () => {
  it("parse(serialize(d)) is d for every dictionary", () => {
    fc.assert(
      fc.property(dictionary, (d) => {
        expect(parseDictionary(serializeDictionary(d))).toEqual(d);
      }),
    );
  });

  it("serialize(parse(s)) is a fixed point: serializing again changes nothing", () => {
    fc.assert(
      fc.property(fc.array(member, { maxLength: 4 }), (l) => {
        const text = serializeList(l);
        expect(serializeList(parseList(text))).toBe(text);
      }),
    );
  });

  it("Boolean true members serialize bare and read back", () => {
    expect(serializeDictionary([["a", { value: { type: "boolean", value: true }, params: [] }], ["b", tok("y")]])).toBe("a, b=y");
  });
});
