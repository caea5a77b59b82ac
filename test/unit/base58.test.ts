import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BASE58BTC_ALPHABET, base58btcDecode, base58btcEncode } from "../../src/encoding/base58";

/** An independent reference: the number as a BigInt, divided by 58 digit by digit; a '1' per leading zero byte. */
function reference(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let out = "";
  while (n > 0n) {
    out = BASE58BTC_ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  return "1".repeat(zeros) + out;
}

const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));

describe("base58btc", () => {
  it("the draft-msporny-base58 examples", () => {
    expect(base58btcEncode(new TextEncoder().encode("Hello World!"))).toBe("2NEpo7TZRRrLZSi2U");
    expect(base58btcEncode(new TextEncoder().encode("The quick brown fox jumps over the lazy dog."))).toBe("USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z");
    expect(base58btcEncode(hex("0000287fb4cd"))).toBe("11233QC4");
    expect([...base58btcDecode("11233QC4")]).toEqual([...hex("0000287fb4cd")]);
  });

  it("edges: empty, zeros only, limb boundaries", () => {
    expect(base58btcEncode(new Uint8Array())).toBe("");
    expect(base58btcDecode("").length).toBe(0);
    expect(base58btcEncode(new Uint8Array(3))).toBe("111");
    expect([...base58btcDecode("111")]).toEqual([0, 0, 0]);
    for (const n of [57n, 58n, 58n ** 5n - 1n, 58n ** 5n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 64n]) {
      const bytes = hex(n.toString(16).padStart(n.toString(16).length + (n.toString(16).length % 2), "0"));
      expect(base58btcEncode(bytes)).toBe(reference(bytes));
      expect([...base58btcDecode(reference(bytes))]).toEqual([...bytes]);
    }
  });

  it("agrees with the BigInt reference and round-trips, for any bytes (keys, proofs and longer)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 130 }), fc.nat(4), (body, zeros) => {
        const bytes = new Uint8Array(zeros + body.length);
        bytes.set(body, zeros);
        const text = base58btcEncode(bytes);
        expect(text).toBe(reference(bytes));
        expect([...base58btcDecode(text)]).toEqual([...bytes]);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses characters outside the alphabet, naming the position", () => {
    for (const bad of ["0", "O", "I", "l", "+", "é"]) expect(() => base58btcDecode(`2N${bad}`)).toThrow(/position 2/);
  });
});
