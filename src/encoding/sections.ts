/**
 * A small binary container for in-memory indexes that isolates share through storage: a JSON header
 * and typed arrays, each array 4-byte aligned and little-endian, so decoding is one copy per array
 * instead of a parse per value. Pure; runs in Workers and Node.
 *
 *   offset  size  field
 *   0       4     magic (4 ASCII characters naming the content)
 *   4       4     header length H, u32 little-endian
 *   8       H     header, UTF-8 JSON; `sections` lists each array's type and length
 *   8+H…          padding to a multiple of 4, then the arrays in order, each padded to a multiple of 4
 */

export class SectionsError extends Error {}

type Section = Int32Array | Uint32Array | Uint16Array | Uint8Array;
const KINDS = { i32: Int32Array, u32: Uint32Array, u16: Uint16Array, u8: Uint8Array } as const;
type Kind = keyof typeof KINDS;

function kindOf(a: Section): Kind {
  if (a instanceof Int32Array) return "i32";
  if (a instanceof Uint32Array) return "u32";
  if (a instanceof Uint16Array) return "u16";
  return "u8";
}

const align4 = (n: number) => (n + 3) & ~3;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export function encodeSections(magic: string, header: Record<string, unknown>, sections: readonly Section[]): Uint8Array {
  if (!LITTLE_ENDIAN) throw new SectionsError("sections are written on little-endian machines only");
  if (!/^[\x20-\x7e]{4}$/.test(magic)) throw new SectionsError("magic must be 4 ASCII characters");
  const head = new TextEncoder().encode(JSON.stringify({ ...header, sections: sections.map((s) => [kindOf(s), s.length]) }));
  let size = align4(8 + head.length);
  for (const s of sections) size += align4(s.byteLength);
  const out = new Uint8Array(size);
  out.set(new TextEncoder().encode(magic), 0);
  new DataView(out.buffer).setUint32(4, head.length, true);
  out.set(head, 8);
  let at = align4(8 + head.length);
  for (const s of sections) {
    out.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), at);
    at += align4(s.byteLength);
  }
  return out;
}

export function decodeSections(magic: string, bytes: Uint8Array): { header: Record<string, unknown>; sections: Section[] } {
  if (!LITTLE_ENDIAN) throw new SectionsError("sections are read on little-endian machines only");
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== magic) throw new SectionsError(`not a ${magic} file`);
  const headLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + headLength > bytes.length) throw new SectionsError("header runs past the end");
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes.subarray(8, 8 + headLength)));
  } catch (e) {
    throw new SectionsError(`header is not JSON: ${(e as Error).message}`);
  }
  const list = header.sections;
  if (!Array.isArray(list)) throw new SectionsError("header lists no sections");
  const sections: Section[] = [];
  let at = align4(8 + headLength);
  for (const entry of list) {
    const [kind, length] = entry as [Kind, number];
    const Type = KINDS[kind];
    if (!Type || !Number.isSafeInteger(length) || length < 0) throw new SectionsError(`bad section ${JSON.stringify(entry)}`);
    const byteLength = length * Type.BYTES_PER_ELEMENT;
    if (at + byteLength > bytes.length) throw new SectionsError("a section runs past the end");
    // A view where the input is aligned (a snapshot's megabytes are not copied again); a copy into a
    // fresh, aligned buffer where it is not (the input may sit at any offset).
    const offset = bytes.byteOffset + at;
    sections.push(offset % Type.BYTES_PER_ELEMENT === 0 ? new Type(bytes.buffer as ArrayBuffer, offset, length) : new Type(bytes.slice(at, at + byteLength).buffer));
    at += align4(byteLength);
  }
  if (at !== bytes.length) throw new SectionsError("bytes after the last section");
  return { header, sections };
}
