import { blake3 as nobleBlake3 } from "@noble/hashes/blake3.js";
import { blake3SingleBlock } from "./blake3-block.js";

// BLAKE3 backend. Measured with `npm run bench:iscc` (Node 22, 2 shared vCPUs under load, 1 MB input):
//   @noble/hashes pure JS ≈ 35–45 MB/s   hash-wasm WebAssembly ≈ 760–830 MB/s   b3sum 1 thread ≈ 3.6 GB/s
// so WebAssembly is ~20× faster; inputs ≤ 64 bytes (Meta-Code n-grams) use blake3-block.ts instead. hash-wasm instantiates its module
// from embedded bytes at run time, which Cloudflare Workers forbid; therefore pure JS is the default
// everywhere (always correct, also in workerd) and `enableWasmBlake3()` opts in where runtime
// compilation is allowed (the CLI in Node, browsers). Both give identical digests.

export interface Blake3Hasher {
  update(data: Uint8Array): Blake3Hasher;
  digest(): Uint8Array;
}

interface WasmHasher {
  init(): WasmHasher;
  update(data: Uint8Array): WasmHasher;
  digest(format: "binary"): Uint8Array;
}

let wasm: WasmHasher | undefined;
/** The single WASM instance serves one stream at a time; concurrent streams fall back to pure JS. */
let wasmBusy = false;

/** Switches BLAKE3 to WebAssembly if this runtime can compile it; resolves to whether it did. */
export async function enableWasmBlake3(): Promise<boolean> {
  if (wasm) return true;
  try {
    const { createBLAKE3 } = await import("hash-wasm");
    wasm = (await createBLAKE3()) as unknown as WasmHasher;
    return true;
  } catch {
    return false;
  }
}

export function createBlake3(): Blake3Hasher {
  if (wasm && !wasmBusy) {
    const w = wasm;
    wasmBusy = true;
    w.init();
    let result: Uint8Array | undefined;
    const hasher: Blake3Hasher = {
      update(data) {
        w.update(data);
        return hasher;
      },
      digest() {
        if (!result) {
          result = w.digest("binary");
          wasmBusy = false;
        }
        return result;
      },
    };
    return hasher;
  }
  return nobleBlake3.create();
}

export function blake3(data: Uint8Array): Uint8Array {
  if (data.length <= 64) return blake3SingleBlock(data);
  if (wasm && !wasmBusy) return wasm.init().update(data).digest("binary");
  return nobleBlake3(data);
}
