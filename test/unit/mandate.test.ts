import { describe, expect, it } from "vitest";
import { fieldPointers as pointers } from "../support/field-pointers";
import { generateKeypair, signJson } from "../../src/domain/iscc-sig";
import { AuthorityError, checkMandateNotExpired, mandateScope, parseMandate, prepareMandate } from "../../src/domain/mandate";
import { patternWithin, scopeCovers } from "../../src/domain/mandate-scope";
import { parseUrlPattern } from "../../src/domain/url-pattern";
import { isccUnits } from "../../src/domain/declaration";
import { encodeUnit, genIsccIdV1, MainType } from "../../src/iscc/index";

const member = generateKeypair();
const agent = generateKeypair();
const NOW = Date.parse("2026-12-01T00:00:00.000Z");

async function mandate(fields: Record<string, unknown>, key = member) {
  const m: Record<string, unknown> = {
    type: "OptOutMandate",
    version: 1,
    intent: "activate",
    member: (await signJson({}, key)).signature.pubkey,
    agent: (await signJson({}, agent)).signature.pubkey,
    scope: { all: true },
    valid_until: "2027-12-01T00:00:00.000Z",
    timestamp: new Date(NOW).toISOString(),
    nonce: "0".repeat(32),
    ...fields,
  };
  for (const [k, v] of Object.entries(m)) if (v === undefined) delete m[k];
  return signJson(m, key);
}

describe("mandates", () => {
  it("a grant names member, agent, scope and an end; a revoke names only the mandate it ends", async () => {
    const ok = await mandate({});
    expect(pointers(() => parseMandate(ok))).toEqual([]);
    expect(prepareMandate(parseMandate(ok), null).grant).toMatchObject({ member: ok.member, agent: ok.agent, validUntilMs: Date.parse("2027-12-01T00:00:00.000Z") });
    expect(pointers(() => parseMandate({ ...ok, agent: undefined, scope: undefined }))).toEqual(["/agent", "/scope"]);
    const rev = await mandate({ intent: "revoke", supersedes: genIsccIdV1({ timestampMicros: BigInt(NOW) * 1000n, hubId: 1 }), member: undefined, agent: undefined, scope: undefined, valid_until: undefined });
    expect(pointers(() => parseMandate(rev))).toEqual([]);
    expect(pointers(() => parseMandate({ ...rev, scope: { all: true } }))).toContain("/scope");
  });
  it("refuses a mandate naming itself, an empty or mixed scope, a bad scope entry, an end before the start", async () => {
    const self = await mandate({ agent: (await mandate({})).member });
    expect(pointers(() => parseMandate(self))).toEqual(["/agent"]);
    const ok = await mandate({});
    expect(pointers(() => parseMandate({ ...ok, scope: {} }))).toEqual(["/scope"]);
    expect(pointers(() => parseMandate({ ...ok, scope: { all: true, urls: ["https://a.example/*"] } }))).toEqual(["/scope/all"]);
    expect(pointers(() => parseMandate({ type: "x" }))).toContain("/type");
    expect(pointers(() => parseMandate({ ...ok, scope: { urls: ["https://a.example/x*y"], iscc: ["ISCC:MAIWFKJH4BNQCGAA"] } }))).toEqual(["/scope/urls/0", "/scope/iscc/0"]);
    expect(pointers(() => parseMandate({ ...ok, valid_from: "2028-01-01T00:00:00.000Z" }))).toEqual(["/valid_until"]);
  });
  it("names its member by ISNI only in canonical form with a good check digit, and only in a grant", async () => {
    const named = await mandate({ member_isni: "0000000121032683" });
    expect(prepareMandate(parseMandate(named), null).grant?.memberIsni).toBe("0000000121032683");
    expect(prepareMandate(parseMandate(await mandate({})), null).grant?.memberIsni).toBeNull();
    const bad = (isni: string) => pointers(() => parseMandate({ ...named, member_isni: isni }));
    expect(bad("0000000121032684")).toEqual(["/member_isni"]); // check digit
    expect(bad("0000 0001 2103 2683")).toEqual(["/member_isni"]); // valid, but not canonical
    expect(bad("000000012103268")).toEqual(["/member_isni"]);
    expect(() => parseMandate({ ...named, member_isni: "0000 0001 2103 2683" })).toThrow('write "0000000121032683"');
    const rev = await mandate({ intent: "revoke", supersedes: genIsccIdV1({ timestampMicros: BigInt(NOW) * 1000n, hubId: 1 }), member: undefined, agent: undefined, scope: undefined, valid_until: undefined, member_isni: "0000000121032683" });
    expect(pointers(() => parseMandate(rev))).toEqual(["/member_isni"]);
  });
  it("a member that is not the signer is an authority error; an expired grant is refused at registration", async () => {
    const other = await mandate({ member: (await mandate({}, generateKeypair())).member }, generateKeypair());
    expect(() => parseMandate(other)).toThrow(AuthorityError);
    const byDid = await mandate({ member: "did:web:member.example" }, generateKeypair({ controller: "did:web:member.example" }));
    const parsed = parseMandate(byDid);
    expect(() => prepareMandate(parsed, { controller: "did:web:member.example", pubkey: byDid.signature.pubkey!, verified: false, domain: null })).toThrow(AuthorityError);
    expect(prepareMandate(parsed, { controller: "did:web:member.example", pubkey: byDid.signature.pubkey!, verified: true, domain: "member.example" }).grant?.member).toBe("did:web:member.example");
    expect(pointers(() => checkMandateNotExpired(parseMandate(byDid), Date.parse("2028-01-01T00:00:00.000Z")))).toEqual(["/valid_until"]);
  });
});

describe("scope", () => {
  const p = parseUrlPattern;
  it("a URL pattern is within another when every URL it matches is (scheme ignored)", () => {
    expect(patternWithin(p("https://a.example/art/x.jpg"), p("http://a.example/art/*"))).toBe(true);
    expect(patternWithin(p("https://a.example/art/sub/*"), p("https://a.example/art/*"))).toBe(true);
    expect(patternWithin(p("https://a.example/*"), p("https://a.example/art/*"))).toBe(false);
    expect(patternWithin(p("https://*.a.example/*"), p("https://a.example/art/*"))).toBe(false);
    expect(patternWithin(p("https://img.a.example/*"), p("https://*.a.example/*"))).toBe(true);
    expect(patternWithin(p("https://a.example/x"), p("https://a.example/x"))).toBe(true);
    expect(patternWithin(p("https://a.example/x/*"), p("https://a.example/x"))).toBe(false);
  });
  it("every subject must be covered; codes by equal units, a datahash by the Instance-Code it starts with", () => {
    const body = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const content = encodeUnit(MainType.CONTENT, 1, 0, 64, body);
    const instance = encodeUnit(MainType.INSTANCE, 0, 0, 64, body);
    const scope = mandateScope({ urls: ["https://a.example/*"], iscc: [content, instance] });
    const units = isccUnits(content);
    expect(scopeCovers(scope, { urls: [p("https://a.example/1.jpg")], units, datahash: null })).toBe(true);
    expect(scopeCovers(scope, { urls: [p("https://a.example/1.jpg"), p("https://b.example/1.jpg")], units, datahash: null })).toBe(false);
    expect(scopeCovers(scope, { urls: [], units: isccUnits(encodeUnit(MainType.CONTENT, 1, 0, 64, body.map((b) => b ^ 1))), datahash: null })).toBe(false);
    expect(scopeCovers(scope, { urls: [], units: [], datahash: "1e20" + "0102030405060708" + "0".repeat(48) })).toBe(true);
    expect(scopeCovers(scope, { urls: [], units: [], datahash: "1e20" + "ff".repeat(32) })).toBe(false);
    expect(scopeCovers(mandateScope({ all: true }), { urls: [p("https://z.example/")], units, datahash: null })).toBe(true);
  });
  it("work identifiers: covered by the same identifier in the scope, and the scope's identifiers are checked like a declaration's", async () => {
    const scope = mandateScope({ identifiers: { isrc: ["USRC17607839"], isni: ["0000000121032683"] } });
    expect(scope.identifiers).toEqual(["isrc:USRC17607839", "isni:0000000121032683"]);
    expect(scopeCovers(scope, { urls: [], units: [], datahash: null, identifiers: ["isrc:USRC17607839"] })).toBe(true);
    expect(scopeCovers(scope, { urls: [], units: [], datahash: null, identifiers: ["isrc:USRC17607839", "isrc:GBAYE0000351"] })).toBe(false);
    const ok = await mandate({});
    expect(pointers(() => parseMandate({ ...ok, scope: { identifiers: { isrc: ["US-RC1-76-07839"] } } }))).toEqual(["/scope/identifiers/isrc/0"]);
    expect(pointers(() => parseMandate({ ...ok, scope: { all: true, identifiers: { isrc: ["USRC17607839"] } } }))).toEqual(["/scope/all"]);
  });
});

