import { createHasher as createJsHasher } from "blake3-jit";
import { blake3SingleBlock } from "./blake3-block.js";

// BLAKE3 backends, all giving identical digests. Measured on 1 MB (Node 22, 2 vCPUs shared with other jobs;
// CPU time per call, best of 9 batches, so that time-slicing by other processes does not count):
//   @noble/hashes pure JS                    36–42 MB/s   (the previous default)
//   blake3-jit Hasher, pure JS (streaming)  ~400 MB/s    default everywhere: no WebAssembly, so it runs in Workers
//   blake3-jit one-shot hash(), pure JS      ~655 MB/s    not used: it tries to compile WebAssembly first for inputs
//                                                         ≥ 4 KB and logs a warning on every call where that is forbidden
//   blake3-jit one-shot hash(), WASM SIMD    ~1.15 GB/s   not used: one-shot only (Instance-Code streams)
//   @webbuf/blake3 (Rust → WASM)             ~790 MB/s
//   hash-wasm WebAssembly                    ~730 MB/s    enableWasmBlake3() (streams; Node, browsers)
//   @napi-rs/blake-hash (Rust blake3, N-API, AVX-512/AVX2 dispatch, one thread)
//                                          5.7–6.0 GB/s   enableNativeBlake3() (Node only; prebuilt binary in
//                                                         an optional registry package, no install script)
//   b3sum --num-threads 1 (wall, includes reading the file)  2.4–4.0 GB/s
// Inputs ≤ 64 bytes (Meta-Code n-grams) always use blake3-block.ts. Cloudflare Workers forbid compiling
// WebAssembly from bytes at run time and cannot load native addons, hence the pure-JS default; the CLI and
// the benchmark opt in with enableFastBlake3() (native, else WebAssembly).

export interface Blake3Hasher {
  update(data: Uint8Array): Blake3Hasher;
  digest(): Uint8Array;
}

interface WasmHasher {
  init(): WasmHasher;
  update(data: Uint8Array): WasmHasher;
  digest(format: "binary"): Uint8Array;
}

/** The part of @napi-rs/blake-hash used here. */
interface NativeBinding {
  Blake3Hasher: new () => { update(data: Uint8Array): unknown; digestBuffer(): Uint8Array };
  blake3(data: Uint8Array): Uint8Array;
}

let native: NativeBinding | undefined;
let wasm: WasmHasher | undefined;
/** The single WASM instance serves one stream at a time; concurrent streams fall back to pure JS. */
let wasmBusy = false;

/** Node's Buffer → plain Uint8Array view (same bytes), so results compare equal to the other backends'. */
const plain = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * Switches BLAKE3 to the native addon `@napi-rs/blake-hash` if this runtime can load it (Node); resolves to
 * whether it did. The module name is not a string literal, so bundlers (wrangler, Vite) leave the import
 * alone and Worker bundles never contain the addon.
 */
export async function enableNativeBlake3(): Promise<boolean> {
  if (native) return true;
  try {
    const name = "@napi-rs/blake-hash";
    const mod = (await import(/* @vite-ignore */ name)) as NativeBinding & { default?: NativeBinding };
    const binding = mod.default ?? mod;
    // self-check on a two-chunk input before trusting it
    const probe = new Uint8Array(2048 + 7).map((_, i) => i * 31);
    const h = new binding.Blake3Hasher();
    h.update(probe);
    const a = plain(h.digestBuffer());
    const b = createJsHasher().update(probe).finalize();
    if (a.length !== 32 || a.some((x, i) => x !== b[i])) return false;
    native = binding;
    return true;
  } catch {
    return false;
  }
}

/** Switches BLAKE3 to WebAssembly (hash-wasm) if this runtime can compile it; resolves to whether it did. */
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

/** The fastest backend this runtime allows: native addon, else WebAssembly, else pure JS. */
export async function enableFastBlake3(): Promise<"native" | "wasm" | "js"> {
  if (await enableNativeBlake3()) return "native";
  if (await enableWasmBlake3()) return "wasm";
  return "js";
}

export function createBlake3(): Blake3Hasher {
  if (native) {
    const h = new native.Blake3Hasher();
    let result: Uint8Array | undefined;
    const hasher: Blake3Hasher = {
      update(data) {
        h.update(data);
        return hasher;
      },
      digest() {
        result ??= plain(h.digestBuffer());
        return result;
      },
    };
    return hasher;
  }
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
  const h = createJsHasher();
  let result: Uint8Array | undefined;
  const hasher: Blake3Hasher = {
    update(data) {
      h.update(data);
      return hasher;
    },
    digest() {
      result ??= h.finalize();
      return result;
    },
  };
  return hasher;
}

export function blake3(data: Uint8Array): Uint8Array {
  if (data.length <= 64) return blake3SingleBlock(data);
  if (native) return plain(native.blake3(data));
  if (wasm && !wasmBusy) return wasm.init().update(data).digest("binary");
  return createJsHasher().update(data).finalize();
}
