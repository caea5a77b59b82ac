import * as ed from "@noble/ed25519";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ed25519Sign, ed25519Verify } from "../../src/domain/ed25519";

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
});
