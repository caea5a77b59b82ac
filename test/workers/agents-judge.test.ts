/**
 * The judge of mandates and agency labels: a society, three members and a stranger, played by a
 * client that shares no code with the project. Everything it sends it builds and signs itself, from
 * the README's request shapes: its own RFC 8785 canonical JSON (checked against the RFC's published
 * examples below), its own base58btc and multikeys, its own ISCC units (header and RFC 4648 base32),
 * Ed25519 from @noble/ed25519 directly. It imports nothing from src/ and nothing from the other
 * tests; it reaches the registry only through HTTP requests to the Worker (SELF.fetch). The one
 * thing it borrows is the test environment's fake did:web host (test/fakes/did-hosts.ts, wired by
 * vitest.config.ts): rights.example lists the key of the seed 0x42…42, the society's key here.
 */
import { SELF } from "cloudflare:test";
import * as ed from "@noble/ed25519";
import { describe, expect, it } from "vitest";

// ---------------------------------------------------------------- the client's own encodings

/** RFC 8785 (JCS): keys sorted by UTF-16 code units, ECMAScript number and string serialization. */
function jcs(v: unknown): string {
  if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error("JCS has no NaN or Infinity");
    return JSON.stringify(v); // ES Number::toString, -0 as "0": what RFC 8785 §3.2.2.3 prescribes
  }
  if (Array.isArray(v)) return `[${v.map(jcs).join(",")}]`;
  const o = v as Record<string, unknown>;
  // Array.prototype.sort without a comparator compares UTF-16 code units: RFC 8785 §3.2.3.
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`)
    .join(",")}}`;
}

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
function base58btc(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let out = "";
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = "1" + out;
  }
  return out;
}

/** An Ed25519 public key as a multikey: multibase `z` + base58btc(0xed 0x01 ‖ key). */
const multikey = (pub: Uint8Array) => "z" + base58btc(new Uint8Array([0xed, 0x01, ...pub]));

function base32(bytes: Uint8Array): string {
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += A[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += A[(value << (5 - bits)) & 31];
  return out;
}

/** A 64-bit ISCC Content-Code unit for images: header nibbles maintype 2 (content), subtype 1 (image), version 0, length 1 (64 bits). */
const imageUnit = (body: Uint8Array) => "ISCC:" + base32(new Uint8Array([0x21, 0x01, ...body]));

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

interface Party {
  secret: Uint8Array;
  pubkey: string;
  controller?: string;
}
async function party(secret = random(32), controller?: string): Promise<Party> {
  return { secret, pubkey: multikey(await ed.getPublicKeyAsync(secret)), ...(controller ? { controller } : {}) };
}

/** ISCC-SIG v1.0 as SPEC.md states it: add `signature` without `proof`, sign the JCS bytes, proof = `z` + base58btc. */
async function sign(p: Party, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const signature: Record<string, string> = { version: "ISCC-SIG v1.0", ...(p.controller ? { controller: p.controller } : {}), pubkey: p.pubkey };
  const unsigned = { ...body, signature };
  const sig = await ed.signAsync(new TextEncoder().encode(jcs(unsigned)), p.secret);
  return { ...body, signature: { ...signature, proof: "z" + base58btc(sig) } };
}

const stamp = () => ({ timestamp: new Date().toISOString(), nonce: hex(random(16)) });

async function http(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await SELF.fetch(`http://judge.test${path}`, {
    method,
    ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

// ---------------------------------------------------------------- the checks of the client itself

describe("the judge's own canonical JSON, against RFC 8785", () => {
  it("serializes the RFC's §3.2.2 example and sorts §3.2.3's keys as published", () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(jcs(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
    const sorting = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    // (Parsed back, a JavaScript object would list the integer-like key "1" first: compare the text.)
    expect(jcs(sorting)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it("writes Appendix B's IEEE 754 numbers as the RFC does", () => {
    const double = (bits: string) => new DataView(Uint8Array.from(bits.match(/../g)!.map((h) => parseInt(h, 16))).buffer).getFloat64(0);
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
      ["444b1ae4d6e2ef50", "1e+21"],
      ["3eb0c6f7a0b5ed8d", "0.000001"],
      ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ];
    for (const [bits, text] of cases) expect([bits, jcs(double(bits))]).toEqual([bits, text]);
  });

  it("derives the multikey the fake did:web host lists for the seed 0x42…42", async () => {
    expect((await party(new Uint8Array(32).fill(0x42))).pubkey).toBe("z6MkghLt1e8m1fmANsdJJco3aCLV8Xnigr5UWwC3u5iZFPd3");
  });
});

// ---------------------------------------------------------------- the play

const SOCIETY = "did:web:rights.example";
const inADay = () => new Date(Date.now() + 86_400_000).toISOString();

async function grant(member: Party, scope: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const r = await http("POST", "/v1/mandates", await sign(member, { type: "OptOutMandate", version: 1, intent: "activate", member: member.pubkey, agent: SOCIETY, scope, valid_until: inADay(), ...extra, ...stamp() }));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

async function revokeMandate(by: Party, id: string) {
  return http("POST", "/v1/mandates", await sign(by, { type: "OptOutMandate", version: 1, intent: "revoke", supersedes: id, ...stamp() }));
}

async function declare(by: Party, fields: Record<string, unknown>) {
  const r = await http("POST", "/v1/declarations", await sign(by, { type: "OptOutDeclaration", version: 1, vocabulary: 2, intent: "activate", preferences: { "train-ai": "n" }, ...fields, ...stamp() }));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; agent?: { label: string; mandate: string | null } };
}

/**
 * The declaration's label and mandate in every answer that cites it: resolve, GET and POST lookup
 * of `url`, match of `code` (both the match's and the declaration's label), and the agent listing
 * for its member. All must agree; the one label is returned with the mandate (and the member's
 * ISNI when that mandate states one) and the status.
 */
async function everywhere(id: string, member: string, probe: { url?: string; code?: string }) {
  const seen: [string, string | null, string | null][] = [];
  const resolved = await http("GET", `/v1/declarations/${encodeURIComponent(id)}`);
  expect(resolved.body.agent.member).toBe(member);
  seen.push([resolved.body.agent.label, resolved.body.agent.mandate, resolved.body.agent.member_isni]);
  const listed = await http("GET", `/v1/declarations?agent=${encodeURIComponent(SOCIETY)}&member=${encodeURIComponent(member)}&limit=1000`);
  const inList = listed.body.declarations.find((d: { id: string }) => d.id === id);
  seen.push([inList.agent.label, inList.agent.mandate, inList.agent.member_isni]);
  if (probe.url) {
    const one = await http("GET", `/v1/lookup?url=${encodeURIComponent(probe.url)}`);
    const many = await http("POST", "/v1/lookup", { urls: [probe.url] });
    for (const cited of [one.body.declarations, many.body.results[0].declarations].map((ds: any[]) => ds.find((d) => d.id === id))) {
      expect(cited.verification).toBe(cited.agent.label);
      seen.push([cited.agent.label, cited.agent.mandate, cited.agent.member_isni]);
    }
  }
  if (probe.code) {
    const matched = await http("POST", "/v1/match", { iscc: [probe.code] });
    const m = matched.body.results[0].matches.find((x: any) => x.declaration.id === id);
    expect([m.verification, m.declaration.verification]).toEqual([m.declaration.agent.label, m.declaration.agent.label]);
    seen.push([m.declaration.agent.label, m.declaration.agent.mandate, m.declaration.agent.member_isni]);
  }
  expect(new Set(seen.map((s) => JSON.stringify(s))).size, JSON.stringify(seen)).toBe(1);
  const [label, mandate, memberIsni] = seen[0]!;
  return { label, mandate, ...(memberIsni ? { memberIsni } : {}), status: resolved.body.status as string };
}

describe("a society, three members and a stranger, played by a client of its own", () => {
  it("mandates granted, used, exceeded, revoked by the member and by the agent: labels change on every answer, declarations stay", async () => {
    const society = await party(new Uint8Array(32).fill(0x42), SOCIETY);
    const [painter, composer, photographer, stranger] = await Promise.all([party(), party(), party(), party()]);
    const painting = imageUnit(random(8));

    // Granted: the painter for its site and one work, the composer for everything, the photographer for its site.
    // The painter names itself by its ISNI too (ISO 27729, check digit verified): refused unless canonical and valid.
    const badIsni = await http("POST", "/v1/mandates", await sign(painter, { type: "OptOutMandate", version: 1, intent: "activate", member: painter.pubkey, member_isni: "0000000121032684", agent: SOCIETY, scope: { all: true }, valid_until: inADay(), ...stamp() }));
    expect([badIsni.status, badIsni.body.errors.map((e: { pointer: string }) => e.pointer)]).toEqual([422, ["/member_isni"]]);
    expect((await http("GET", `/v1/mandates?member=${encodeURIComponent(painter.pubkey)}`)).body.mandates).toEqual([]);
    const painterMandate = await grant(painter, { urls: ["https://painter.example/*"], iscc: [painting] }, { member_isni: "0000000121032683" });
    const composerMandate = await grant(composer, { all: true });
    const photographerMandate = await grant(photographer, { urls: ["https://photographer.example/*"] });

    // Used: within scope, agent-mandated wherever it is cited (and in the registration's answer).
    const used = await declare(society, { on_behalf_of: painter.pubkey, urls: ["https://painter.example/works/*"], iscc: painting });
    expect(used.agent).toMatchObject({ label: "agent-mandated", mandate: painterMandate, member_isni: "0000000121032683" });
    expect(await everywhere(used.id, painter.pubkey, { url: "https://painter.example/works/sunset.jpg", code: painting })).toEqual({
      label: "agent-mandated",
      mandate: painterMandate,
      memberIsni: "0000000121032683",
      status: "active",
    });

    // Exceeded: a site the painter's mandate does not name, or a work it does not list: agent-asserted.
    const beyondSite = await declare(society, { on_behalf_of: painter.pubkey, urls: ["https://elsewhere.example/painter/*"] });
    const otherWork = imageUnit(random(8));
    const beyondWork = await declare(society, { on_behalf_of: painter.pubkey, iscc: otherWork });
    expect(await everywhere(beyondSite.id, painter.pubkey, { url: "https://elsewhere.example/painter/a.jpg" })).toEqual({ label: "agent-asserted", mandate: null, status: "active" });
    expect(await everywhere(beyondWork.id, painter.pubkey, { code: otherWork })).toEqual({ label: "agent-asserted", mandate: null, status: "active" });

    // Revoked by the member: what it covered becomes agent-asserted, and stays registered.
    const forComposer = await declare(society, { on_behalf_of: composer.pubkey, urls: ["https://composer.example/scores/*"] });
    const composerUrl = "https://composer.example/scores/op1.pdf";
    expect((await everywhere(forComposer.id, composer.pubkey, { url: composerUrl })).label).toBe("agent-mandated");
    expect((await revokeMandate(composer, composerMandate)).status).toBe(201);
    expect(await everywhere(forComposer.id, composer.pubkey, { url: composerUrl })).toEqual({ label: "agent-asserted", mandate: null, status: "active" });
    expect((await http("GET", `/v1/lookup?url=${encodeURIComponent(composerUrl)}`)).body.opted_out).toBe(true);

    // Revoked by the agent: the same.
    const forPhotographer = await declare(society, { on_behalf_of: photographer.pubkey, urls: ["https://photographer.example/*"] });
    const photoUrl = "https://photographer.example/2024/harbour.jpg";
    expect((await everywhere(forPhotographer.id, photographer.pubkey, { url: photoUrl })).label).toBe("agent-mandated");
    expect((await revokeMandate(society, photographerMandate)).status).toBe(201);
    expect(await everywhere(forPhotographer.id, photographer.pubkey, { url: photoUrl })).toEqual({ label: "agent-asserted", mandate: null, status: "active" });
    const mandates = await http("GET", `/v1/mandates?agent=${encodeURIComponent(SOCIETY)}`);
    expect(mandates.body.mandates.map((m: any) => [m.id, m.status, m.in_force])).toEqual([
      [painterMandate, "active", true],
      [composerMandate, "revoked", false],
      [photographerMandate, "revoked", false],
    ]);

    // The stranger: naming the painter without a mandate or a verified domain is its own word;
    // revoking the painter's mandate or granting one in the painter's name is refused, changing nothing.
    const strangerClaim = await declare(stranger, { on_behalf_of: painter.pubkey, urls: ["https://painter.example/works/*"] });
    expect(strangerClaim.agent).toMatchObject({ label: "self-asserted", mandate: null });
    const cited = (await http("GET", `/v1/lookup?url=${encodeURIComponent("https://painter.example/works/sunset.jpg")}`)).body.declarations;
    expect(cited.map((d: any) => [d.id, d.verification]).sort()).toEqual([[used.id, "agent-mandated"], [strangerClaim.id, "self-asserted"]].sort());
    const refusals = [
      await revokeMandate(stranger, painterMandate),
      await http("POST", "/v1/mandates", await sign(stranger, { type: "OptOutMandate", version: 1, intent: "activate", member: painter.pubkey, agent: SOCIETY, scope: { all: true }, valid_until: inADay(), ...stamp() })),
    ];
    expect(refusals.map((r) => [r.status, r.body.errors?.[0]?.pointer])).toEqual([[403, "/supersedes"], [403, "/member"]]);
    expect(await everywhere(used.id, painter.pubkey, { url: "https://painter.example/works/sunset.jpg", code: painting })).toEqual({
      label: "agent-mandated",
      mandate: painterMandate,
      memberIsni: "0000000121032683",
      status: "active",
    });
  }, 30_000);
});
