/**
 * C2SP tiled transparency logs (c2sp.org/tlog-tiles): the log served as static, cacheable files.
 *
 * A hash tile at level L, index N holds up to 256 consecutive hashes of tree level 8·L, starting at
 * hash N·256: at level 0 the leaf hashes, above that the roots of full tiles one level down. A tile
 * with fewer than 256 hashes is partial and carries its width in its path (`.p/W`); its contents,
 * like those of a full tile, never change, because stored hashes never change. Entry bundles
 * (`tile/entries/N`) hold the entries whose leaf hashes form level-0 tile N, each entry prefixed
 * with its length as a big-endian uint16.
 */
import { HASH_SIZE, storedHashIndex, type HashReader } from "./merkle";

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** Levels are written as decimal 0..63. */
export const MAX_TILE_LEVEL = 63;
/** Entry bundles prefix each entry with a uint16 length. */
export const MAX_ENTRY_SIZE = 0xffff;

export interface HashTile {
  kind: "hash";
  level: number;
  n: number;
  /** 1..256; 256 is a full tile. */
  width: number;
}

export interface EntryTile {
  kind: "entries";
  n: number;
  width: number;
}

export type Tile = HashTile | EntryTile;

/** A tile path is malformed or not in its one canonical spelling. */
export class TilePathError extends Error {
  override name = "TilePathError";
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`malformed tile path ${JSON.stringify(path)}: ${reason}`);
  }
}

function checkTile(t: Tile): void {
  if (t.kind === "hash" && (!Number.isInteger(t.level) || t.level < 0 || t.level > MAX_TILE_LEVEL)) {
    throw new RangeError(`tile level must be an integer 0..${MAX_TILE_LEVEL}, got ${String(t.level)}`);
  }
  if (!Number.isSafeInteger(t.n) || t.n < 0) throw new RangeError(`tile index must be a non-negative safe integer, got ${String(t.n)}`);
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) {
    throw new RangeError(`tile width must be an integer 1..${TILE_WIDTH}, got ${String(t.width)}`);
  }
}

/** `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`, N in 3-digit groups, all but the last prefixed "x". */
export function tilePath(t: Tile): string {
  checkTile(t);
  const groups: string[] = [];
  let n = t.n;
  do {
    groups.unshift(String(n % 1000).padStart(3, "0"));
    n = Math.floor(n / 1000);
  } while (n > 0);
  const index = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join("/");
  const level = t.kind === "entries" ? "entries" : String(t.level);
  return `tile/${level}/${index}${t.width === TILE_WIDTH ? "" : `.p/${t.width}`}`;
}

/** Parses a path relative to the log prefix, accepting only the canonical spelling. */
export function parseTilePath(path: string): Tile {
  const fail = (reason: string): never => {
    throw new TilePathError(path, reason);
  };
  const parts = path.split("/");
  if (parts[0] !== "tile") fail('must start with "tile/"');
  if (parts.length < 3) fail("missing level or index");
  const levelPart = parts[1]!;
  let level = -1;
  if (levelPart !== "entries") {
    if (!/^(0|[1-9][0-9]?)$/.test(levelPart) || Number(levelPart) > MAX_TILE_LEVEL) {
      fail(`level must be "entries" or 0..${MAX_TILE_LEVEL} without leading zeros`);
    }
    level = Number(levelPart);
  }

  let groups = parts.slice(2);
  let width = TILE_WIDTH;
  const beforeLast = groups.length >= 2 ? groups[groups.length - 2]! : "";
  if (beforeLast.endsWith(".p")) {
    const w = groups[groups.length - 1]!;
    if (!/^[1-9][0-9]{0,2}$/.test(w) || Number(w) >= TILE_WIDTH) fail(`partial width must be 1..${TILE_WIDTH - 1} without leading zeros`);
    width = Number(w);
    groups = [...groups.slice(0, -2), beforeLast.slice(0, -2)];
  }
  let n = 0;
  groups.forEach((g, i) => {
    const last = i === groups.length - 1;
    if (last ? !/^[0-9]{3}$/.test(g) : !/^x[0-9]{3}$/.test(g)) {
      fail(last ? "the last index element must be 3 digits" : 'index elements before the last must be "x" and 3 digits');
    }
    if (i === 0 && !last && g === "x000") fail("index has a leading x000 element");
    n = n * 1000 + Number(last ? g : g.slice(1));
  });
  if (!Number.isSafeInteger(n)) fail("index exceeds 2^53 - 1");
  return level < 0 ? { kind: "entries", n, width } : { kind: "hash", level, n, width };
}

/** How many hashes tree level 8·level has in a tree of `treeSize` leaves. */
function hashesAtTileLevel(treeSize: number, level: number): number {
  let count = treeSize;
  for (let i = 0; i < level && count > 0; i++) count = Math.floor(count / TILE_WIDTH);
  return count;
}

/** Whether a tree of `treeSize` leaves contains everything in the tile (so it may be served). */
export function isTileAvailable(t: Tile, treeSize: number): boolean {
  checkTile(t);
  const have = t.kind === "entries" ? treeSize : hashesAtTileLevel(treeSize, t.level);
  return t.n * TILE_WIDTH + t.width <= have;
}

/** The stored-hash indexes (see merkle.ts) whose hashes, concatenated, are the tile's contents. */
export function tileHashIndexes(t: HashTile): number[] {
  checkTile(t);
  const first = t.n * TILE_WIDTH;
  const out: number[] = [];
  for (let i = 0; i < t.width; i++) out.push(storedHashIndex(TILE_HEIGHT * t.level, first + i));
  return out;
}

/** The tile's contents: its hashes concatenated. */
export function readTileData(t: HashTile, readHashes: HashReader): Uint8Array {
  const indexes = tileHashIndexes(t);
  const hashes = readHashes(indexes);
  if (hashes.length !== indexes.length) throw new Error(`readHashes returned ${hashes.length} hashes for ${indexes.length} indexes`);
  const out = new Uint8Array(indexes.length * HASH_SIZE);
  hashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) throw new Error(`readHashes returned a ${h.length}-byte hash for index ${indexes[i]}`);
    out.set(h, i * HASH_SIZE);
  });
  return out;
}

/** The leaf indexes [start, end) whose entries make up an entry bundle. */
export function entryTileRange(t: EntryTile): { start: number; end: number } {
  checkTile(t);
  const start = t.n * TILE_WIDTH;
  return { start, end: start + t.width };
}

/**
 * The hash tiles that change when the tree grows from `oldSize` to `newSize` leaves: the full tiles
 * completed and the final partial tile of each level. Entry bundles follow level 0.
 */
export function newTiles(oldSize: number, newSize: number): HashTile[] {
  for (const [what, v] of [["old size", oldSize], ["new size", newSize]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a non-negative safe integer`);
  }
  if (oldSize > newSize) throw new RangeError(`old size ${oldSize} exceeds new size ${newSize}`);
  const tiles: HashTile[] = [];
  for (let level = 0; hashesAtTileLevel(newSize, level) > 0; level++) {
    const oldCount = hashesAtTileLevel(oldSize, level);
    const newCount = hashesAtTileLevel(newSize, level);
    if (oldCount === newCount) continue;
    const fullNew = Math.floor(newCount / TILE_WIDTH);
    for (let n = Math.floor(oldCount / TILE_WIDTH); n < fullNew; n++) tiles.push({ kind: "hash", level, n, width: TILE_WIDTH });
    const rest = newCount % TILE_WIDTH;
    if (rest > 0) tiles.push({ kind: "hash", level, n: fullNew, width: rest });
  }
  return tiles;
}

/** The entry bundle: each entry prefixed with its length as a big-endian uint16. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  entries.forEach((e, i) => {
    if (e.length > MAX_ENTRY_SIZE) throw new RangeError(`entry ${i} is ${e.length} bytes; entry bundles allow at most ${MAX_ENTRY_SIZE}`);
    size += 2 + e.length;
  });
  const out = new Uint8Array(size);
  let pos = 0;
  for (const e of entries) {
    out[pos] = e.length >>> 8;
    out[pos + 1] = e.length & 0xff;
    out.set(e, pos + 2);
    pos += 2 + e.length;
  }
  return out;
}

/** Splits an entry bundle into its entries. */
export function decodeEntryBundle(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < data.length) {
    if (pos + 2 > data.length) throw new Error(`entry bundle truncated in the length of entry ${out.length}`);
    const len = (data[pos]! << 8) | data[pos + 1]!;
    if (pos + 2 + len > data.length) {
      throw new Error(`entry bundle truncated: entry ${out.length} needs ${len} bytes, ${data.length - pos - 2} remain`);
    }
    out.push(data.slice(pos + 2, pos + 2 + len));
    pos += 2 + len;
  }
  return out;
}
