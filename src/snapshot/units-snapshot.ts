/**
 * The offline units snapshot (GET /v1/snapshot/units): every active declaration's ISCC units (first 64 bits)
 * and datahashes with the declaration's id, preferences and verification, signed by the registry, so a dataset
 * builder matches content on their own machine with the recall of the registry's exact index (every unit
 * within the distance is found: units-index.ts). Same discipline as the URL snapshot (src/filter/snapshot-format.ts):
 * the registry's version and name inside, an Ed25519 signature over every byte before it.
 *
 * Format v1, integers big-endian, strings UTF-8 with a 2-byte length (s16) or a 1-byte length (s8):
 *   offset  size  field
 *   0       4     magic "OOSU" (opt-out snapshot units)
 *   4       1     format version = 1
 *   5       3     zero
 *   8       8     registry version: the highest declaration seq included
 *   16      8     created at, ms since the Unix epoch
 *   24      4     D, declarations
 *   28      4     U, units
 *   32      4     H, datahashes
 *   36      s16   registry name (as in its receipts and /.well-known/opt-out-registry)
 *   then    1     T, unit types, and T × s8 type names (e.g. "CONTENT-IMAGE-V0")
 *   then    D ×   s16 id (ISCC-ID), 1 flags (bit 0: controller verified), 1 vocabulary, s16 preferences (JSON)
 *   then    U ×   1 type index, 8 body (first 64 bits, zero-padded), 4 declaration index
 *   then    H ×   32 BLAKE3 digest (the datahash without its 1e20 prefix), 4 declaration index
 *   end−64  64    Ed25519 signature by the registry key over every byte before it
 * Pure.
 */
import * as ed from "@noble/ed25519";

const MAGIC = [0x4f, 0x4f, 0x53, 0x55];
export const UNITS_SNAPSHOT_VERSION = 1;
const SIGNATURE = 64;

export class UnitsSnapshotError extends Error {}

export interface SnapshotDeclaration {
  id: string;
  controllerVerified: boolean;
  vocabulary: number;
  preferences: Record<string, "y" | "n">;
}

export interface SnapshotUnit {
  unitType: string;
  /** At least the first 8 bytes of the body (fewer are zero-padded). */
  body: Uint8Array;
  declaration: number;
}

export interface UnitsSnapshot {
  version: number;
  createdAt: number;
  registry: string;
  declarations: SnapshotDeclaration[];
  units: SnapshotUnit[];
  /** 32-byte BLAKE3 digests. */
  datahashes: { digest: Uint8Array; declaration: number }[];
}

class Writer {
  private chunks: Uint8Array[] = [];
  length = 0;
  bytes(b: Uint8Array) {
    this.chunks.push(b);
    this.length += b.length;
  }
  u8(v: number) {
    this.bytes(Uint8Array.of(v));
  }
  u16(v: number) {
    this.bytes(Uint8Array.of(v >> 8, v & 0xff));
  }
  u32(v: number) {
    this.bytes(Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
  }
  u64(v: number) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v));
    this.bytes(b);
  }
  str(s: string, lengthBytes: 1 | 2) {
    const b = new TextEncoder().encode(s);
    if (b.length >= (lengthBytes === 1 ? 0x100 : 0x10000)) throw new UnitsSnapshotError(`string too long for the snapshot: ${s.slice(0, 40)}…`);
    if (lengthBytes === 1) this.u8(b.length);
    else this.u16(b.length);
    this.bytes(b);
  }
  concat(extra: number): Uint8Array {
    const out = new Uint8Array(this.length + extra);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export async function encodeUnitsSnapshot(s: UnitsSnapshot, secretKey: Uint8Array): Promise<Uint8Array> {
  const w = new Writer();
  w.bytes(Uint8Array.from(MAGIC));
  w.u8(UNITS_SNAPSHOT_VERSION);
  w.bytes(new Uint8Array(3));
  w.u64(s.version);
  w.u64(s.createdAt);
  w.u32(s.declarations.length);
  w.u32(s.units.length);
  w.u32(s.datahashes.length);
  w.str(s.registry, 2);
  const types = [...new Set(s.units.map((u) => u.unitType))].sort();
  if (types.length > 255) throw new UnitsSnapshotError("more than 255 unit types");
  w.u8(types.length);
  for (const t of types) w.str(t, 1);
  for (const d of s.declarations) {
    w.str(d.id, 2);
    w.u8(d.controllerVerified ? 1 : 0);
    w.u8(d.vocabulary);
    w.str(JSON.stringify(d.preferences), 2);
  }
  const typeIndex = new Map(types.map((t, i) => [t, i]));
  for (const u of s.units) {
    w.u8(typeIndex.get(u.unitType)!);
    const body = new Uint8Array(8);
    body.set(u.body.subarray(0, 8));
    w.bytes(body);
    w.u32(u.declaration);
  }
  for (const h of s.datahashes) {
    if (h.digest.length !== 32) throw new UnitsSnapshotError("a datahash digest must have 32 bytes");
    w.bytes(h.digest);
    w.u32(h.declaration);
  }
  const out = w.concat(SIGNATURE);
  out.set(await ed.signAsync(out.subarray(0, out.length - SIGNATURE), secretKey), out.length - SIGNATURE);
  return out;
}

/** Parses a snapshot and checks its signature against the registry's public key; throws UnitsSnapshotError. */
export async function decodeUnitsSnapshot(bytes: Uint8Array, publicKey: Uint8Array): Promise<UnitsSnapshot> {
  if (bytes.length < 38 + SIGNATURE || !MAGIC.every((m, i) => bytes[i] === m)) throw new UnitsSnapshotError("not an opt-out units snapshot (bad magic)");
  if (bytes[4] !== UNITS_SNAPSHOT_VERSION) throw new UnitsSnapshotError(`unsupported units snapshot format ${bytes[4]}`);
  let ok = false;
  try {
    ok = await ed.verifyAsync(bytes.subarray(bytes.length - SIGNATURE), bytes.subarray(0, bytes.length - SIGNATURE), publicKey);
  } catch {
    ok = false;
  }
  if (!ok) throw new UnitsSnapshotError("signature does not verify with the registry key: the snapshot was altered or is not this registry's");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength - SIGNATURE);
  let at = 0;
  const need = (n: number) => {
    if (at + n > v.byteLength) throw new UnitsSnapshotError("length does not match the header");
    const from = at;
    at += n;
    return from;
  };
  const str = (lengthBytes: 1 | 2) => {
    const n = lengthBytes === 1 ? v.getUint8(need(1)) : v.getUint16(need(2));
    const from = need(n);
    return new TextDecoder().decode(bytes.subarray(from, from + n));
  };
  need(8);
  const version = Number(v.getBigUint64(need(8)));
  const createdAt = Number(v.getBigUint64(need(8)));
  const D = v.getUint32(need(4));
  const U = v.getUint32(need(4));
  const H = v.getUint32(need(4));
  const registry = str(2);
  const types = Array.from({ length: v.getUint8(need(1)) }, () => str(1));
  const declarations: SnapshotDeclaration[] = [];
  for (let i = 0; i < D; i++) {
    const id = str(2);
    const flags = v.getUint8(need(1));
    const vocabulary = v.getUint8(need(1));
    declarations.push({ id, controllerVerified: (flags & 1) === 1, vocabulary, preferences: JSON.parse(str(2)) as Record<string, "y" | "n"> });
  }
  const units: SnapshotUnit[] = [];
  for (let i = 0; i < U; i++) {
    const t = types[v.getUint8(need(1))];
    const from = need(8);
    const declaration = v.getUint32(need(4));
    if (t === undefined || declaration >= D) throw new UnitsSnapshotError(`unit ${i} refers to a missing type or declaration`);
    units.push({ unitType: t, body: bytes.subarray(from, from + 8), declaration });
  }
  const datahashes: UnitsSnapshot["datahashes"] = [];
  for (let i = 0; i < H; i++) {
    const from = need(32);
    const declaration = v.getUint32(need(4));
    if (declaration >= D) throw new UnitsSnapshotError(`datahash ${i} refers to a missing declaration`);
    datahashes.push({ digest: bytes.subarray(from, from + 32), declaration });
  }
  if (at !== v.byteLength) throw new UnitsSnapshotError("length does not match the header");
  return { version, createdAt, registry, declarations, units, datahashes };
}
