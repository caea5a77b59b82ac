/**
 * CBOR (RFC 8949), as much as C2PA assertions use: unsigned and negative integers, byte and text
 * strings (definite and indefinite length), arrays, maps, tags (§3.4; read through to their
 * content), simple values false/true/null/undefined and half, single and double floats. Maps with
 * text keys decode to plain objects (a repeated key is an error, §5.6); others to Map. Decoding is
 * strict about truncation and never allocates more than the input can hold.
 */

export type CborValue = number | bigint | string | Uint8Array | boolean | null | undefined | CborValue[] | { [key: string]: CborValue } | Map<CborValue, CborValue>;

export class CborError extends Error {
  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = "CborError";
  }
}

const MAX_DEPTH = 64;

export function decodeCbor(bytes: Uint8Array): CborValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 0;
  const need = (n: number) => {
    if (i + n > bytes.length) throw new CborError("truncated", i);
  };
  const argument = (info: number): number | bigint => {
    if (info < 24) return info;
    if (info === 24) return need(1), bytes[i++]!;
    if (info === 25) return need(2), (i += 2), view.getUint16(i - 2);
    if (info === 26) return need(4), (i += 4), view.getUint32(i - 4);
    if (info === 27) {
      need(8);
      const v = view.getBigUint64(i);
      i += 8;
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    throw new CborError(`reserved additional information ${info}`, i);
  };
  const length = (info: number): number => {
    const n = argument(info);
    if (typeof n === "bigint" || n > bytes.length - i) throw new CborError("length beyond the input", i);
    return n;
  };
  const chunks = (major: number): Uint8Array => {
    const parts: Uint8Array[] = [];
    for (;;) {
      need(1);
      if (bytes[i] === 0xff) {
        i++;
        break;
      }
      const head = bytes[i++]!;
      if (head >> 5 !== major || (head & 31) === 31) throw new CborError("bad chunk in an indefinite-length string", i - 1);
      const n = length(head & 31);
      parts.push(bytes.subarray(i, i + n));
      i += n;
    }
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) out.set(p, (at += p.length) - p.length);
    return out;
  };
  const text = (raw: Uint8Array, at: number): string => {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(raw);
    } catch {
      throw new CborError("text string is not UTF-8", at);
    }
  };
  const item = (depth: number): CborValue => {
    if (depth > MAX_DEPTH) throw new CborError("nested too deeply", i);
    need(1);
    const start = i;
    const head = bytes[i++]!;
    const major = head >> 5;
    const info = head & 31;
    switch (major) {
      case 0:
        return argument(info);
      case 1: {
        const n = argument(info);
        return typeof n === "bigint" ? -1n - n : -1 - n;
      }
      case 2:
      case 3: {
        let raw: Uint8Array;
        if (info === 31) raw = chunks(major);
        else {
          const n = length(info);
          raw = bytes.slice(i, i + n);
          i += n;
        }
        return major === 2 ? raw : text(raw, start);
      }
      case 4: {
        const out: CborValue[] = [];
        if (info === 31) {
          for (;;) {
            need(1);
            if (bytes[i] === 0xff) return i++, out;
            out.push(item(depth + 1));
          }
        }
        const n = length(info);
        for (let k = 0; k < n; k++) out.push(item(depth + 1));
        return out;
      }
      case 5: {
        const entries: [CborValue, CborValue][] = [];
        const indefinite = info === 31;
        const n = indefinite ? Infinity : length(info);
        for (let k = 0; k < n; k++) {
          if (indefinite) {
            need(1);
            if (bytes[i] === 0xff) {
              i++;
              break;
            }
          }
          entries.push([item(depth + 1), item(depth + 1)]);
        }
        if (entries.every(([k]) => typeof k === "string")) {
          const obj: { [key: string]: CborValue } = Object.create(null);
          for (const [k, v] of entries) {
            if (Object.prototype.hasOwnProperty.call(obj, k as string)) throw new CborError(`duplicate map key '${k as string}'`, start);
            obj[k as string] = v;
          }
          return obj;
        }
        return new Map(entries);
      }
      case 6:
        argument(info);
        return item(depth + 1);
      default: {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        if (info === 23) return undefined;
        if (info === 24) return need(1), bytes[i++]!, undefined;
        if (info === 25) return need(2), (i += 2), halfToNumber(view.getUint16(i - 2));
        if (info === 26) return need(4), (i += 4), view.getFloat32(i - 4);
        if (info === 27) return need(8), (i += 8), view.getFloat64(i - 8);
        if (info < 20) return undefined;
        throw new CborError(info === 31 ? "unexpected break" : `reserved simple value ${info}`, start);
      }
    }
  };
  const out = item(0);
  if (i !== bytes.length) throw new CborError("bytes after the data item", i);
  return out;
}

function halfToNumber(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const v = exp === 0 ? mant * 2 ** -24 : exp === 31 ? (mant ? NaN : Infinity) : (mant + 1024) * 2 ** (exp - 25);
  return h & 0x8000 ? -v : v;
}

/** Encodes with definite lengths and the shortest heads; map keys in insertion order. */
export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  const head = (major: number, n: number | bigint) => {
    const m = major << 5;
    if (typeof n === "bigint" || n > 0xffffffff) {
      const b = BigInt(n);
      out.push(m | 27);
      for (let s = 56n; s >= 0n; s -= 8n) out.push(Number((b >> s) & 0xffn));
    } else if (n < 24) out.push(m | n);
    else if (n < 0x100) out.push(m | 24, n);
    else if (n < 0x10000) out.push(m | 25, n >> 8, n & 0xff);
    else out.push(m | 26, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  };
  const put = (v: CborValue) => {
    if (v === false) out.push(0xf4);
    else if (v === true) out.push(0xf5);
    else if (v === null) out.push(0xf6);
    else if (v === undefined) out.push(0xf7);
    else if (typeof v === "bigint") v >= 0n ? head(0, v) : head(1, -1n - v);
    else if (typeof v === "number") {
      if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) v >= 0 ? head(0, v) : head(1, -1 - v);
      else {
        const b = new Uint8Array(9);
        b[0] = 0xfb;
        new DataView(b.buffer).setFloat64(1, v);
        out.push(...b);
      }
    } else if (typeof v === "string") {
      const b = new TextEncoder().encode(v);
      head(3, b.length);
      for (const x of b) out.push(x);
    } else if (v instanceof Uint8Array) {
      head(2, v.length);
      for (const x of v) out.push(x);
    } else if (Array.isArray(v)) {
      head(4, v.length);
      v.forEach(put);
    } else if (v instanceof Map) {
      head(5, v.size);
      for (const [k, x] of v) put(k), put(x);
    } else {
      const entries = Object.entries(v);
      head(5, entries.length);
      for (const [k, x] of entries) put(k), put(x);
    }
  };
  put(value);
  return Uint8Array.from(out);
}
