import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { leafHash, nodeHash, storedHashCount, storedHashesForRecord, treeHash, type HashReader } from "../../src/log/merkle.js";
import {
  decodeEntryBundle,
  encodeEntryBundle,
  entryTileRange,
  isTileAvailable,
  newTiles,
  parseTilePath,
  readTileData,
  tileHashIndexes,
  tilePath,
  TilePathError,
  type HashTile,
  type Tile,
} from "../../src/log/tiles.js";
import vectors from "../fixtures/tlog-vectors.json";

/** An append-only hash store; leaf i's entry is `entry i`. */
function buildLog(size: number): { stored: Uint8Array[]; leaves: Uint8Array[]; entries: Uint8Array[]; read: HashReader } {
  const stored: Uint8Array[] = [];
  const leaves: Uint8Array[] = [];
  const entries: Uint8Array[] = [];
  const read: HashReader = (xs) => xs.map((x) => stored[x]!);
  for (let i = 0; i < size; i++) {
    const e = new TextEncoder().encode(`entry ${i}`);
    const h = leafHash(e);
    stored.push(...storedHashesForRecord(i, h, read));
    leaves.push(h);
    entries.push(e);
  }
  return { stored, leaves, entries, read };
}

/** MTH of leaves[lo:hi) straight from the RFC 6962 definition. */
function mth(leaves: Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return leaves[lo]!;
  let k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}

const split = (data: Uint8Array): Uint8Array[] => Array.from({ length: data.length / 32 }, (_, i) => data.subarray(i * 32, i * 32 + 32));

describe("tile paths", () => {
  it.each<[string, Tile]>([
    ["tile/0/000", { kind: "hash", level: 0, n: 0, width: 256 }],
    ["tile/0/001.p/5", { kind: "hash", level: 0, n: 1, width: 5 }],
    ["tile/1/x001/x234/067", { kind: "hash", level: 1, n: 1234067, width: 256 }],
    ["tile/63/x001/x234/067.p/255", { kind: "hash", level: 63, n: 1234067, width: 255 }],
    ["tile/entries/x123/x456/078", { kind: "entries", n: 123456078, width: 256 }],
    ["tile/entries/x003/x057/500.p/2", { kind: "entries", n: 3057500, width: 2 }],
    ["tile/2/999", { kind: "hash", level: 2, n: 999, width: 256 }],
    ["tile/2/x001/000", { kind: "hash", level: 2, n: 1000, width: 256 }],
  ])("%s", (path, tile) => {
    expect(parseTilePath(path)).toEqual(tile);
    expect(tilePath(tile)).toBe(path);
  });

  it("encodes N as the spec and Go's tlog do", () => {
    const { n, path } = vectors.c2sp.tiles.numberPath;
    expect(tilePath({ kind: "hash", level: 0, n, width: 256 })).toBe(`tile/0/${path}`);
    for (const v of vectors.goTlog.tileNumberPaths) expect(parseTilePath(`tile/0/${v.path}`).n).toBe(v.n);
    for (const bad of vectors.goTlog.badTileNumberPaths) expect(() => parseTilePath(`tile/0/${bad}`)).toThrow(TilePathError);
  });

  it.each([
    ["tiles/0/000", /must start with "tile\/"/],
    ["/tile/0/000", /must start with "tile\/"/],
    ["tile/0", /missing level or index/],
    ["tile/00/000", /without leading zeros/],
    ["tile/64/000", /0\.\.63/],
    ["tile/-1/000", /level/],
    ["tile/data/000", /level/],
    ["tile/0/00", /3 digits/],
    ["tile/0/0000", /3 digits/],
    ["tile/0/x000", /3 digits/],
    ["tile/0/001/002", /before the last must be "x"/],
    ["tile/0/x000/001", /leading x000/],
    ["tile/0/x001/x002", /last index element/],
    ["tile/0/001.p/0", /partial width/],
    ["tile/0/001.p/256", /partial width/],
    ["tile/0/001.p/05", /partial width/],
    ["tile/0/001.p/", /partial width/],
    ["tile/0/001.p", /3 digits/],
    ["tile/0/001/", /before the last/],
    ["tile/0/x009/x007/x199/x254/x740/992", /exceeds 2\^53/],
  ])("rejects %s", (path, why) => {
    expect(() => parseTilePath(path)).toThrow(TilePathError);
    expect(() => parseTilePath(path)).toThrow(why);
  });

  it("round-trips any tile", () => {
    const tile = fc.oneof(
      fc.record({ kind: fc.constant("hash" as const), level: fc.integer({ min: 0, max: 63 }), n: fc.maxSafeNat(), width: fc.integer({ min: 1, max: 256 }) }),
      fc.record({ kind: fc.constant("entries" as const), n: fc.maxSafeNat(), width: fc.integer({ min: 1, max: 256 }) }),
    );
    fc.assert(
      fc.property(tile, (t) => {
        expect(parseTilePath(tilePath(t))).toEqual(t);
      }),
    );
  });

  it("refuses to write impossible tiles", () => {
    expect(() => tilePath({ kind: "hash", level: 64, n: 0, width: 256 })).toThrow(RangeError);
    expect(() => tilePath({ kind: "hash", level: 0, n: -1, width: 256 })).toThrow(RangeError);
    expect(() => tilePath({ kind: "entries", n: 0, width: 0 })).toThrow(RangeError);
    expect(() => tilePath({ kind: "entries", n: 0, width: 257 })).toThrow(RangeError);
  });
});

describe("tiles of a tree", () => {
  it("lists the tiles of the spec's 70,000-leaf example", () => {
    const ex = vectors.c2sp.tiles.size70000;
    const tiles = newTiles(0, ex.size);
    const count = (level: number, full: boolean) => tiles.filter((t) => t.level === level && (t.width === 256) === full);
    expect(count(0, true)).toHaveLength(ex.fullLevel0);
    expect(count(0, false).map((t) => t.width)).toEqual([ex.partialLevel0]);
    expect(count(1, true)).toHaveLength(ex.fullLevel1);
    expect(count(1, false).map((t) => t.width)).toEqual([ex.partialLevel1]);
    expect(count(2, false).map((t) => t.width)).toEqual([ex.partialLevel2]);
    expect(tiles).toHaveLength(273 + 1 + 1 + 1 + 1);
    // "A tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1."
    expect(newTiles(0, 256)).toEqual([
      { kind: "hash", level: 0, n: 0, width: 256 },
      { kind: "hash", level: 1, n: 0, width: 1 },
    ]);
  });

  it("lists only what changed when the tree grows", () => {
    expect(newTiles(5, 5)).toEqual([]);
    expect(newTiles(100, 101)).toEqual([{ kind: "hash", level: 0, n: 0, width: 101 }]);
    expect(newTiles(255, 257)).toEqual([
      { kind: "hash", level: 0, n: 0, width: 256 },
      { kind: "hash", level: 0, n: 1, width: 1 },
      { kind: "hash", level: 1, n: 0, width: 1 },
    ]);
    expect(() => newTiles(2, 1)).toThrow(RangeError);
  });

  it("agrees with the availability rule for every size", () => {
    fc.assert(
      // Growth is bounded so that the list of completed full tiles stays small.
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 70000 }), (oldSize, growth) => {
        const newSize = oldSize + growth;
        for (const t of newTiles(oldSize, newSize)) {
          expect(isTileAvailable(t, newSize)).toBe(true);
          // The tile is the widest of its kind: one more hash would not be in the tree.
          if (t.width < 256) expect(isTileAvailable({ ...t, width: t.width + 1 }, newSize)).toBe(false);
          expect(isTileAvailable(t, oldSize)).toBe(false);
        }
      }),
    );
  });

  it("knows which tiles a tree contains", () => {
    expect(isTileAvailable({ kind: "hash", level: 0, n: 0, width: 256 }, 255)).toBe(false);
    expect(isTileAvailable({ kind: "hash", level: 0, n: 0, width: 255 }, 255)).toBe(true);
    expect(isTileAvailable({ kind: "hash", level: 1, n: 0, width: 1 }, 256)).toBe(true);
    expect(isTileAvailable({ kind: "hash", level: 1, n: 0, width: 2 }, 511)).toBe(false);
    expect(isTileAvailable({ kind: "hash", level: 2, n: 0, width: 1 }, 65535)).toBe(false);
    expect(isTileAvailable({ kind: "entries", n: 1, width: 3 }, 259)).toBe(true);
    expect(isTileAvailable({ kind: "entries", n: 1, width: 4 }, 259)).toBe(false);
    expect(isTileAvailable({ kind: "hash", level: 63, n: 0, width: 1 }, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

describe("tile contents", () => {
  it("holds the RFC 6962 leaf hashes at level 0 (CT reference tree of 8 leaves)", () => {
    const stored: Uint8Array[] = [];
    const read: HashReader = (xs) => xs.map((x) => stored[x]!);
    vectors.rfc6962.leafInputsHex.forEach((hex, i) => stored.push(...storedHashesForRecord(i, leafHash(hexToBytes(hex)), read)));
    const data = readTileData({ kind: "hash", level: 0, n: 0, width: 8 }, read);
    expect(bytesToHex(data)).toBe(vectors.rfc6962.nodeHashesHex[0]!.join(""));
  });

  // 70,000 leaves reach level 2 (65,536 leaves), as in the spec's example.
  const log = buildLog(70000);

  it("holds at level L the MTH of each 256^(L+1)-leaf span, per the spec's formula", () => {
    const tiles = newTiles(0, 70000);
    for (const t of tiles) {
      const data = readTileData(t, log.read);
      expect(data.length).toBe(t.width * 32);
      const span = 256 ** t.level;
      // Check the first, last and a middle hash of every tile against MTH(D[(n·256+i)·256^L : (n·256+i+1)·256^L]).
      for (const i of new Set([0, t.width >> 1, t.width - 1])) {
        const lo = (t.n * 256 + i) * span;
        expect(split(data)[i], `${tilePath(t)} hash ${i}`).toEqual(mth(log.leaves, lo, lo + span));
      }
    }
  });

  it("makes each level-1 hash the tile hash of the full level-0 tile under it", () => {
    const level1 = split(readTileData({ kind: "hash", level: 1, n: 0, width: 17 }, log.read));
    for (let n = 0; n < 17; n++) {
      const hashes = split(readTileData({ kind: "hash", level: 0, n, width: 256 }, log.read));
      let layer = hashes;
      while (layer.length > 1) layer = Array.from({ length: layer.length / 2 }, (_, i) => nodeHash(layer[2 * i]!, layer[2 * i + 1]!));
      expect(layer[0]).toEqual(level1[n]);
    }
  });

  it("lets a client rebuild the root from tiles alone", () => {
    // 70,000 = 65,536 + 4,096 + 256 + 112 leaves, the perfect subtrees of RFC 6962's split; the
    // partial tiles at the right edge of each level hold them.
    const l2 = split(readTileData({ kind: "hash", level: 2, n: 0, width: 1 }, log.read));
    const l1 = split(readTileData({ kind: "hash", level: 1, n: 1, width: 17 }, log.read));
    const l0 = split(readTileData({ kind: "hash", level: 0, n: 273, width: 112 }, log.read));
    const root = nodeHash(l2[0]!, nodeHash(mthOfHashes(l1.slice(0, 16)), nodeHash(l1[16]!, mthOfHashes(l0))));
    expect(root).toEqual(treeHash(70000, log.read));
  });

  it("reads only hashes that exist at the tile's tree size", () => {
    for (const t of newTiles(0, 70000)) {
      const max = Math.max(...tileHashIndexes(t));
      expect(max).toBeLessThan(storedHashCount(70000));
    }
    expect(tileHashIndexes({ kind: "hash", level: 0, n: 0, width: 4 })).toEqual([0, 1, 3, 4]);
    expect(tileHashIndexes({ kind: "hash", level: 1, n: 0, width: 2 })).toEqual([510, 1021]);
  });

  it("matches its entry bundle", () => {
    const t: HashTile = { kind: "hash", level: 0, n: 273, width: 112 };
    const { start, end } = entryTileRange({ kind: "entries", n: 273, width: 112 });
    const bundle = encodeEntryBundle(log.entries.slice(start, end));
    const hashes = decodeEntryBundle(bundle).map(leafHash);
    expect(hashes).toEqual(split(readTileData(t, log.read)));
  });

  it("rejects a reader that returns the wrong hashes", () => {
    expect(() => readTileData({ kind: "hash", level: 0, n: 0, width: 2 }, () => [])).toThrow(/returned 0 hashes for 2/);
    expect(() => readTileData({ kind: "hash", level: 0, n: 0, width: 1 }, () => [new Uint8Array(3)])).toThrow(/3-byte hash/);
  });
});

/** MTH over hashes already at one level (for a partial tile's right edge). */
function mthOfHashes(hs: Uint8Array[]): Uint8Array {
  if (hs.length === 1) return hs[0]!;
  let k = 1;
  while (k * 2 < hs.length) k *= 2;
  return nodeHash(mthOfHashes(hs.slice(0, k)), mthOfHashes(hs.slice(k)));
}

describe("entry bundles", () => {
  it("prefixes each entry with its big-endian uint16 length", () => {
    const bundle = encodeEntryBundle([new Uint8Array(0), new TextEncoder().encode("a"), new Uint8Array(300).fill(7)]);
    expect(bytesToHex(bundle.subarray(0, 7))).toBe("0000" + "000161" + "012c");
    expect(bundle.length).toBe(2 + 3 + 302);
    expect(decodeEntryBundle(bundle).map((e) => e.length)).toEqual([0, 1, 300]);
  });

  it("round-trips any entries up to 65,535 bytes and refuses larger ones", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 20 }), (entries) => {
        expect(decodeEntryBundle(encodeEntryBundle(entries))).toEqual(entries);
      }),
    );
    expect(decodeEntryBundle(encodeEntryBundle([new Uint8Array(65535)]))[0]!.length).toBe(65535);
    expect(() => encodeEntryBundle([new Uint8Array(1), new Uint8Array(65536)])).toThrow(/entry 1 is 65536 bytes/);
  });

  it("says where a bundle is truncated", () => {
    expect(() => decodeEntryBundle(new Uint8Array([0, 1, 9, 0]))).toThrow(/truncated in the length of entry 1/);
    expect(() => decodeEntryBundle(new Uint8Array([0, 5, 1, 2]))).toThrow(/entry 0 needs 5 bytes, 2 remain/);
  });
});
