import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DataHasher,
  InstanceHasher,
  genDataCodeV0,
  genImageCodeV0,
  genInstanceCodeV0,
  genMetaCodeV0,
  genTextCodeV0,
  imagePixelsFromRgba,
  parseIscc,
  textCollapse,
} from "../../src/iscc/index.js";
import { minhash, minhashWith } from "../../src/iscc/minhash.js";
import { MINHASH_A, MINHASH_B } from "../../src/iscc/minhash-params.js";
import { xxh32 } from "../../src/iscc/xxh32.js";
import { cdcOffset, DATA_CDC } from "../../src/iscc/cdc.js";
import { xorshiftBytes } from "../support/seeded-random";

const bytes = (n: number, seed = 1) => xorshiftBytes(n, seed);


function pushInPieces<T extends { push(d: Uint8Array): unknown }>(h: T, data: Uint8Array, cuts: number[]): T {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  let prev = 0;
  for (const p of [...points, data.length]) {
    h.push(data.subarray(prev, p));
    prev = p;
  }
  return h;
}

describe("minhash", () => {
  it("equals the BigInt formula ((a·f + b) mod 2^64 mod (2^61−1)) & 0xffffffff", () => {
    const M61 = (1n << 61n) - 1n;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 20 }), (features) => {
        const expected = MINHASH_A.map((a, k) => {
          let min = 1n << 32n;
          for (const f of features) {
            const v = ((((a * BigInt(f) + MINHASH_B[k]!) & ((1n << 64n) - 1n)) % M61) & 0xffffffffn);
            if (v < min) min = v;
          }
          return Number(min);
        });
        expect(Array.from(minhash(features))).toEqual(expected);
      }),
    );
  });

  // Reference value of one (a, b, f): the 32-bit-limb arithmetic must agree on every edge of the
  // mod-2^64 wrap and of the mod-(2^61−1) reduction, which random ISCC features practically never reach.
  const M64 = (1n << 64n) - 1n;
  const M61 = (1n << 61n) - 1n;
  const ref = (a: bigint, b: bigint, f: number) => Number((((a * BigInt(f) + b) & M64) % M61) & 0xffffffffn);

  it("is exact around multiples of 2^61−1, 2^61, 2^32 and the 2^64 wrap", () => {
    const bases = [0n, M61, 2n * M61, 3n * M61, 4n * M61, 5n * M61, 6n * M61, 7n * M61, 8n * M61, 1n << 61n, 1n << 62n,
      1n << 63n, 1n << 32n, (1n << 32n) - 1n, M61 << 1n, M64, (7n << 61n) + M61];
    const as: bigint[] = [];
    const bs: bigint[] = [];
    for (const base of bases) {
      for (const a of [1n, 2n, 0xffffffffn, 1n << 32n]) {
        as.push(a);
        bs.push((base - 40n * a) & M64);
      }
    }
    const all: number[] = [];
    for (let f = 0; f <= 80; f++) {
      const got = minhashWith([f], as, bs);
      as.forEach((a, k) => expect(got[k], `a=${a} b=${bs[k]} f=${f}`).toBe(ref(a, bs[k]!, f)));
      all.push(f);
    }
    // the running-minimum filter must still see values that wrap past 2^32, in any feature order
    for (const order of [all, [...all].reverse(), all.map((_, i) => all[(i * 37) % all.length]!)]) {
      const got = minhashWith(order, as, bs);
      as.forEach((a, k) => expect(got[k]).toBe(Math.min(...order.map((f) => ref(a, bs[k]!, f)))));
    }
  });

  it("keeps a minimum that only appears after the low word wraps", () => {
    // a = 1: f = 1000 gives 7·2^61 + 2^32 + 996 → 1003; f = 0 has low word 2^32 − 4 but folds to 3
    const b = (7n << 61n) + 0xfffffffcn;
    expect(Array.from(minhashWith([1000, 0], [1n], [b]))).toEqual([3]);
    expect(ref(1n, b, 0)).toBe(3);
    expect(ref(1n, b, 1000)).toBe(1003);
  });

  it("is exact for any 64-bit a, b and any 32-bit feature", () => {
    const u64 = fc.bigInt({ min: 0n, max: M64 });
    const edgy = fc.oneof(u64, fc.constantFrom(0n, 1n, M64, M61, M61 + 1n, 0xffffffffn, 1n << 32n, M64 - 0xffffffffn));
    const feature = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff));
    fc.assert(
      fc.property(fc.array(fc.tuple(edgy, edgy), { minLength: 1, maxLength: 9 }), feature, (ab, f) => {
        const got = minhashWith([f], ab.map((x) => x[0]), ab.map((x) => x[1]));
        expect(Array.from(got)).toEqual(ab.map(([a, b]) => ref(a, b, f)));
      }),
      { numRuns: 2000 },
    );
  });

  it("equals the BigInt minimum for edge permutations over several features", () => {
    const M64e = fc.oneof(fc.bigInt({ min: 0n, max: M64 }), fc.constantFrom(M64, M61, 7n << 61n, (7n << 61n) + 0xfffffff0n));
    const feature = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 64 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(M64e, M64e), { minLength: 1, maxLength: 5 }), fc.array(feature, { minLength: 1, maxLength: 30 }), (ab, fs) => {
        const got = minhashWith(fs, ab.map((x) => x[0]), ab.map((x) => x[1]));
        expect(Array.from(got)).toEqual(ab.map(([a, b]) => Math.min(...fs.map((f) => ref(a, b, f)))));
      }),
      { numRuns: 1000 },
    );
  });

  it("gets the carry word exact where the high word crosses a multiple of 2^29", () => {
    // The high word only matters through its top 3 bits and the all-ones check, so b_hi is chosen to put it
    // at −2…+1 of a multiple of 2^29: an off-by-one carry from a_lo·f + b_lo then changes the result.
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(u32, u32, u32, u32, fc.integer({ min: 0, max: 8 }), fc.integer({ min: -2, max: 1 }), (aLo, aHi, bLo, f, m, delta) => {
        const a = (BigInt(aHi) << 32n) | BigInt(aLo);
        const carry = (BigInt(aLo) * BigInt(f) + BigInt(bLo)) >> 32n;
        const bHi = (BigInt(m) * (1n << 29n) + BigInt(delta) - carry - BigInt(aHi) * BigInt(f)) & 0xffffffffn;
        const b = (bHi << 32n) | BigInt(bLo);
        expect(minhashWith([f], [a], [b])[0]).toBe(ref(a, b, f));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("xxh32", () => {
  it("matches the published xxHash32 check values", () => {
    const enc = new TextEncoder();
    expect(xxh32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxh32(enc.encode("a"))).toBe(0x550d7456);
    expect(xxh32(enc.encode("abc"))).toBe(0x32d153ff);
    expect(xxh32(enc.encode("Nobody inspects the spammish repetition"))).toBe(0xe2293b2f);
  });
});

describe("Data-Code", () => {
  it("cuts chunks within [minSize, maxSize] except at the end", () => {
    const data = bytes(200_000, 7);
    let pos = 0;
    while (pos < data.length) {
      const cut = cdcOffset(data, pos, data.length);
      if (pos + cut < data.length) {
        expect(cut).toBeGreaterThanOrEqual(DATA_CDC.minSize + 1);
        expect(cut).toBeLessThanOrEqual(DATA_CDC.maxSize);
      }
      pos += cut;
    }
  });

  it("gives the same code for any split of the stream", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 1, max: 1000 }), fc.array(fc.nat(), { maxLength: 12 }), (n, seed, cuts) => {
        const data = bytes(n, seed);
        const oneShot = genDataCodeV0(data, 256).iscc;
        expect(pushInPieces(new DataHasher(), data, cuts).code(256)).toBe(oneShot);
      }),
      { numRuns: 60 },
    );
  });

  it("is split-invariant at the chunker's size boundaries, including byte-by-byte pushes", () => {
    const sizes = [0, 1, 255, 256, 257, 383, 384, 385, 639, 640, 641, 1023, 1024, 1025, 8191, 8192, 8193, 16384, 65536];
    for (const n of sizes) {
      const data = bytes(n, n + 3);
      const expected = genDataCodeV0(data, 64).iscc;
      for (const piece of [1, 255, 256, 257, 1024, 8192, 8193]) {
        if (piece === 1 && n > 20000) continue;
        const h = new DataHasher();
        for (let i = 0; i < n; i += piece) h.push(data.subarray(i, i + piece));
        h.push(new Uint8Array(0));
        expect(h.code(64), `size ${n} piece ${piece}`).toBe(expected);
      }
    }
  });

  it("hashes zero bytes as the single empty-chunk feature, different from one zero byte", () => {
    expect(genDataCodeV0(new Uint8Array(0)).iscc).toBe("ISCC:GAASL4F2WZY7KBXB");
    expect(genDataCodeV0(new Uint8Array(1)).iscc).not.toBe("ISCC:GAASL4F2WZY7KBXB");
  });
});

describe("Instance-Code", () => {
  it("gives the same code, datahash and filesize for any split", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.array(fc.nat(), { maxLength: 8 }), (n, cuts) => {
        const data = bytes(n, n + 1);
        const one = genInstanceCodeV0(data, 256);
        const h = pushInPieces(new InstanceHasher(), data, cuts);
        expect({ iscc: h.code(256), datahash: h.multihash(), filesize: h.filesize }).toEqual(one);
        expect(one.datahash).toMatch(/^1e20[0-9a-f]{64}$/);
      }),
      { numRuns: 40 },
    );
  });
});

describe("text and meta normalization", () => {
  it("treats canonically equivalent Unicode the same (NFC vs NFD, full-width, ligatures)", () => {
    expect(genTextCodeV0("Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e").iscc).toBe(genTextCodeV0("Cafe\u0301 cre\u0300me bru\u0302le\u0301e").iscc);
    expect(textCollapse("\uff28\uff45\uff4c\uff4c\uff4f \ufb01ne")).toBe("hellofine");
    expect(genMetaCodeV0("Caf\u00e9").iscc).toBe(genMetaCodeV0("Cafe\u0301").iscc);
  });

  it("ignores whitespace, punctuation, control characters and case in Text-Code", () => {
    const a = genTextCodeV0("Hello, World!");
    expect(genTextCodeV0("  hello\u00a0\u2003world\u200b\u0007 ")).toEqual(a);
    expect(a.characters).toBe(10);
  });

  it("counts characters in code points, not UTF-16 units", () => {
    expect(genTextCodeV0("\u{1F600}\u{1F601}").characters).toBe(2);
  });

  it("trims name to 128 UTF-8 bytes without splitting a character, and collapses its whitespace", () => {
    const r = genMetaCodeV0("\u00e9".repeat(100) + "\n\tx");
    expect(new TextEncoder().encode(r.name).length).toBeLessThanOrEqual(128);
    expect(r.name).toBe("\u00e9".repeat(64));
    expect(genMetaCodeV0("  a\n\n\nb\t c ").name).toBe("a b c");
    expect(genMetaCodeV0("x", "line1\n\n\n\nline2\u0000").description).toBe("line1\n\nline2");
  });

  it("rejects a name that is empty after normalization, and oversized meta", () => {
    expect(() => genMetaCodeV0(" \u0000\n ")).toThrow(/non-empty name/);
    expect(() => genMetaCodeV0("x", "", { big: "a".repeat(128_001) })).toThrow(/exceeds META_TRIM_META/);
  });

  it("hashes a JSON object and the equivalent data: URL identically", () => {
    const obj = { b: [1, 2.5, "\u00fc"], a: { z: null, y: true } };
    const fromObj = genMetaCodeV0("Title", "", obj);
    expect(fromObj.meta).toMatch(/^data:application\/json;base64,/);
    const fromUrl = genMetaCodeV0("Title", "", fromObj.meta!);
    expect(fromUrl.iscc).toBe(fromObj.iscc);
    expect(fromUrl.metahash).toBe(fromObj.metahash);
    const percent = genMetaCodeV0("Title", "", "data:application/json," + encodeURIComponent('{"a":{"y":true,"z":null},"b":[1,2.5,"\u00fc"]}'));
    expect(percent.metahash).toBe(fromObj.metahash);
  });
});

describe("image preprocessing", () => {
  const rgba = (w: number, h: number, f: (x: number, y: number) => [number, number, number, number]) => {
    const data = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * 4);
    return { data, width: w, height: h };
  };

  it("passes a 32×32 opaque grayscale image through unchanged", () => {
    const img = rgba(32, 32, (x, y) => [(x * 8 + y) & 255, (x * 8 + y) & 255, (x * 8 + y) & 255, 255]);
    const px = imagePixelsFromRgba(img, { trimBorder: false });
    expect(Array.from(px)).toEqual(Array.from({ length: 1024 }, (_, i) => ((i % 32) * 8 + Math.floor(i / 32)) & 255));
  });

  it("puts transparent pixels on white", () => {
    const px = imagePixelsFromRgba(rgba(40, 40, () => [0, 0, 0, 0]));
    expect(Array.from(px).every((v) => v === 255)).toBe(true);
  });

  it("trims a uniform border, so a framed picture hashes like the picture", () => {
    const pic = (x: number, y: number): [number, number, number, number] => [(x * 5) & 255, (y * 9) & 255, ((x ^ y) * 3) & 255, 255];
    const bare = imagePixelsFromRgba(rgba(64, 48, pic));
    const framed = imagePixelsFromRgba(rgba(84, 58, (x, y) => (x < 10 || x >= 74 || y < 5 || y >= 53 ? [200, 10, 10, 255] : pic(x - 10, y - 5))));
    expect(genImageCodeV0(framed, 256)).toEqual(genImageCodeV0(bare, 256));
  });

  it("undoes EXIF orientation 6 (stored rotated) before hashing", () => {
    const w = 48;
    const h = 30;
    const pic = (x: number, y: number): [number, number, number, number] => [(x * 5) & 255, (y * 9) & 255, 77, 255];
    const upright = imagePixelsFromRgba(rgba(w, h, pic));
    // stored image is the upright one rotated 90° counter-clockwise; orientation 6 rotates it back clockwise
    const stored = rgba(h, w, (x, y) => pic(w - 1 - y, x));
    expect(Array.from(imagePixelsFromRgba(stored, { orientation: 6 }))).toEqual(Array.from(upright));
  });

  it("produces Image-Codes of the requested length", () => {
    const px = imagePixelsFromRgba(rgba(100, 70, (x, y) => [x, y, x ^ y, 255]));
    for (const bits of [64, 128, 256]) expect(parseIscc(genImageCodeV0(px, bits).iscc).bits).toBe(bits);
  });
});

describe("WebAssembly BLAKE3 opt-in", () => {
  it("gives the same Instance- and Meta-Codes as pure JS, also with interleaved streams", async () => {
    const data = bytes(100_000, 5);
    const pureInstance = genInstanceCodeV0(data, 256);
    const pure = [pureInstance, genMetaCodeV0("Die Unendliche Geschichte", "Von Michael Ende")];
    const { enableWasmBlake3 } = await import("../../src/iscc/index.js");
    expect(await enableWasmBlake3()).toBe(true);
    expect([genInstanceCodeV0(data, 256), genMetaCodeV0("Die Unendliche Geschichte", "Von Michael Ende")]).toEqual(pure);
    const a = new InstanceHasher();
    const b = new InstanceHasher();
    a.push(data.subarray(0, 500));
    b.push(data.subarray(0, 70_000));
    a.push(data.subarray(500));
    b.push(data.subarray(70_000));
    expect(a.multihash()).toBe(pureInstance.datahash);
    expect(b.multihash()).toBe(pureInstance.datahash);
  });
});

describe("single-block BLAKE3", () => {
  it("equals @noble/hashes for every input of 0–64 bytes", async () => {
    const { blake3SingleBlock } = await import("../../src/iscc/blake3-block.js");
    const { blake3: noble } = await import("@noble/hashes/blake3.js");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (d) => {
        expect(blake3SingleBlock(d)).toEqual(noble(d));
      }),
      { numRuns: 300 },
    );
  });
});

describe("BLAKE3 backends", () => {
  // chunk (1,024 B) and block (64 B) boundaries, several tree levels, and the 4-chunk batches of SIMD code
  const sizes = [0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 2049, 3072, 4096, 4097, 8191, 16_385, 65_536, 65_537, 100_003];

  it("pure JS (blake3-jit) and the native addon equal @noble/hashes at every boundary size and split", async () => {
    const { blake3: noble } = await import("@noble/hashes/blake3.js");
    const { blake3, createBlake3 } = await import("../../src/iscc/blake3.js");
    const check = () => {
      for (const n of sizes) {
        const d = bytes(n, n + 3);
        const want = noble(d);
        expect(blake3(d), `one-shot ${n}`).toEqual(want);
        for (const cut of [0, 1, 64, 1000, 1024, 4097]) {
          if (cut > n) continue;
          const h = createBlake3().update(d.subarray(0, cut)).update(d.subarray(cut));
          expect(h.digest(), `split ${n} at ${cut}`).toEqual(want);
        }
      }
    };
    check();
    const { enableNativeBlake3 } = await import("../../src/iscc/index.js");
    // a dependency with a prebuilt linux-x64 binary; other platforms fall back to pure JS
    if (process.platform === "linux" && process.arch === "x64") expect(await enableNativeBlake3()).toBe(true);
    check();
    const data = bytes(300_000, 9);
    const h = new InstanceHasher();
    pushInPieces(h, data, [1, 999, 1025, 70_000, 200_001]);
    expect(h.multihash()).toBe("1e20" + Buffer.from(noble(data)).toString("hex"));
  });
});
