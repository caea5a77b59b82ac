/**
 * Base58btc (the Bitcoin alphabet), the encoding behind multibase prefix `z` used for ISCC-SIG
 * keys and proofs. Inputs here are small (keys, signatures), so the quadratic big-number
 * conversion is kept, in limbs of several digits: every registration decodes a proof and encodes
 * its receipt's, and a digit at a time was ~35 µs of the two.
 */

export const BASE58BTC_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

const DECODE_TABLE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE58BTC_ALPHABET.length; i++) table[BASE58BTC_ALPHABET.charCodeAt(i)] = i;
  return table;
})();

export class Base58Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Base58Error";
  }
}

/** Five base-58 digits: the limbs encoding accumulates in (58^5 < 2^30, so limb * 256 + carry stays exact in a double). */
const LIMB58 = 58 ** 5;
const TWO32 = 2 ** 32;

export function base58btcEncode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  // Little-endian limbs of five base-58 digits of the big-endian number in `bytes`: a fifth of the
  // inner steps of a digit at a time (a 64-byte proof: ~600 instead of ~2,800).
  const limbs: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i]!;
    for (let j = 0; j < limbs.length; j++) {
      const x = limbs[j]! * 256 + carry;
      carry = Math.floor(x / LIMB58);
      limbs[j] = x - carry * LIMB58;
    }
    while (carry > 0) {
      limbs.push(carry % LIMB58);
      carry = Math.floor(carry / LIMB58);
    }
  }
  let digits = "";
  for (let j = limbs.length - 1; j >= 0; j--) {
    let v = limbs[j]!;
    let five = "";
    for (let k = 0; k < 5; k++) {
      five = BASE58BTC_ALPHABET[v % 58]! + five;
      v = Math.floor(v / 58);
    }
    digits += five;
  }
  // The top limb is never zero, so the digits' leading '1's are its leading zero digits, not part of
  // the number. Each leading zero byte is written as a leading '1' so that the length survives the round trip.
  let first = 0;
  while (first < digits.length && digits[first] === "1") first++;
  return "1".repeat(zeros) + digits.slice(first);
}

export function base58btcDecode(str: string): Uint8Array {
  let zeros = 0;
  while (zeros < str.length && str[zeros] === "1") zeros++;
  // Little-endian 32-bit limbs of the number (limb * 58 + carry < 2^38: exact in a double).
  const limbs: number[] = [];
  for (let i = zeros; i < str.length; i++) {
    const code = str.charCodeAt(i);
    const value = code < 128 ? DECODE_TABLE[code]! : -1;
    if (value < 0) {
      throw new Base58Error(`invalid base58btc character ${JSON.stringify(str[i])} at position ${i}`);
    }
    let carry = value;
    for (let j = 0; j < limbs.length; j++) {
      const x = limbs[j]! * 58 + carry;
      const low = x >>> 0;
      carry = (x - low) / TWO32;
      limbs[j] = low;
    }
    if (carry > 0) limbs.push(carry);
  }
  // The number's bytes, most significant first, without leading zero bytes; then the zeros written as '1'.
  const number: number[] = [];
  for (let j = limbs.length - 1; j >= 0; j--) {
    const l = limbs[j]!;
    number.push(l >>> 24, (l >>> 16) & 0xff, (l >>> 8) & 0xff, l & 0xff);
  }
  let first = 0;
  while (first < number.length && number[first] === 0) first++;
  const out = new Uint8Array(zeros + number.length - first);
  out.set(number.slice(first), zeros);
  return out;
}
