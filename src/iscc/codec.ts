import { decodeBase32, encodeBase32 } from "./base32.js";
import { IsccError } from "./errors.js";
import { decodeHeader, encodeHeader, MainType, ST_ISCC, type Header } from "./header.js";
import { fromHex, toHex } from "./hex.js";

/** One decoded ISCC-UNIT or ISCC-CODE. */
export interface IsccUnitInfo {
  /** Canonical form: "ISCC:" + upper-case base32 of header and body. */
  code: string;
  maintype: MainType;
  subtype: number;
  version: number;
  /** Body length in bits. */
  bits: number;
  body: Uint8Array;
  /** Main type, subtype and version names, e.g. "CONTENT-IMAGE-V0" or "ISCC-SUM-V0". */
  typeName: string;
}

const SUBTYPE_NAMES: Record<string, readonly string[]> = {
  [`${MainType.META}-0`]: ["NONE"],
  [`${MainType.SEMANTIC}-0`]: ["TEXT", "IMAGE", "AUDIO", "VIDEO", "MIXED"],
  [`${MainType.CONTENT}-0`]: ["TEXT", "IMAGE", "AUDIO", "VIDEO", "MIXED"],
  [`${MainType.DATA}-0`]: ["NONE"],
  [`${MainType.INSTANCE}-0`]: ["NONE"],
  [`${MainType.ISCC}-0`]: ["TEXT", "IMAGE", "AUDIO", "VIDEO", "MIXED", "SUM", "NONE", "WIDE"],
  [`${MainType.ID}-0`]: ["PRIVATE", "BITCOIN", "ETHEREUM", "POLYGON"],
  [`${MainType.ID}-1`]: ["REALM_0", "REALM_1"],
  [`${MainType.FLAKE}-0`]: ["NONE"],
};

/** Optional units of an ISCC-CODE, as bit flags of its length field (iscc-core's UNITS table). */
const UNIT_FLAGS: ReadonlyArray<[MainType, number]> = [
  [MainType.META, 4],
  [MainType.SEMANTIC, 2],
  [MainType.CONTENT, 1],
];

const MULTICODEC_PREFIX = [0xcc, 0x01];

function subtypeName(h: Header): string {
  const names = SUBTYPE_NAMES[`${h.maintype}-${h.version}`];
  if (!names) {
    const mt = MainType[h.maintype] ?? String(h.maintype);
    throw new IsccError(`version ${h.version} is not defined for main type ${mt}`);
  }
  const name = names[h.subtype];
  if (name === undefined) {
    throw new IsccError(`subtype ${h.subtype} is not defined for main type ${MainType[h.maintype]} version ${h.version}`);
  }
  return name;
}

/** Main types of the optional units encoded in an ISCC-CODE length field, in body order. */
export function decodeUnitTypes(length: number): MainType[] {
  if (length < 0 || length > 7) throw new IsccError(`ISCC-CODE unit combination ${length} is out of range 0-7`);
  return UNIT_FLAGS.filter(([, flag]) => length & flag).map(([mt]) => mt);
}

export function encodeUnitTypes(types: readonly MainType[]): number {
  let length = 0;
  let last = -1;
  for (const mt of types) {
    const entry = UNIT_FLAGS.find(([t]) => t === mt);
    if (!entry || mt <= last) {
      const names = types.map((t) => MainType[t] ?? String(t)).join(", ");
      throw new IsccError(`invalid ISCC-UNIT combination: ${names || "empty"}`);
    }
    last = mt;
    length |= entry[1];
  }
  return length;
}

/** Body length in bits that a header announces. */
export function bodyBits(h: Header): number {
  switch (h.maintype) {
    case MainType.ISCC:
      if (h.subtype === ST_ISCC.WIDE) return 256;
      return decodeUnitTypes(h.length).length * 64 + 128;
    case MainType.ID:
      return h.version === 1 ? 64 : h.length * 8 + 64;
    default:
      return (h.length + 1) * 32;
  }
}

/** The header length field for a unit of `bits` bits. */
function encodeLength(maintype: MainType, version: number, bits: number): number {
  const bad = () => new IsccError(`invalid length ${bits} bits for main type ${MainType[maintype] ?? maintype}`);
  if (!Number.isInteger(bits)) throw bad();
  switch (maintype) {
    case MainType.ISCC:
      throw new IsccError("main type ISCC is a composite, not a unit: use genIsccCodeV0");
    case MainType.ID:
      if (version === 1) {
        if (bits !== 64) throw bad();
        return 0;
      }
      if (bits < 64 || bits > 96 || bits % 8) throw bad();
      return (bits - 64) / 8;
    default:
      if (bits < 32 || bits % 32 || bits > 32 * 4680) throw bad();
      return bits / 32 - 1;
  }
}

export function validateHeaderSemantics(h: Header): void {
  if (!(h.maintype in MainType)) throw new IsccError(`main type ${h.maintype} is not defined (must be 0-7)`);
  subtypeName(h);
  if (h.maintype === MainType.ISCC) {
    const types = decodeUnitTypes(h.length);
    const hasContent = types.includes(MainType.SEMANTIC) || types.includes(MainType.CONTENT);
    if (h.subtype === ST_ISCC.WIDE && h.length !== 0) {
      throw new IsccError("ISCC-CODE subtype WIDE must contain only Data and Instance units");
    }
    if (h.subtype === ST_ISCC.SUM && h.length !== 0) {
      throw new IsccError("ISCC-CODE subtype SUM must contain only Data and Instance units");
    }
    if (h.subtype === ST_ISCC.NONE && h.length !== 4) {
      throw new IsccError("ISCC-CODE subtype NONE must contain exactly Meta, Data and Instance units");
    }
    if (h.subtype <= ST_ISCC.MIXED && !hasContent) {
      throw new IsccError(`ISCC-CODE subtype ${subtypeName(h)} requires a Semantic or Content unit`);
    }
  }
  if (h.maintype === MainType.ID && h.version === 1 && h.length !== 0) {
    throw new IsccError(`ISCC-ID v1 length field must be 0 (64 bits), got ${h.length}`);
  }
}

/** Encodes one ISCC-UNIT as its canonical "ISCC:…" string; a longer body is truncated to `bits`. */
export function encodeUnit(maintype: MainType, subtype: number, version: number, bits: number, body: Uint8Array): string {
  const length = encodeLength(maintype, version, bits);
  const h: Header = { maintype, subtype, version, length };
  validateHeaderSemantics(h);
  const nbytes = bits / 8;
  if (body.length < nbytes) throw new IsccError(`body has ${body.length * 8} bits, fewer than the ${bits} requested`);
  return "ISCC:" + encodeBase32(concat(encodeHeader(maintype, subtype, version, length), body.subarray(0, nbytes)));
}

/** Encodes a header and body verbatim (used for ISCC-CODEs, whose length field is a unit set). */
export function encodeRaw(h: Header, body: Uint8Array): string {
  return "ISCC:" + encodeBase32(concat(encodeHeader(h.maintype, h.subtype, h.version, h.length), body));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Strips whitespace, an optional "ISCC:" scheme (any case) and dashes, and decodes multibase
 * base16 ("f…") or base32 ("b…") with the ISCC multicodec prefix; returns the raw bytes.
 */
export function isccToBytes(input: string): Uint8Array {
  if (typeof input !== "string") throw new IsccError("ISCC must be a string");
  const parts = input.trim().split(":").map((p) => p.trim());
  let code: string;
  if (parts.length === 1) {
    code = parts[0]!;
  } else if (parts.length === 2) {
    if (parts[0]!.toLowerCase() !== "iscc") throw new IsccError(`invalid scheme ${JSON.stringify(parts[0])}: expected "ISCC:"`);
    code = parts[1]!;
  } else {
    throw new IsccError(`malformed ISCC string: more than one ":"`);
  }
  if (code.length === 0) throw new IsccError("ISCC is empty");
  // Valid base32 ISCCs start with A, C, E, G, I, K, M or O, so a lower-case f/b can only be multibase.
  if (parts.length === 1 && (code[0] === "f" || code[0] === "b")) {
    const raw = code[0] === "f" ? fromHexChecked(code.slice(1)) : decodeBase32(code.slice(1));
    if (raw[0] !== MULTICODEC_PREFIX[0] || raw[1] !== MULTICODEC_PREFIX[1]) {
      throw new IsccError(`multibase ISCC lacks the multicodec prefix cc01 (got ${toHex(raw.subarray(0, 2))})`);
    }
    return raw.slice(2);
  }
  return decodeBase32(code.replace(/-/g, ""));
}

function fromHexChecked(hex: string): Uint8Array {
  try {
    return fromHex(hex);
  } catch (e) {
    throw new IsccError(`invalid base16 multibase ISCC: ${(e as Error).message}`);
  }
}

function typeNameOf(h: Header): string {
  return `${MainType[h.maintype]}-${subtypeName(h)}-V${h.version}`;
}

/** The unit or ISCC-CODE a validated header and its body stand for. */
function unitInfo(h: Header, bits: number, body: Uint8Array): IsccUnitInfo {
  return { code: encodeRaw(h, body), maintype: h.maintype, subtype: h.subtype, version: h.version, bits, body, typeName: typeNameOf(h) };
}

/** The validated header at `offset` and the body it announces (without encoding anything back). */
function readBody(raw: Uint8Array, offset: number): { header: Header; bits: number; body: Uint8Array; next: number } {
  const { header: h, size } = decodeHeader(offset === 0 ? raw : raw.subarray(offset));
  validateHeaderSemantics(h);
  const bits = bodyBits(h);
  const start = offset + size;
  const available = raw.length - start;
  if (available < bits / 8) {
    throw new IsccError(`${typeNameOf(h)} header announces a ${bits}-bit body but only ${available * 8} bits follow`);
  }
  return { header: h, bits, body: raw.slice(start, start + bits / 8), next: start + bits / 8 };
}

/** Parses and validates a single ISCC-UNIT, ISCC-CODE or ISCC-ID in any accepted notation. */
export function parseIscc(input: string): IsccUnitInfo {
  const raw = isccToBytes(input);
  const { header, bits, body, next } = readBody(raw, 0);
  const info = unitInfo(header, bits, body);
  if (next !== raw.length) {
    throw new IsccError(`${raw.length - next} unexpected bytes after the ${info.bits}-bit body of ${info.typeName}`);
  }
  return info;
}

/**
 * The header bytes and type name of a unit kind, made (and validated) once: a match request decomposes 1,000
 * ISCC-CODEs into 3-4 units each, of a handful of kinds, and encoding, validating and naming each unit's header
 * again was most of that work (12 -> 4 µs a code).
 */
const unitKinds = new Map<number, { header: Uint8Array; typeName: string }>();

function unitKind(maintype: MainType, subtype: number, version: number, bits: number): { header: Uint8Array; typeName: string } {
  const key = ((maintype * 64 + subtype) * 64 + version) * 65536 + bits;
  let kind = unitKinds.get(key);
  if (!kind) {
    const length = encodeLength(maintype, version, bits);
    const h: Header = { maintype, subtype, version, length };
    validateHeaderSemantics(h);
    kind = { header: encodeHeader(maintype, subtype, version, length), typeName: typeNameOf(h) };
    if (unitKinds.size < 256) unitKinds.set(key, kind);
  }
  return kind;
}

/** The unit as parseIscc would read it back from encodeUnit's string (which validates the header), without reading it back. */
function unitFromBody(maintype: MainType, subtype: number, version: number, bits: number, body: Uint8Array): IsccUnitInfo {
  const { header, typeName } = unitKind(maintype, subtype, version, bits);
  const nbytes = bits / 8;
  if (body.length < nbytes) throw new IsccError(`body has ${body.length * 8} bits, fewer than the ${bits} requested`);
  const own = body.slice(0, nbytes);
  return { code: "ISCC:" + encodeBase32(concat(header, own)), maintype, subtype, version, bits, body: own, typeName };
}

/** Splits an ISCC-CODE, or a concatenation of units, into its units (a single unit gives itself). */
export function decompose(input: string): IsccUnitInfo[] {
  const raw = isccToBytes(input);
  const units: IsccUnitInfo[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const { header, bits, body, next } = readBody(raw, offset);
    offset = next;
    if (header.maintype !== MainType.ISCC) {
      units.push(unitInfo(header, bits, body));
      continue;
    }
    if (header.subtype === ST_ISCC.WIDE) {
      units.push(unitFromBody(MainType.DATA, 0, header.version, 128, body.subarray(0, 16)));
      units.push(unitFromBody(MainType.INSTANCE, 0, header.version, 128, body.subarray(16, 32)));
    } else {
      const types = decodeUnitTypes(header.length);
      for (let i = 0; i < types.length; i++) {
        const mt = types[i]!;
        units.push(unitFromBody(mt, mt === MainType.META ? 0 : header.subtype, header.version, 64, body.subarray(i * 8, i * 8 + 8)));
      }
      const n = body.length;
      units.push(unitFromBody(MainType.DATA, 0, header.version, 64, body.subarray(n - 16, n - 8)));
      units.push(unitFromBody(MainType.INSTANCE, 0, header.version, 64, body.subarray(n - 8)));
    }
  }
  if (units.length === 0) throw new IsccError("ISCC is empty");
  return units;
}

/** The raw header of a canonical or non-canonical ISCC string. */
export function headerOf(input: string): Header {
  const raw = isccToBytes(input);
  const { header } = decodeHeader(raw);
  validateHeaderSemantics(header);
  return header;
}

