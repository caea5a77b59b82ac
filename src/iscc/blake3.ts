import { blake3 as nobleBlake3 } from "@noble/hashes/blake3.js";

// BLAKE3 backend. Measured in Node 22 on this machine (1 MB input): see bench/iscc.bench.ts and
// README.md for the figures that led to this choice.
export interface Blake3Hasher {
  update(data: Uint8Array): Blake3Hasher;
  digest(): Uint8Array;
}

export function createBlake3(): Blake3Hasher {
  return nobleBlake3.create();
}

export function blake3(data: Uint8Array): Uint8Array {
  return nobleBlake3(data);
}
