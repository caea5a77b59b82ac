/**
 * The offline URL snapshot (GET /v1/snapshot/urls): a signed binary fuse filter of the keys of
 * every active URL rule, for crawlers that check URLs locally, like CRLite for certificates.
 * A URL whose probes (url-keys.ts) all miss is not declared in the registry at `version`; a hit
 * means "maybe": ask the API (well under 0.1% of undeclared URLs, and every declared one).
 *
 * Format v2 (v1 filters lack the "d" keys that v2's probes start with, so v1 is not read), all
 * integers big-endian:
 *   offset  size  field
 *   0       4     magic "OOSF" (opt-out snapshot filter)
 *   4       1     format version = 2
 *   5       1     fingerprint bits = 16
 *   6       2     prefix probe characters (PREFIX_PROBE_CHARS when built; lookups must use it)
 *   8       4     filter seed
 *   12      4     segment length L (a power of two)
 *   16      4     segment count length (a multiple of L)
 *   20      4     number of keys
 *   24      8     registry version: the highest declaration seq included
 *   32      8     created at, ms since the Unix epoch
 *   40      2     n, the length of the registry name
 *   42      n     registry name, UTF-8 (as in its receipts and /.well-known/opt-out-registry)
 *   42+n    2F    fingerprints, F = segment count length + 2·L of them, 16-bit big-endian
 *   end−64  64    Ed25519 signature, by the registry key, over every byte before it
 *
 * The registry's public key is `public_key` of /.well-known/opt-out-registry (a z6Mk… multikey).
 */
import * as ed from "@noble/ed25519";
import { BinaryFuse16 } from "./binary-fuse";

const MAGIC = [0x4f, 0x4f, 0x53, 0x46];
export const SNAPSHOT_FORMAT_VERSION = 2;
const HEADER = 42;
const SIGNATURE = 64;

export class SnapshotError extends Error {}

export interface SnapshotContents {
  filter: BinaryFuse16;
  probeChars: number;
  keyCount: number;
  version: number;
  createdAt: number;
  registry: string;
}

/** The signed bytes of a snapshot. */
export async function encodeSnapshot(s: SnapshotContents, secretKey: Uint8Array): Promise<Uint8Array> {
  const name = new TextEncoder().encode(s.registry);
  if (name.length > 0xffff) throw new SnapshotError("registry name too long");
  const f = s.filter;
  const body = new Uint8Array(HEADER + name.length + 2 * f.fingerprints.length + SIGNATURE);
  const v = new DataView(body.buffer);
  body.set(MAGIC, 0);
  v.setUint8(4, SNAPSHOT_FORMAT_VERSION);
  v.setUint8(5, 16);
  v.setUint16(6, s.probeChars);
  v.setUint32(8, f.seed);
  v.setUint32(12, f.segmentLength);
  v.setUint32(16, f.segmentCountLength);
  v.setUint32(20, s.keyCount);
  v.setBigUint64(24, BigInt(s.version));
  v.setBigUint64(32, BigInt(s.createdAt));
  v.setUint16(40, name.length);
  body.set(name, HEADER);
  const at = HEADER + name.length;
  f.fingerprints.forEach((fp, i) => v.setUint16(at + 2 * i, fp));
  const signed = body.subarray(0, body.length - SIGNATURE);
  body.set(await ed.signAsync(signed, secretKey), body.length - SIGNATURE);
  return body;
}

/** Parses a snapshot and checks its signature against the registry's public key; throws SnapshotError. */
export async function decodeSnapshot(bytes: Uint8Array, publicKey: Uint8Array): Promise<SnapshotContents> {
  if (bytes.length < HEADER + SIGNATURE) throw new SnapshotError("too short to be a snapshot");
  if (!MAGIC.every((m, i) => bytes[i] === m)) throw new SnapshotError("not an opt-out URL snapshot (bad magic)");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint8(4) !== SNAPSHOT_FORMAT_VERSION) throw new SnapshotError(`unsupported snapshot format ${v.getUint8(4)}`);
  if (v.getUint8(5) !== 16) throw new SnapshotError(`unsupported fingerprint width ${v.getUint8(5)}`);
  const signed = bytes.subarray(0, bytes.length - SIGNATURE);
  const signature = bytes.subarray(bytes.length - SIGNATURE);
  let ok = false;
  try {
    ok = await ed.verifyAsync(signature, signed, publicKey);
  } catch {
    ok = false;
  }
  if (!ok) throw new SnapshotError("signature does not verify with the registry key: the snapshot was altered or is not this registry's");
  const nameLength = v.getUint16(40);
  const segmentLength = v.getUint32(12);
  const segmentCountLength = v.getUint32(16);
  const fpStart = HEADER + nameLength;
  const fpLength = segmentCountLength + 2 * segmentLength;
  if (fpStart + 2 * fpLength + SIGNATURE !== bytes.length) throw new SnapshotError("length does not match the header");
  const fingerprints = new Uint16Array(fpLength);
  for (let i = 0; i < fpLength; i++) fingerprints[i] = v.getUint16(fpStart + 2 * i);
  return {
    filter: new BinaryFuse16({ seed: v.getUint32(8), segmentLength, segmentCountLength, fingerprints }),
    probeChars: v.getUint16(6),
    keyCount: v.getUint32(20),
    version: Number(v.getBigUint64(24)),
    createdAt: Number(v.getBigUint64(32)),
    registry: new TextDecoder().decode(bytes.subarray(HEADER, fpStart)),
  };
}
