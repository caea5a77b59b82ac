import { describe, expect, it } from "vitest";
import { verificationAtOrigin, verificationFromReceipt } from "../../src/domain/controller-verification";
import type { Declaration } from "../../src/domain/declaration-schema";

const KEY = "z6MkghLt1e8m1fmANsdJJco3aCLV8Xnigr5UWwC3u5iZFPd3";

const decl = (controller?: string) =>
  ({ signature: { version: "ISCC-SIG v1.0", pubkey: KEY, proof: "z1", ...(controller ? { controller } : {}) } }) as unknown as Declaration;

describe("the signed verification result", () => {
  it("at the origin: what was found, with the domain only for a host-alone did:web", () => {
    expect(verificationAtOrigin(decl("did:web:example.com"), true)).toEqual({ controller: "did:web:example.com", pubkey: KEY, verified: true, domain: "example.com" });
    expect(verificationAtOrigin(decl("did:web:example.com"), false)).toEqual({ controller: "did:web:example.com", pubkey: KEY, verified: false, domain: null });
    expect(verificationAtOrigin(decl("did:web:example.com:u:alice"), true)).toEqual({ controller: "did:web:example.com:u:alice", pubkey: KEY, verified: true, domain: null });
    expect(verificationAtOrigin(decl(), true)).toBeNull();
  });

  it("at a receiver: read from the receipt; a receipt without it means not verified", () => {
    const d = decl("did:web:example.com");
    expect(verificationFromReceipt(undefined, d)).toEqual({ controller: "did:web:example.com", pubkey: KEY, verified: false, domain: null });
    expect(verificationFromReceipt(undefined, decl())).toBeNull();
    const signed = verificationAtOrigin(d, true);
    expect(verificationFromReceipt(signed, d)).toEqual(signed);
    // a verified controller without a domain (what a newer origin may decide) is taken as stated
    expect(verificationFromReceipt({ ...signed, domain: null }, d)).toEqual({ ...signed, domain: null });
  });

  it("at a receiver: a claim that contradicts the declaration is refused, naming the field", () => {
    const d = decl("did:web:example.com");
    const ok = verificationAtOrigin(d, true)!;
    const cases: [unknown, Declaration, string][] = [
      ["yes", d, "/verification"],
      [ok, decl(), "/verification"],
      [{ ...ok, controller: "did:web:victim.example" }, d, "/verification/controller"],
      [{ ...ok, pubkey: "z6MkOther" }, d, "/verification/pubkey"],
      [{ ...ok, verified: "true" }, d, "/verification/verified"],
      [{ ...ok, domain: "victim.example" }, d, "/verification/domain"],
      [{ ...ok, verified: false }, d, "/verification/domain"],
      [{ ...ok, extra: 1 }, d, "/verification/extra"],
    ];
    for (const [member, declaration, pointer] of cases) {
      let err: any;
      try {
        verificationFromReceipt(member, declaration);
      } catch (e) {
        err = e;
      }
      expect(err?.errors?.[0]?.pointer, JSON.stringify(member)).toBe(pointer);
    }
  });
});
