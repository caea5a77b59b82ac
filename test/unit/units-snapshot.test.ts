// The signed units snapshot and the local matcher behind `optout scan --snapshot`: a round trip, tampering
// refused, and recall: every declared unit within the distance is found, exactly what brute force finds.
import { describe, expect, it } from "vitest";
import { generateKeypair } from "../../src/domain/iscc-sig";
import { encodeUnit, MainType, ST_CC, ST_NONE } from "../../src/iscc/index";
import { SnapshotMatcher } from "../../src/scan/snapshot-matcher";
import { distance64 } from "../../src/similarity/bands";
import { decodeUnitsSnapshot, encodeUnitsSnapshot, type UnitsSnapshot } from "../../src/snapshot/units-snapshot";
import { xorshiftBytes } from "../support/seeded-random";

function flip(body: Uint8Array, bits: number, seed: number): Uint8Array {
  const out = Uint8Array.from(body);
  const r = xorshiftBytes(bits * 2, seed);
  const done = new Set<number>();
  for (let i = 0; done.size < bits; i++) {
    const p = (r[i % r.length]! + i * 7) % 64;
    if (done.has(p)) continue;
    done.add(p);
    out[p >> 3]! ^= 0x80 >> (p & 7);
  }
  return out;
}

const declarations = Array.from({ length: 300 }, (_, i) => ({ id: `ISCC:MAI${i}`, controllerVerified: i % 3 === 0, vocabulary: 1 + (i % 2), preferences: { "train-ai": "n" as const } }));
const bodies = declarations.map((_, i) => xorshiftBytes(8, i + 1));
const snap: UnitsSnapshot = {
  version: 42,
  createdAt: 1_800_000_000_000,
  registry: "registry.example",
  declarations,
  units: bodies.map((body, i) => ({ unitType: i % 2 ? "CONTENT-IMAGE-V0" : "CONTENT-TEXT-V0", body, declaration: i })),
  datahashes: [{ digest: xorshiftBytes(32, 999), declaration: 7 }],
};

describe("units snapshot", () => {
  it("round-trips and verifies with the registry key; any altered byte or another key is refused", async () => {
    const kp = generateKeypair();
    const bytes = await encodeUnitsSnapshot(snap, kp.secretKey);
    const back = await decodeUnitsSnapshot(bytes, kp.publicKey);
    expect(back).toMatchObject({ version: 42, createdAt: 1_800_000_000_000, registry: "registry.example", declarations });
    expect(back.units.map((u) => [u.unitType, Array.from(u.body), u.declaration])).toEqual(snap.units.map((u) => [u.unitType, Array.from(u.body), u.declaration]));
    expect(Array.from(back.datahashes[0]!.digest)).toEqual(Array.from(snap.datahashes[0]!.digest));
    const altered = Uint8Array.from(bytes);
    altered[60]! ^= 1;
    await expect(decodeUnitsSnapshot(altered, kp.publicKey)).rejects.toThrow(/signature does not verify/);
    await expect(decodeUnitsSnapshot(bytes, generateKeypair().publicKey)).rejects.toThrow(/signature does not verify/);
  });

  // 300 units are compared one by one; 6,000 (3,000 a type, more than a search probes) go through the band index
  it.each([300, 6_000])("finds every declared unit of the same type within the distance, as brute force does, and nothing else (%i units)", async (n) => {
    // near-duplicates of the first units, so that queries find several
    const many = Array.from({ length: n }, (_, i) => (i < 300 ? bodies[i]! : flip(bodies[i % 300]!, 4 + (i % 9), i)));
    const big: UnitsSnapshot = {
      ...snap,
      declarations: many.map((_, i) => ({ id: `ISCC:MAI${i}`, controllerVerified: false, vocabulary: 1, preferences: { "train-ai": "n" as const } })),
      units: many.map((body, i) => ({ unitType: i % 2 ? "CONTENT-IMAGE-V0" : "CONTENT-TEXT-V0", body, declaration: i })),
    };
    const m = new SnapshotMatcher(big, async () => ({ matches: [] }), 12);
    for (let q = 0; q < 120; q++) {
      const target = q * 2 + 1; // an image unit
      const body = flip(many[target]!, q % 16, q);
      const code = encodeUnit(MainType.CONTENT, ST_CC.IMAGE, 0, 64, body);
      const found = await m.matchCode(code);
      if ("error" in found) throw new Error(found.error);
      const expected = big.units.filter((u) => u.unitType === "CONTENT-IMAGE-V0" && distance64(u.body, body) <= 12).map((u) => `ISCC:MAI${u.declaration}`);
      expect(found.matches.map((x) => x.declaration).sort()).toEqual(expected.sort());
      expect(found.matches.some((x) => x.declaration === `ISCC:MAI${target}`)).toBe(q % 16 <= 12);
    }
  });

  it("an instance unit matches a declared datahash exactly", async () => {
    const m = new SnapshotMatcher(snap, async () => ({ matches: [] }));
    const digest = snap.datahashes[0]!.digest;
    const found = await m.matchCode(encodeUnit(MainType.INSTANCE, ST_NONE, 0, 64, digest.subarray(0, 8)));
    expect(found).toEqual({
      matches: [
        {
          declaration: "ISCC:MAI7",
          matched: [{ by: "datahash", declared: "1e20" + Buffer.from(digest).toString("hex") }],
          trust: "self-asserted",
          vocabulary: 2,
          preferences: { "train-ai": "n" },
        },
      ],
    });
  });
});
