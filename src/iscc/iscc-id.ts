import { encodeUnit, parseIscc } from "./codec.js";
import { IsccError } from "./errors.js";
import { MainType } from "./header.js";

export interface IsccIdV1Fields {
  /** Microseconds since the UNIX epoch; must fit in 52 bits. */
  timestampMicros: bigint;
  /** HUB that issued the id, 0–4095. */
  hubId: number;
  /** 0 = test network, 1 = first operational realm. */
  realm?: 0 | 1;
}

/** ISCC-ID v1: header ID/REALM/V1/64, body = timestamp µs << 12 | hub id (big endian). */
export function genIsccIdV1({ timestampMicros, hubId, realm = 0 }: IsccIdV1Fields): string {
  if (typeof timestampMicros !== "bigint" || timestampMicros < 0n || timestampMicros >= 1n << 52n) {
    throw new IsccError("ISCC-ID timestamp must be a bigint of microseconds in 0 … 2^52−1");
  }
  if (!Number.isInteger(hubId) || hubId < 0 || hubId > 4095) throw new IsccError(`ISCC-ID hub id ${hubId} must be an integer 0-4095`);
  if (realm !== 0 && realm !== 1) throw new IsccError(`ISCC-ID realm ${String(realm)} must be 0 (test) or 1 (operational)`);
  const body = new Uint8Array(8);
  new DataView(body.buffer).setBigUint64(0, (timestampMicros << 12n) | BigInt(hubId));
  return encodeUnit(MainType.ID, realm, 1, 64, body);
}

export function parseIsccIdV1(id: string): { timestampMicros: bigint; hubId: number; realm: number } {
  const info = parseIscc(id);
  if (info.maintype !== MainType.ID) throw new IsccError(`expected an ISCC-ID but got ${info.typeName}`);
  if (info.version !== 1) throw new IsccError(`expected ISCC-ID version 1 but got version ${info.version}`);
  const v = new DataView(info.body.buffer, info.body.byteOffset, 8).getBigUint64(0);
  return { timestampMicros: v >> 12n, hubId: Number(v & 0xfffn), realm: info.subtype };
}
