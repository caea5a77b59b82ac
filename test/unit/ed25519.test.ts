import * as ed from "@noble/ed25519";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ed25519Sign, ed25519Verify } from "../../src/domain/ed25519";

/** RFC 8032 §7.1, TEST 1-3: secret key, public key, message, signature (hex). */
const RFC8032 = [
  ["9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "", "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"],
  ["4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72", "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"],
  ["c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82", "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"],
] as const;
const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));

describe("ed25519: RFC 8032 test vectors, through WebCrypto and through @noble/ed25519", () => {
  it.each(RFC8032)("secret %s", async (sk, pk, msg, sig) => {
    expect([...ed.getPublicKey(hex(sk))]).toEqual([...hex(pk)]);
    expect([...(await ed25519Sign(hex(msg), hex(sk)))]).toEqual([...hex(sig)]);
    expect([...ed.sign(hex(msg), hex(sk))]).toEqual([...hex(sig)]);
    expect(await ed25519Verify(hex(sig), hex(msg), hex(pk))).toBe(true);
    expect(ed.verify(hex(sig), hex(msg), hex(pk), { zip215: false })).toBe(true);
  });

  it("the native path is the one under test here (WebCrypto Ed25519, as in workerd)", async () => {
    await expect(crypto.subtle.importKey("raw", hex(RFC8032[0][1]), { name: "Ed25519" }, false, ["verify"])).resolves.toBeTruthy();
  });
});

describe("ed25519 (native WebCrypto where available)", () => {
  it("signs byte-identically to @noble/ed25519 and verifies what noble signs", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), async (seed, msg) => {
        const sig = await ed25519Sign(msg, seed);
        expect([...sig]).toEqual([...ed.sign(msg, seed)]);
        expect(await ed25519Verify(ed.sign(msg, seed), msg, ed.getPublicKey(seed))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it("rejects a flipped bit anywhere, a wrong key, and malformed inputs", async () => {
    const seed = new Uint8Array(32).fill(9);
    const pub = ed.getPublicKey(seed);
    const msg = new TextEncoder().encode("opt out");
    const sig = await ed25519Sign(msg, seed);
    for (let bit = 0; bit < 512; bit += 37) {
      const bad = Uint8Array.from(sig);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(await ed25519Verify(bad, msg, pub)).toBe(false);
    }
    expect(await ed25519Verify(sig, msg, ed.getPublicKey(new Uint8Array(32).fill(8)))).toBe(false);
    expect(await ed25519Verify(sig, new TextEncoder().encode("opt in"), pub)).toBe(false);
    expect(await ed25519Verify(sig.subarray(0, 63), msg, pub)).toBe(false);
    expect(await ed25519Verify(sig, msg, new Uint8Array(32).fill(0xff))).toBe(false);
  });

  it("keys kept between verifications answer for their own bytes only", async () => {
    const seeds = [1, 2, 3].map((n) => new Uint8Array(32).fill(n));
    const msg = new TextEncoder().encode("opt out");
    const sigs = await Promise.all(seeds.map((s) => ed25519Sign(msg, s)));
    for (let round = 0; round < 3; round++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) expect(await ed25519Verify(sigs[i]!, msg, ed.getPublicKey(seeds[j]!))).toBe(i === j);
    // A buffer reused for another key (the cache keys by the bytes, not the buffer).
    const buf = Uint8Array.from(ed.getPublicKey(seeds[0]!));
    expect(await ed25519Verify(sigs[0]!, msg, buf)).toBe(true);
    buf.set(ed.getPublicKey(seeds[1]!));
    expect(await ed25519Verify(sigs[0]!, msg, buf)).toBe(false);
    expect(await ed25519Verify(sigs[1]!, msg, buf)).toBe(true);
  });
});
