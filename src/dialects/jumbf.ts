/**
 * JUMBF boxes (ISO/IEC 19566-5), the container C2PA manifests travel in: a box is LBox (4 bytes,
 * big-endian length including the header; 1 means an 8-byte XLBox follows; 0 means "to the end"),
 * TBox (4 ASCII bytes), then content. A JUMBF superbox (`jumb`) starts with a description box
 * (`jumd`: a 16-byte type UUID, a toggles byte, then the label as null-terminated UTF-8 when
 * toggle 0x02 is set, a 4-byte id when 0x04 is set, a 32-byte signature when 0x08 is set) followed
 * by its content boxes.
 */

export interface Box {
  type: string;
  content: Uint8Array;
}

export interface Superbox {
  /** The description's type UUID, lower-case hex without dashes. */
  uuid: string;
  label: string | null;
  /** Content boxes after the description; nested superboxes are parsed too. */
  children: (Superbox | Box)[];
}

export class JumbfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JumbfError";
  }
}

const MAX_DEPTH = 32;
const ascii = (b: Uint8Array) => String.fromCharCode(...b);

export function readBoxes(bytes: Uint8Array): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Box[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (i + 8 > bytes.length) throw new JumbfError(`truncated box header at byte ${i}`);
    let size = view.getUint32(i);
    const type = ascii(bytes.subarray(i + 4, i + 8));
    let header = 8;
    if (size === 1) {
      if (i + 16 > bytes.length) throw new JumbfError("truncated XLBox");
      const big = view.getBigUint64(i + 8);
      if (big > BigInt(bytes.length)) throw new JumbfError("box larger than its container");
      size = Number(big);
      header = 16;
    } else if (size === 0) size = bytes.length - i;
    if (size < header || i + size > bytes.length) throw new JumbfError(`box '${type}' at byte ${i} does not fit its container`);
    out.push({ type, content: bytes.subarray(i + header, i + size) });
    i += size;
  }
  return out;
}

export function parseSuperbox(content: Uint8Array, depth = 0): Superbox {
  if (depth > MAX_DEPTH) throw new JumbfError("superboxes nested too deeply");
  const boxes = readBoxes(content);
  const desc = boxes[0];
  if (!desc || desc.type !== "jumd") throw new JumbfError("a superbox starts with a description box (jumd)");
  const d = desc.content;
  if (d.length < 17) throw new JumbfError("description box too short");
  const uuid = [...d.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const toggles = d[16]!;
  let label: string | null = null;
  if (toggles & 0x02) {
    const end = d.indexOf(0, 17);
    if (end < 0) throw new JumbfError("unterminated label");
    label = new TextDecoder().decode(d.subarray(17, end));
  }
  const children = boxes.slice(1).map((b) => (b.type === "jumb" ? parseSuperbox(b.content, depth + 1) : b));
  return { uuid, label, children };
}

export const isSuperbox = (b: Superbox | Box): b is Superbox => "uuid" in b;

function box(type: string, content: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + content.length);
  new DataView(out.buffer).setUint32(0, out.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(content, 8);
  return out;
}

/** Writes a superbox (label set, no id or signature); readBoxes/parseSuperbox read it back. */
export function writeSuperbox(s: Superbox): Uint8Array {
  const label = s.label === null ? new Uint8Array(0) : new TextEncoder().encode(s.label + "\0");
  const desc = new Uint8Array(17 + label.length);
  desc.set(s.uuid.match(/../g)!.map((h) => parseInt(h, 16)), 0);
  desc[16] = 0x01 | (s.label === null ? 0 : 0x02); // 0x01: requestable, as C2PA writes it
  desc.set(label, 17);
  const parts = [box("jumd", desc), ...s.children.map((c) => (isSuperbox(c) ? writeSuperbox(c) : box(c.type, c.content)))];
  const content = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) content.set(p, (at += p.length) - p.length);
  return box("jumb", content);
}
