/**
 * RFC 9651 Structured Field Values: the parser (§4.2) and serializer (§4.1) for Dictionaries, Lists
 * and Items, with every bare type (Integer, Decimal, String, Token, Byte Sequence, Boolean, Date,
 * Display String). `Content-Usage` (draft-ietf-aipref-attach-05 §2) and Cloudflare's
 * `Content-Signal` are Dictionaries; the AIPREF vocabulary's processing (draft-ietf-aipref-vocab-07
 * §6.5) starts from this parser, and a value it refuses states nothing.
 *
 * Parsing is all or nothing, as the RFC requires: any deviation throws StructuredFieldError.
 */
import { encodeBase64 } from "../encoding/base64";

export type BareItem =
  | { type: "integer"; value: number }
  | { type: "decimal"; value: number }
  | { type: "string"; value: string }
  | { type: "token"; value: string }
  | { type: "bytes"; value: Uint8Array }
  | { type: "boolean"; value: boolean }
  | { type: "date"; value: number }
  | { type: "displaystring"; value: string };

/** Ordered map of parameters; keys are unique (a repeated key overwrites in place, §4.2.3.2). */
export type Parameters = [string, BareItem][];
export interface Item {
  value: BareItem;
  params: Parameters;
}
export interface InnerList {
  items: Item[];
  params: Parameters;
}
export type Member = Item | InnerList;
/** Ordered map; keys are unique (a repeated key overwrites its value in place, §4.2.2). */
export type Dictionary = [string, Member][];
export type List = Member[];

export class StructuredFieldError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = "StructuredFieldError";
  }
}

export const isInnerList = (m: Member): m is InnerList => "items" in m;

const MAX_INTEGER = 999_999_999_999_999;
const DIGIT = /[0-9]/;
const LCALPHA = /[a-z]/;
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
const BASE64_CHAR = /[A-Za-z0-9+/=]/;

class Parser {
  i = 0;
  constructor(readonly s: string) {
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c > 0x7e || (c < 0x20 && c !== 0x09)) throw new StructuredFieldError("not a visible ASCII character", k);
    }
  }
  fail(message: string): never {
    throw new StructuredFieldError(message, this.i);
  }
  peek(): string {
    return this.s[this.i] ?? "";
  }
  eof(): boolean {
    return this.i >= this.s.length;
  }
  skipSP(): void {
    while (this.peek() === " ") this.i++;
  }
  skipOWS(): void {
    while (this.peek() === " " || this.peek() === "\t") this.i++;
  }

  /** §4.2: leading SP, the value, trailing SP, nothing else. */
  top<T>(parse: () => T): T {
    this.skipSP();
    const out = parse();
    this.skipSP();
    if (!this.eof()) this.fail("unexpected character");
    return out;
  }

  /** §4.2.1 */
  list(): List {
    const members: List = [];
    while (!this.eof()) {
      members.push(this.itemOrInnerList());
      this.skipOWS();
      if (this.eof()) return members;
      if (this.peek() !== ",") this.fail("expected ','");
      this.i++;
      this.skipOWS();
      if (this.eof()) this.fail("trailing ','");
    }
    return members;
  }

  /** §4.2.2 */
  dictionary(): Dictionary {
    const out: Dictionary = [];
    while (!this.eof()) {
      const key = this.key();
      let member: Member;
      if (this.peek() === "=") {
        this.i++;
        member = this.itemOrInnerList();
      } else {
        member = { value: { type: "boolean", value: true }, params: this.parameters() };
      }
      setOrdered(out, key, member);
      this.skipOWS();
      if (this.eof()) return out;
      if (this.peek() !== ",") this.fail("expected ','");
      this.i++;
      this.skipOWS();
      if (this.eof()) this.fail("trailing ','");
    }
    return out;
  }

  itemOrInnerList(): Member {
    return this.peek() === "(" ? this.innerList() : this.item();
  }

  /** §4.2.1.2 */
  innerList(): InnerList {
    this.i++;
    const items: Item[] = [];
    while (!this.eof()) {
      this.skipSP();
      if (this.peek() === ")") {
        this.i++;
        return { items, params: this.parameters() };
      }
      items.push(this.item());
      const c = this.peek();
      if (c !== " " && c !== ")") this.fail("expected SP or ')' in an inner list");
    }
    this.fail("unterminated inner list");
  }

  /** §4.2.3 */
  item(): Item {
    const value = this.bareItem();
    return { value, params: this.parameters() };
  }

  /** §4.2.3.1 */
  bareItem(): BareItem {
    const c = this.peek();
    if (c === "-" || DIGIT.test(c)) return this.number();
    if (c === '"') return { type: "string", value: this.string() };
    if (c === "*" || /[A-Za-z]/.test(c)) return { type: "token", value: this.token() };
    if (c === ":") return { type: "bytes", value: this.bytes() };
    if (c === "?") return { type: "boolean", value: this.boolean() };
    if (c === "@") return this.date();
    if (c === "%") return { type: "displaystring", value: this.displayString() };
    this.fail("not the start of an item");
  }

  /** §4.2.3.2 */
  parameters(): Parameters {
    const out: Parameters = [];
    while (this.peek() === ";") {
      this.i++;
      this.skipSP();
      const key = this.key();
      let value: BareItem = { type: "boolean", value: true };
      if (this.peek() === "=") {
        this.i++;
        value = this.bareItem();
      }
      setOrdered(out, key, value);
    }
    return out;
  }

  /** §4.2.3.3 */
  key(): string {
    const first = this.peek();
    if (!LCALPHA.test(first) && first !== "*") this.fail("a key starts with a lower-case letter or '*'");
    const start = this.i;
    while (!this.eof() && KEY_CHAR.test(this.peek())) this.i++;
    return this.s.slice(start, this.i);
  }

  /** §4.2.4 */
  number(): BareItem {
    let sign = 1;
    if (this.peek() === "-") {
      sign = -1;
      this.i++;
    }
    if (!DIGIT.test(this.peek())) this.fail("expected a digit");
    let digits = "";
    let dot = -1;
    while (!this.eof()) {
      const c = this.peek();
      if (DIGIT.test(c)) digits += c;
      else if (c === "." && dot < 0) {
        if (digits.length > 12) this.fail("more than 12 integer digits in a decimal");
        dot = digits.length;
        digits += c;
      } else break;
      this.i++;
      if (dot < 0 && digits.length > 15) this.fail("more than 15 digits in an integer");
        if (dot >= 0 && digits.length > 16) this.fail("more than 16 characters in a decimal");
    }
    if (dot < 0) return { type: "integer", value: sign * Number(digits) };
    if (digits.endsWith(".")) this.fail("a decimal ends with '.'");
    if (digits.length - dot - 1 > 3) this.fail("more than 3 fractional digits");
    return { type: "decimal", value: sign * Number(digits) };
  }

  /** §4.2.5 */
  string(): string {
    this.i++;
    let out = "";
    while (!this.eof()) {
      const c = this.s[this.i++]!;
      if (c === "\\") {
        const next = this.s[this.i++];
        if (next !== '"' && next !== "\\") this.fail("only '\"' and '\\' may be escaped");
        out += next;
      } else if (c === '"') return out;
      else if (c === "\t") this.fail("a tab in a string");
      else out += c;
    }
    this.fail("unterminated string");
  }

  /** §4.2.6 */
  token(): string {
    const start = this.i++;
    while (!this.eof() && (TCHAR.test(this.peek()) || this.peek() === ":" || this.peek() === "/")) this.i++;
    return this.s.slice(start, this.i);
  }

  /** §4.2.7 */
  bytes(): Uint8Array {
    this.i++;
    const start = this.i;
    while (!this.eof() && this.peek() !== ":") {
      if (!BASE64_CHAR.test(this.peek())) this.fail("not a base64 character");
      this.i++;
    }
    if (this.eof()) this.fail("unterminated byte sequence");
    const text = this.s.slice(start, this.i++);
    // §4.2.7: parsers SHOULD NOT fail on missing "=" padding or non-zero pad bits.
    const unpadded = text.replace(/=+$/, "");
    if (unpadded.includes("=") || unpadded.length % 4 === 1) this.fail("invalid base64");
    const bin = atob(unpadded + "=".repeat((4 - (unpadded.length % 4)) % 4));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  }

  /** §4.2.8 */
  boolean(): boolean {
    this.i++;
    const c = this.s[this.i++];
    if (c === "1") return true;
    if (c === "0") return false;
    this.fail("a boolean is ?0 or ?1");
  }

  /** §4.2.9 */
  date(): BareItem {
    this.i++;
    const n = this.number();
    if (n.type !== "integer") this.fail("a date is an integer");
    return { type: "date", value: n.value };
  }

  /** §4.2.10 */
  displayString(): string {
    this.i++;
    if (this.s[this.i++] !== '"') this.fail("expected '\"' after '%'");
    const bytes: number[] = [];
    while (!this.eof()) {
      const c = this.s[this.i++]!;
      if (c === "%") {
        const hex = this.s.slice(this.i, this.i + 2);
        if (!/^[0-9a-f]{2}$/.test(hex)) this.fail("a display string escape is two lower-case hex digits");
        bytes.push(parseInt(hex, 16));
        this.i += 2;
      } else if (c === '"') {
        try {
          return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(new Uint8Array(bytes));
        } catch {
          this.fail("a display string is not UTF-8");
        }
      } else bytes.push(c.charCodeAt(0));
    }
    this.fail("unterminated display string");
  }
}

function setOrdered<V>(map: [string, V][], key: string, value: V): void {
  const at = map.findIndex(([k]) => k === key);
  if (at >= 0) map[at] = [key, value];
  else map.push([key, value]);
}

export function parseDictionary(text: string): Dictionary {
  const p = new Parser(text);
  return p.top(() => p.dictionary());
}

export function parseList(text: string): List {
  const p = new Parser(text);
  return p.top(() => p.list());
}

export function parseItem(text: string): Item {
  const p = new Parser(text);
  return p.top(() => p.item());
}

/** The member of a Dictionary, or undefined. */
export function dictionaryGet(d: Dictionary, key: string): Member | undefined {
  return d.find(([k]) => k === key)?.[1];
}

// ---- Serialization (§4.1) ----

export function serializeDictionary(d: Dictionary): string {
  return d
    .map(([key, m]) => {
      const k = serializeKey(key);
      if (!isInnerList(m) && m.value.type === "boolean" && m.value.value) return k + serializeParameters(m.params);
      return `${k}=${serializeMember(m)}`;
    })
    .join(", ");
}

export function serializeList(l: List): string {
  return l.map(serializeMember).join(", ");
}

export function serializeItem(item: Item): string {
  return serializeBareItem(item.value) + serializeParameters(item.params);
}

function serializeMember(m: Member): string {
  return isInnerList(m) ? `(${m.items.map(serializeItem).join(" ")})${serializeParameters(m.params)}` : serializeItem(m);
}

function serializeParameters(params: Parameters): string {
  return params
    .map(([k, v]) => `;${serializeKey(k)}${v.type === "boolean" && v.value ? "" : "=" + serializeBareItem(v)}`)
    .join("");
}

function serializeKey(key: string): string {
  if (!/^[a-z*][a-z0-9_\-.*]*$/.test(key)) throw new StructuredFieldError(`'${key}' is not a key`, 0);
  return key;
}

export function serializeBareItem(v: BareItem): string {
  switch (v.type) {
    case "integer":
    case "date": {
      if (!Number.isInteger(v.value) || Math.abs(v.value) > MAX_INTEGER) throw new StructuredFieldError("integer out of range", 0);
      return (v.type === "date" ? "@" : "") + String(v.value);
    }
    case "decimal": {
      const rounded = Math.round(v.value * 1000) / 1000;
      if (Math.abs(Math.trunc(rounded)) > 999_999_999_999) throw new StructuredFieldError("decimal out of range", 0);
      const text = rounded.toFixed(3).replace(/0+$/, "");
      return text.endsWith(".") ? text + "0" : text;
    }
    case "string": {
      if (!/^[\x20-\x7e]*$/.test(v.value)) throw new StructuredFieldError("a string holds visible ASCII only", 0);
      return `"${v.value.replace(/[\\"]/g, (c) => "\\" + c)}"`;
    }
    case "token":
      if (!/^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/.test(v.value)) throw new StructuredFieldError(`'${v.value}' is not a token`, 0);
      return v.value;
    case "bytes":
      return `:${encodeBase64(v.value)}:`;
    case "boolean":
      return v.value ? "?1" : "?0";
    case "displaystring": {
      let out = '%"';
      for (const b of new TextEncoder().encode(v.value)) {
        out += b === 0x25 || b === 0x22 || b < 0x20 || b > 0x7e ? "%" + b.toString(16).padStart(2, "0") : String.fromCharCode(b);
      }
      return out + '"';
    }
  }
}
