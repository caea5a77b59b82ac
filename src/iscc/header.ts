import { IsccError } from "./errors.js";

/** ISCC main types (ISO 24138 header, first varnibble). */
export enum MainType {
  META = 0,
  SEMANTIC = 1,
  CONTENT = 2,
  DATA = 3,
  INSTANCE = 4,
  ISCC = 5,
  ID = 6,
  FLAKE = 7,
}

/** Subtype for main types without subtypes (META, DATA, INSTANCE, FLAKE). */
export const ST_NONE = 0;

/** Subtypes of SEMANTIC and CONTENT. */
export const ST_CC = { TEXT: 0, IMAGE: 1, AUDIO: 2, VIDEO: 3, MIXED: 4 } as const;

/** Subtypes of the composite ISCC-CODE. */
export const ST_ISCC = { TEXT: 0, IMAGE: 1, AUDIO: 2, VIDEO: 3, MIXED: 4, SUM: 5, NONE: 6, WIDE: 7 } as const;

/** Subtypes of ISCC-ID v0 (legacy, blockchain based). */
export const ST_ID = { PRIVATE: 0, BITCOIN: 1, ETHEREUM: 2, POLYGON: 3 } as const;

/** Subtypes of ISCC-ID v1 (HUB realms). */
export const ST_ID_REALM = { REALM_0: 0, REALM_1: 1 } as const;

export interface Header {
  maintype: MainType;
  subtype: number;
  version: number;
  /** The raw length field as stored in the header; its meaning depends on the main type. */
  length: number;
}

const MAX_VARNIBBLE = 4679;

function pushVarnibble(out: number[], n: number, field: string): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_VARNIBBLE) {
    throw new IsccError(`header ${field} ${n} is out of range: must be an integer 0-${MAX_VARNIBBLE}`);
  }
  if (n < 8) {
    out.push(n);
  } else if (n < 72) {
    const v = (0b10 << 6) | (n - 8);
    out.push(v >> 4, v & 15);
  } else if (n < 584) {
    const v = (0b110 << 9) | (n - 72);
    out.push(v >> 8, (v >> 4) & 15, v & 15);
  } else {
    const v = (0b1110 << 12) | (n - 584);
    out.push(v >> 12, (v >> 8) & 15, (v >> 4) & 15, v & 15);
  }
}

/** Varnibble-encodes the four header fields, zero-padded to whole bytes. */
export function encodeHeader(maintype: number, subtype: number, version: number, length: number): Uint8Array {
  const nibbles: number[] = [];
  pushVarnibble(nibbles, maintype, "main type");
  pushVarnibble(nibbles, subtype, "subtype");
  pushVarnibble(nibbles, version, "version");
  pushVarnibble(nibbles, length, "length");
  if (nibbles.length % 2) nibbles.push(0);
  const out = new Uint8Array(nibbles.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (nibbles[2 * i]! << 4) | nibbles[2 * i + 1]!;
  return out;
}

const FIELDS = ["main type", "subtype", "version", "length"] as const;

function nibbleAt(data: Uint8Array, pos: number): number {
  if (pos >= data.length * 2) throw new IsccError(`header is truncated: input ends after ${data.length} bytes`);
  const b = data[pos >> 1]!;
  return pos & 1 ? b & 15 : b >> 4;
}

/** Decodes the header; returns it with the number of bytes it occupied. */
export function decodeHeader(data: Uint8Array): { header: Header; size: number } {
  // no closure or array made per call: a match request decodes a header per query code
  let pos = 0;
  let maintype = 0;
  let subtype = 0;
  let version = 0;
  let length = 0;
  for (let field = 0; field < 4; field++) {
    const n0 = nibbleAt(data, pos++);
    let value: number;
    if (n0 < 8) value = n0;
    else if (n0 >> 2 === 0b10) value = (((n0 & 3) << 4) | nibbleAt(data, pos++)) + 8;
    else if (n0 >> 1 === 0b110) value = (((n0 & 1) << 8) | (nibbleAt(data, pos++) << 4) | nibbleAt(data, pos++)) + 72;
    else if (n0 === 0b1110) value = ((nibbleAt(data, pos++) << 8) | (nibbleAt(data, pos++) << 4) | nibbleAt(data, pos++)) + 584;
    else throw new IsccError(`header ${FIELDS[field]} has an invalid varnibble prefix 1111`);
    if (field === 0) maintype = value;
    else if (field === 1) subtype = value;
    else if (field === 2) version = value;
    else length = value;
  }
  if (pos & 1) {
    if (nibbleAt(data, pos++) !== 0) throw new IsccError("header padding nibble is not zero");
  }
  return { header: { maintype, subtype, version, length }, size: pos >> 1 };
}
