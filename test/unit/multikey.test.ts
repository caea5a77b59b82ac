import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { base58btcDecode, base58btcEncode, Base58Error } from "../../src/encoding/base58";
import {
  decodeEd25519PublicMultikey,
  decodeEd25519SecretMultikey,
  encodeEd25519PublicMultikey,
  encodeEd25519SecretMultikey,
  MultikeyError,
} from "../../src/domain/multikey";
import vectors from "../fixtures/iscc-crypto-vectors.json";

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (h: string) => Uint8Array.from(Buffer.from(h, "hex"));

describe("base58btc", () => {
  // Vectors from the IETF base58 draft (draft-msporny-base58) and the Bitcoin reference behaviour.
  const cases: [Uint8Array, string][] = [
    [new Uint8Array(0), ""],
    [Uint8Array.of(0), "1"],
    [Uint8Array.of(0, 0, 0), "111"],
    [Uint8Array.of(57), "z"],
    [Uint8Array.of(58), "21"],
    [utf8("Hello World!"), "2NEpo7TZRRrLZSi2U"],
    [utf8("The quick brown fox jumps over the lazy dog."), "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z"],
    [hex("0000287fb4cd"), "11233QC4"],
  ];
  it.each(cases)("encodes and decodes %#", (bytes, text) => {
    expect(base58btcEncode(bytes)).toBe(text);
    expect(base58btcDecode(text)).toEqual(bytes);
  });

  it("round-trips arbitrary bytes, keeping leading zeros", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(base58btcDecode(base58btcEncode(bytes))).toEqual(bytes);
      }),
    );
  });

  it("rejects characters outside the alphabet, naming the position", () => {
    for (const bad of ["0", "O", "I", "l", "+", "/", " ", "é", "abc!"]) {
      expect(() => base58btcDecode(bad), bad).toThrow(Base58Error);
    }
    expect(() => base58btcDecode("12l4")).toThrow(/invalid base58btc character "l" at position 2/);
  });
});

describe("Ed25519 multikeys", () => {
  it("decodes iscc-crypto's public keys and re-encodes them identically", () => {
    for (const k of vectors.keys) {
      const pub = decodeEd25519PublicMultikey(k.publicKey);
      expect(pub.length).toBe(32);
      expect(encodeEd25519PublicMultikey(pub)).toBe(k.publicKey);
      expect(k.publicKey.startsWith("z6Mk")).toBe(true);
    }
  });

  it("secret multikeys decode to seeds whose public key (derived by OpenSSL) is the paired multikey", () => {
    for (const k of vectors.keys) {
      const seed = decodeEd25519SecretMultikey(k.secretKey);
      expect(encodeEd25519SecretMultikey(seed)).toBe(k.secretKey);
      // PKCS#8 wrapper for a raw Ed25519 seed (RFC 8410).
      const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
      const spki = createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" })).export({
        format: "der",
        type: "spki",
      });
      expect(encodeEd25519PublicMultikey(Uint8Array.from(spki.subarray(-32)))).toBe(k.publicKey);
    }
  });

  it("z6Mk and z3u2 prefixes come from the multicodec bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        const pub = encodeEd25519PublicMultikey(key);
        const sec = encodeEd25519SecretMultikey(key);
        expect(pub.startsWith("z6Mk")).toBe(true);
        expect(sec.startsWith("z3u2")).toBe(true);
        expect(decodeEd25519PublicMultikey(pub)).toEqual(key);
        expect(decodeEd25519SecretMultikey(sec)).toEqual(key);
      }),
    );
  });

  it("gives precise errors", () => {
    const pub = vectors.keys[0]!.publicKey;
    const sec = vectors.keys[0]!.secretKey;
    expect(() => decodeEd25519PublicMultikey("u" + pub.slice(1))).toThrow(/not multibase base58btc/);
    expect(() => decodeEd25519PublicMultikey("z6Mk0")).toThrow(/invalid base58btc character "0"/);
    // A secret key where a public one is expected, and vice versa.
    expect(() => decodeEd25519PublicMultikey(sec)).toThrow(/wrong multicodec prefix: expected ed25519-pub \(0xed01\), got 0x8026/);
    expect(() => decodeEd25519SecretMultikey(pub)).toThrow(/expected ed25519-priv \(0x8026\), got 0xed01/);
    const short = "z" + base58btcEncode(Uint8Array.from([0xed, 0x01, ...new Uint8Array(16)]));
    expect(() => decodeEd25519PublicMultikey(short)).toThrow(/wrong length: expected 32 key bytes, got 16/);
    const long = "z" + base58btcEncode(Uint8Array.from([0xed, 0x01, ...new Uint8Array(33)]));
    expect(() => decodeEd25519PublicMultikey(long)).toThrow(/got 33/);
    expect(() => decodeEd25519PublicMultikey("z")).toThrow(MultikeyError);
    expect(() => encodeEd25519PublicMultikey(new Uint8Array(31))).toThrow(/must be 32 bytes, got 31/);
  });
});
