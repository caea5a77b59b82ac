import { cdcOffset } from "./cdc.js";
import { encodeUnit } from "./codec.js";
import { MainType, ST_NONE } from "./header.js";
import { minhash256 } from "./minhash.js";
import { xxh32 } from "./xxh32.js";

const EMPTY = new Uint8Array(0);

/**
 * Streaming Data-Code: content-defined chunks, xxh32 per chunk, minhash over the chunk hashes.
 * The last chunk of each push is held back and re-chunked with the next push, so any split of the
 * input gives the same code as one push.
 */
export class DataHasher {
  private features: number[] = [];
  private tail: Uint8Array = EMPTY;
  private done = false;

  constructor(data?: Uint8Array) {
    if (data) this.push(data);
  }

  push(data: Uint8Array): this {
    if (this.done) throw new Error("DataHasher.push after digest()");
    let buf: Uint8Array;
    if (this.tail.length === 0) buf = data;
    else {
      buf = new Uint8Array(this.tail.length + data.length);
      buf.set(this.tail);
      buf.set(data, this.tail.length);
    }
    const end = buf.length;
    let pos = 0;
    while (pos < end) {
      const cut = cdcOffset(buf, pos, end);
      if (pos + cut >= end) break;
      this.features.push(xxh32(buf, pos, pos + cut));
      pos += cut;
    }
    // copy: the caller may reuse its buffer for the next chunk
    this.tail = buf.slice(pos);
    return this;
  }

  /** 256-bit minhash digest; the hasher cannot be pushed to afterwards. */
  digest(): Uint8Array {
    if (!this.done) {
      if (this.tail.length > 0 || this.features.length === 0) this.features.push(xxh32(this.tail));
      this.tail = EMPTY;
      this.done = true;
    }
    return minhash256(this.features);
  }

  code(bits = 64): string {
    return encodeUnit(MainType.DATA, ST_NONE, 0, bits, this.digest());
  }
}

/** gen_data_code_v0(stream, bits) for an in-memory byte stream. */
export function genDataCodeV0(stream: Uint8Array, bits = 64): { iscc: string } {
  return { iscc: new DataHasher(stream).code(bits) };
}
