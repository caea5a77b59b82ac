/** Bitwise majority vote over equal-length digests (a bit is set if ≥ half of the digests set it). */
export function simhash(digests: readonly Uint8Array[]): Uint8Array {
  if (digests.length === 0) throw new RangeError("simhash needs at least one digest");
  const nbytes = digests[0]!.length;
  const counts = new Uint32Array(nbytes * 8);
  for (const d of digests) {
    for (let i = 0; i < nbytes; i++) {
      const byte = d[i]!;
      if (byte === 0) continue;
      const base = i * 8;
      for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) counts[base + b]!++;
    }
  }
  const threshold = digests.length / 2;
  const out = new Uint8Array(nbytes);
  for (let i = 0; i < counts.length; i++) if (counts[i]! >= threshold) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}
