import { createBlake3, type Blake3Hasher } from "./blake3.js";
import { encodeUnit } from "./codec.js";
import { MainType, ST_NONE } from "./header.js";
import { toHex } from "./hex.js";

/** Streaming Instance-Code: BLAKE3 of the whole byte stream, plus its multihash and size. */
export class InstanceHasher {
  private hasher: Blake3Hasher = createBlake3();
  private result: Uint8Array | undefined;
  filesize = 0;

  constructor(data?: Uint8Array) {
    if (data) this.push(data);
  }

  push(data: Uint8Array): this {
    if (this.result) throw new Error("InstanceHasher.push after digest()");
    this.filesize += data.length;
    this.hasher.update(data);
    return this;
  }

  /** 32-byte BLAKE3 digest. */
  digest(): Uint8Array {
    this.result ??= this.hasher.digest();
    return this.result;
  }

  /** "1e20" + hex digest: the multihash of a 32-byte BLAKE3 digest. */
  multihash(): string {
    return "1e20" + toHex(this.digest());
  }

  code(bits = 64): string {
    return encodeUnit(MainType.INSTANCE, ST_NONE, 0, bits, this.digest());
  }
}

/** gen_instance_code_v0(stream, bits) → { iscc, datahash, filesize }. */
export function genInstanceCodeV0(stream: Uint8Array, bits = 64): { iscc: string; datahash: string; filesize: number } {
  const h = new InstanceHasher(stream);
  return { iscc: h.code(bits), datahash: h.multihash(), filesize: h.filesize };
}
