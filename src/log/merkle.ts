/**
 * RFC 6962 / RFC 9162 Merkle tree over SHA-256, in the storage model of Go's sumdb `tlog`.
 *
 * Every node of the tree is stored once, when the leaf that completes it is appended, at a dense
 * linear index (Crosby & Wallach, "Efficient Data Structures for Tamper-Evident Logging", §3.3):
 * appending leaf n writes the leaf hash and then the hash of every subtree that leaf completes.
 * Stored hashes never change afterwards, so they can live in an append-only table, and any tree
 * hash or proof for any earlier size is computed from at most O(log n) of them.
 *
 * Sizes and indexes are JavaScript numbers: every one is checked to be a safe integer, which caps
 * the log at 2^52 leaves (the stored-hash index of leaf n is below 2n). Bit operators are avoided
 * on purpose, since they truncate to 32 bits.
 *
 * Storage is reached through a synchronous `HashReader`, because the sequencer keeps the hashes in
 * Durable Object SQLite storage, whose reads are synchronous.
 */
import { sha256 } from "@noble/hashes/sha2.js";

export const HASH_SIZE = 32;

/** Returns the stored hashes at the given stored-hash indexes, in the same order. */
export type HashReader = (indexes: number[]) => Uint8Array[];

/** A proof failed to verify; the message says which check failed. */
export class InvalidProofError extends Error {
  override name = "InvalidProofError";
}

/** RFC 6962 §2.1: the hash of a leaf is SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + entry.length);
  buf[0] = 0x00;
  buf.set(entry, 1);
  return sha256(buf);
}

/** RFC 6962 §2.1: the hash of an interior node is SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + 2 * HASH_SIZE);
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 1 + HASH_SIZE);
  return sha256(buf);
}

/** RFC 6962 §2.1: the hash of the empty tree is the hash of the empty string. */
export function emptyTreeHash(): Uint8Array {
  return sha256(new Uint8Array(0));
}

function requireCount(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${String(v)}`);
  }
}

/** How many times 2 divides n + 1, i.e. the number of trailing 1 bits of n. */
function trailingOnes(n: number): number {
  let count = 0;
  while (n % 2 === 1) {
    count++;
    n = (n - 1) / 2;
  }
  return count;
}

/** The largest power of two strictly below n, for n ≥ 2 (RFC 6962's k). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The largest power of two at or below n, for n ≥ 1, with its base-2 logarithm. */
function largestPow2AtMost(n: number): { k: number; level: number } {
  let k = 1;
  let level = 0;
  while (k * 2 <= n) {
    k *= 2;
    level++;
  }
  return { k, level };
}

/**
 * The position in hash storage of the hash at tree level `level` (0 = leaves), `n`-th from the left.
 * The hash (level, n) is stored right after (level - 1, 2n + 1), the last leaf-side node it covers.
 */
export function storedHashIndex(level: number, n: number): number {
  requireCount("level", level);
  requireCount("n", n);
  // Descend to the rightmost leaf under (level, n); that leaf's own index is leaf + leaf/2 + leaf/4 + …
  // because leaf m is preceded by m leaves and by one stored node per completed subtree.
  let leaf = n;
  for (let l = 0; l < level; l++) leaf = 2 * leaf + 1;
  let index = 0;
  for (let m = leaf; m > 0; m = Math.floor(m / 2)) index += m;
  index += level;
  if (!Number.isSafeInteger(index)) {
    throw new RangeError(`stored hash index for level ${level}, n ${n} exceeds 2^53`);
  }
  return index;
}

/** The inverse of storedHashIndex. */
export function splitStoredHashIndex(index: number): { level: number; n: number } {
  requireCount("index", index);
  // storedHashIndex(0, n) ≤ 2n, so the last leaf stored at or before `index` is at least index/2,
  // and at most log2(index) records past it.
  let n = Math.floor(index / 2);
  let indexN = storedHashIndex(0, n);
  for (;;) {
    const next = indexN + 1 + trailingOnes(n);
    if (next > index) break;
    n++;
    indexN = next;
  }
  const level = index - indexN;
  return { level, n: Math.floor(n / 2 ** level) };
}

/** The number of hashes stored for a tree of n leaves. */
export function storedHashCount(n: number): number {
  requireCount("tree size", n);
  if (n === 0) return 0;
  return storedHashIndex(0, n - 1) + 1 + trailingOnes(n - 1);
}

function readChecked(readHashes: HashReader, indexes: number[]): Uint8Array[] {
  if (indexes.length === 0) return [];
  const hashes = readHashes(indexes);
  if (hashes.length !== indexes.length) {
    throw new Error(`readHashes returned ${hashes.length} hashes for ${indexes.length} indexes`);
  }
  hashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) {
      throw new Error(`readHashes returned a ${h.length}-byte hash for index ${indexes[i]}`);
    }
  });
  return hashes;
}

/**
 * The hashes to append to storage, starting at storedHashIndex(0, n), when leaf n (0-based) with
 * hash `leaf` is added to a tree of n leaves: the leaf hash, then one hash per subtree it completes.
 * Reads the left siblings of those subtrees (at most log2 n hashes).
 */
export function storedHashesForRecord(n: number, leaf: Uint8Array, readHashes: HashReader): Uint8Array[] {
  requireCount("record index", n);
  if (leaf.length !== HASH_SIZE) throw new RangeError(`leaf hash must be ${HASH_SIZE} bytes`);
  // Each trailing 1 bit of n is a subtree that leaf n completes; its left half is already stored.
  const completed = trailingOnes(n);
  const indexes: number[] = [];
  for (let level = completed - 1; level >= 0; level--) {
    indexes.push(storedHashIndex(level, Math.floor(n / 2 ** level) - 1));
  }
  const siblings = readChecked(readHashes, indexes);
  const out = [leaf];
  let h = leaf;
  for (let level = 0; level < completed; level++) {
    h = nodeHash(siblings[completed - 1 - level]!, h);
    out.push(h);
  }
  return out;
}

/** Sequential consumer of the hashes returned for a planned list of indexes. */
class HashQueue {
  private pos = 0;
  constructor(private readonly hashes: Uint8Array[]) {}
  take(count: number): Uint8Array[] {
    if (this.pos + count > this.hashes.length) throw new Error("merkle: hash plan exhausted");
    const out = this.hashes.slice(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }
  assertDone(): void {
    if (this.pos !== this.hashes.length) throw new Error("merkle: hash plan not fully used");
  }
}

// Plan/compute pairs: each `…Indexes` function lists the stored hashes that the matching `…Hash`
// or `…Proof` function consumes, in the same order, so that storage is read in a single call.

/** Stored hashes for MTH(D[lo:hi]): the maximal perfect subtrees from left to right. */
function subTreeIndexes(lo: number, hi: number, need: number[]): void {
  while (lo < hi) {
    const { k, level } = largestPow2AtMost(hi - lo);
    need.push(storedHashIndex(level, lo / k));
    lo += k;
  }
}

function subTreeHash(lo: number, hi: number, q: HashQueue): Uint8Array {
  let parts = 0;
  while (lo < hi) {
    lo += largestPow2AtMost(hi - lo).k;
    parts++;
  }
  const hashes = q.take(parts);
  // The perfect subtrees shrink from left to right, so the tree folds from the right.
  let h = hashes[parts - 1]!;
  for (let i = parts - 2; i >= 0; i--) h = nodeHash(hashes[i]!, h);
  return h;
}

/** The root hash of the tree made of the first n leaves. */
export function treeHash(n: number, readHashes: HashReader): Uint8Array {
  requireCount("tree size", n);
  if (n === 0) return emptyTreeHash();
  const need: number[] = [];
  subTreeIndexes(0, n, need);
  const q = new HashQueue(readChecked(readHashes, need));
  const h = subTreeHash(0, n, q);
  q.assertDone();
  return h;
}

function inclusionIndexes(lo: number, hi: number, n: number, need: number[]): void {
  if (hi - lo === 1) return;
  const k = splitPoint(hi - lo);
  if (n < lo + k) {
    inclusionIndexes(lo, lo + k, n, need);
    subTreeIndexes(lo + k, hi, need);
  } else {
    subTreeIndexes(lo, lo + k, need);
    inclusionIndexes(lo + k, hi, n, need);
  }
}

/** RFC 6962 §2.1.1 PATH(n, D[lo:hi]): siblings from the leaf up to the root. */
function inclusionProof(lo: number, hi: number, n: number, q: HashQueue): Uint8Array[] {
  if (hi - lo === 1) return [];
  const k = splitPoint(hi - lo);
  if (n < lo + k) {
    const p = inclusionProof(lo, lo + k, n, q);
    p.push(subTreeHash(lo + k, hi, q));
    return p;
  }
  const sibling = subTreeHash(lo, lo + k, q);
  const p = inclusionProof(lo + k, hi, n, q);
  p.push(sibling);
  return p;
}

/** The inclusion proof (RFC 6962 audit path) of leaf n in the tree of size t. */
export function proveRecord(t: number, n: number, readHashes: HashReader): Uint8Array[] {
  requireCount("tree size", t);
  requireCount("leaf index", n);
  if (n >= t) throw new RangeError(`leaf index ${n} is not below tree size ${t}`);
  const need: number[] = [];
  inclusionIndexes(0, t, n, need);
  const q = new HashQueue(readChecked(readHashes, need));
  const p = inclusionProof(0, t, n, q);
  q.assertDone();
  return p;
}

function consistencyIndexes(lo: number, hi: number, n: number, need: number[]): void {
  if (n === hi) {
    // The verifier already knows the old root, which is this whole subtree when lo = 0.
    if (lo !== 0) subTreeIndexes(lo, hi, need);
    return;
  }
  const k = splitPoint(hi - lo);
  if (n <= lo + k) {
    consistencyIndexes(lo, lo + k, n, need);
    subTreeIndexes(lo + k, hi, need);
  } else {
    subTreeIndexes(lo, lo + k, need);
    consistencyIndexes(lo + k, hi, n, need);
  }
}

/** RFC 6962 §2.1.2 SUBPROOF(n, D[lo:hi], lo == 0). */
function consistencyProof(lo: number, hi: number, n: number, q: HashQueue): Uint8Array[] {
  if (n === hi) return lo === 0 ? [] : [subTreeHash(lo, hi, q)];
  const k = splitPoint(hi - lo);
  if (n <= lo + k) {
    const p = consistencyProof(lo, lo + k, n, q);
    p.push(subTreeHash(lo + k, hi, q));
    return p;
  }
  const sibling = subTreeHash(lo, lo + k, q);
  const p = consistencyProof(lo + k, hi, n, q);
  p.push(sibling);
  return p;
}

/** The consistency proof that the tree of size t extends the tree of size n (1 ≤ n ≤ t). */
export function proveTree(t: number, n: number, readHashes: HashReader): Uint8Array[] {
  requireCount("tree size", t);
  requireCount("old tree size", n);
  if (n < 1 || n > t) throw new RangeError(`old tree size ${n} must be between 1 and tree size ${t}`);
  const need: number[] = [];
  consistencyIndexes(0, t, n, need);
  const q = new HashQueue(readChecked(readHashes, need));
  const p = consistencyProof(0, t, n, q);
  q.assertDone();
  return p;
}

// Verification follows the same recursion as proof construction. The expected proof length is
// computed first so that a short or long proof is reported as such rather than as a hash mismatch.

function inclusionProofLength(t: number, n: number): number {
  let lo = 0;
  let hi = t;
  let len = 0;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (n < lo + k) hi = lo + k;
    else lo += k;
    len++;
  }
  return len;
}

function consistencyProofLength(t: number, n: number): number {
  let lo = 0;
  let hi = t;
  let len = 0;
  while (n !== hi) {
    const k = splitPoint(hi - lo);
    if (n <= lo + k) hi = lo + k;
    else lo += k;
    len++;
  }
  return lo === 0 ? len : len + 1;
}

function checkSize(what: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) {
    throw new InvalidProofError(`${what} must be an integer ≥ ${min}, got ${String(v)}`);
  }
}

function checkHash(what: string, h: Uint8Array): void {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    throw new InvalidProofError(`${what} must be ${HASH_SIZE} bytes`);
  }
}

function checkProofShape(proof: Uint8Array[], expected: number): void {
  if (proof.length !== expected) {
    throw new InvalidProofError(`proof has ${proof.length} hashes, expected ${expected}`);
  }
  proof.forEach((h, i) => checkHash(`proof hash #${i}`, h));
}

function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** The root implied by proof[0:end] for leaf n with hash h in D[lo:hi]. */
function runInclusion(proof: Uint8Array[], end: number, lo: number, hi: number, n: number, h: Uint8Array): Uint8Array {
  if (hi - lo === 1) return h;
  const k = splitPoint(hi - lo);
  const sibling = proof[end - 1]!;
  if (n < lo + k) return nodeHash(runInclusion(proof, end - 1, lo, lo + k, n, h), sibling);
  return nodeHash(sibling, runInclusion(proof, end - 1, lo + k, hi, n, h));
}

/**
 * Verifies that `proof` shows leaf n (0-based) with leaf hash h in the tree of size t with root th.
 * Throws InvalidProofError, with the reason, if it does not.
 */
export function checkRecord(proof: Uint8Array[], t: number, th: Uint8Array, n: number, h: Uint8Array): void {
  checkSize("tree size", t, 1);
  checkSize("leaf index", n, 0);
  if (n >= t) throw new InvalidProofError(`leaf index ${n} is not below tree size ${t}`);
  checkHash("root hash", th);
  checkHash("leaf hash", h);
  checkProofShape(proof, inclusionProofLength(t, n));
  if (!equalHashes(runInclusion(proof, proof.length, 0, t, n, h), th)) {
    throw new InvalidProofError(`inclusion proof for leaf ${n} does not lead to the root of tree size ${t}`);
  }
}

/** The roots of D[lo:n] (old) and D[lo:hi] (new) implied by proof[0:end]. */
function runConsistency(
  proof: Uint8Array[],
  end: number,
  lo: number,
  hi: number,
  n: number,
  old: Uint8Array,
): { oldRoot: Uint8Array; newRoot: Uint8Array } {
  if (n === hi) {
    const h = lo === 0 ? old : proof[0]!;
    return { oldRoot: h, newRoot: h };
  }
  const k = splitPoint(hi - lo);
  const sibling = proof[end - 1]!;
  if (n <= lo + k) {
    const r = runConsistency(proof, end - 1, lo, lo + k, n, old);
    return { oldRoot: r.oldRoot, newRoot: nodeHash(r.newRoot, sibling) };
  }
  const r = runConsistency(proof, end - 1, lo + k, hi, n, old);
  return { oldRoot: nodeHash(sibling, r.oldRoot), newRoot: nodeHash(sibling, r.newRoot) };
}

/**
 * Verifies that `proof` shows the tree of size t with root th extends the tree of size n with
 * root h (1 ≤ n ≤ t). Throws InvalidProofError, with the reason, if it does not.
 */
export function checkTree(proof: Uint8Array[], t: number, th: Uint8Array, n: number, h: Uint8Array): void {
  checkSize("old tree size", n, 1);
  checkSize("tree size", t, 1);
  if (n > t) throw new InvalidProofError(`old tree size ${n} exceeds tree size ${t}`);
  checkHash("root hash", th);
  checkHash("old root hash", h);
  checkProofShape(proof, consistencyProofLength(t, n));
  const { oldRoot, newRoot } = runConsistency(proof, proof.length, 0, t, n, h);
  if (!equalHashes(oldRoot, h)) {
    throw new InvalidProofError(`consistency proof does not lead to the root of old tree size ${n}`);
  }
  if (!equalHashes(newRoot, th)) {
    throw new InvalidProofError(`consistency proof does not lead to the root of tree size ${t}`);
  }
}
