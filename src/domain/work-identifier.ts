/**
 * Work identifiers: the standard numbers music and publishing give their works, recordings,
 * books, articles and parties. A declaration may name them as subjects; lookups and scans match
 * them exactly, on their canonical form. Pure: no I/O.
 *
 * | kind | standard | canonical form | checked |
 * |---|---|---|---|
 * | `isrc` | ISO 3901 (recordings) | 12 characters `CCXXXYYNNNNN`, upper case | structure only: ISRC has no check digit |
 * | `iswc` | ISO 15707 (musical works) | `T` and 10 digits | check digit (weighted sum mod 10) |
 * | `isni` | ISO 27729 (parties; ORCID iDs are ISNIs) | 16 characters, last `0`–`9` or `X` | ISO 7064 MOD 11-2 |
 * | `isbn` | ISO 2108 (books) | 13 digits; an ISBN-10 becomes its `978` ISBN-13 | ISBN-10 mod 11 / ISBN-13 mod 10 |
 * | `doi` | ISO 26324 (DOI Handbook §2.2) | `10.<registrant>/<suffix>`, ASCII letters upper case | syntax |
 *
 * `normalizeIdentifier` takes any spelling people print or store — hyphens, spaces and dots
 * between groups, a leading `ISRC`/`ISWC`/`ISNI`/`ISBN` label, lower case, `doi:` or a
 * `https://doi.org/` link — and returns the canonical form, or throws an IdentifierError saying
 * what is wrong. Signed declarations carry the canonical form itself (`canonicalFormError`), so
 * the bytes a declarant signed are the key every registry matches on, whatever normalization
 * rules a later version adopts.
 *
 * Decisions the standards leave to us:
 * - An ISBN-10 and the `978` ISBN-13 it converts to are one book (ISO 2108:2005 converted every
 *   ISBN-10 this way), so both spellings match the same declarations. `979-0…` is the ISMN range
 *   (printed music), not an ISBN, and is refused.
 * - ISRC's country element is drawn from ISO 3166-1 but IFPI also allocates codes outside it
 *   (e.g. `QM`, `QZ`), so any two letters are accepted (International ISRC Agency bulletin
 *   2015/01: lower case letters are read as upper case; prefixes, spaces and hyphens are not part
 *   of the code).
 * - DOI names are case-insensitive for ASCII and the DOI registry stores them upper-cased
 *   (Handbook §2.4), so the canonical form upper-cases ASCII letters and leaves every other
 *   character as it is. Registrant codes are digits with optional `.`-separated subdivisions;
 *   the suffix is one or more printable characters (Unicode letters, marks, numbers,
 *   punctuation, symbols). Whitespace and control characters are refused: the Handbook requires
 *   them encoded wherever DOIs are written in URLs, and no registered DOI uses them.
 */

export const IDENTIFIER_KINDS = ["isrc", "iswc", "isni", "isbn", "doi"] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

export interface WorkIdentifier {
  readonly kind: IdentifierKind;
  /** The canonical form. */
  readonly value: string;
}

/** Longest identifier accepted in any spelling (a DOI has no defined limit; real ones stay far below). */
export const IDENTIFIER_MAX_LENGTH = 512;

export class IdentifierError extends Error {}

export function isIdentifierKind(s: string): s is IdentifierKind {
  return (IDENTIFIER_KINDS as readonly string[]).includes(s);
}

/** The canonical form of `input` read as an identifier of `kind`. */
export function normalizeIdentifier(kind: IdentifierKind, input: string): string {
  if (input.length > IDENTIFIER_MAX_LENGTH) throw new IdentifierError(`longer than ${IDENTIFIER_MAX_LENGTH} characters`);
  switch (kind) {
    case "isrc":
      return normalizeIsrc(input);
    case "iswc":
      return normalizeIswc(input);
    case "isni":
      return normalizeIsni(input);
    case "isbn":
      return normalizeIsbn(input);
    case "doi":
      return normalizeDoi(input);
  }
}

/**
 * Why `value` cannot stand in a signed declaration as an identifier of `kind`: not valid, or valid
 * but not written in canonical form (the message says the form to write). Null when it can.
 */
export function canonicalFormError(kind: IdentifierKind, value: string): string | null {
  let canonical: string;
  try {
    canonical = normalizeIdentifier(kind, value);
  } catch (e) {
    if (e instanceof IdentifierError) return e.message;
    throw e;
  }
  return canonical === value ? null : `not in canonical form: write ${JSON.stringify(canonical)}`;
}

/**
 * A typed token `kind:value` (`isrc:US-RC1-76-07839`, `doi:10.1000/182`), the form manifests,
 * catalogs and query strings use where one field holds identifiers of several kinds. The kind
 * is case-insensitive; the value may be in any spelling `normalizeIdentifier` reads.
 */
export function parseTypedIdentifier(token: string): WorkIdentifier {
  const colon = token.indexOf(":");
  const kind = colon < 0 ? "" : token.slice(0, colon).trim().toLowerCase();
  if (!isIdentifierKind(kind))
    throw new IdentifierError(`expected kind:value with a kind among ${IDENTIFIER_KINDS.join(", ")}, e.g. isrc:USRC17607839`);
  return { kind, value: normalizeIdentifier(kind, token.slice(colon + 1)) };
}

/** `kind:value` of a canonical identifier: one string that names it in keys, lists and reports. */
export function identifierKey(id: WorkIdentifier): string {
  return `${id.kind}:${id.value}`;
}

function normalizeIsrc(input: string): string {
  let s = input.trim().toUpperCase().replace(/[\s-]/g, "");
  if (s.startsWith("ISRC:")) s = s.slice(5);
  else if (s.length === 16 && s.startsWith("ISRC")) s = s.slice(4);
  if (s.length !== 12) throw new IdentifierError(`an ISRC has 12 characters (CC-XXX-YY-NNNNN), got ${s.length}`);
  if (!/^[A-Z]{2}/.test(s)) throw new IdentifierError("an ISRC starts with a two-letter country code");
  if (!/^..[A-Z0-9]{3}/.test(s)) throw new IdentifierError("an ISRC's registrant code (characters 3–5) is letters and digits");
  if (!/^.{5}[0-9]{7}$/.test(s)) throw new IdentifierError("an ISRC ends with a 2-digit year and a 5-digit designation code");
  return s;
}

function normalizeIswc(input: string): string {
  const s = stripLabel(input, "ISWC").replace(/[\s.-]/g, "");
  if (!/^T[0-9]{10}$/.test(s)) throw new IdentifierError("an ISWC is T followed by 9 digits and a check digit (T-123.456.789-C)");
  const expected = iswcCheckDigit(s.slice(1, 10));
  if (s[10] !== expected) throw new IdentifierError(`check digit is ${s[10]}, expected ${expected}`);
  return s;
}

function normalizeIsni(input: string): string {
  const s = stripLabel(input.trim().replace(/^(?:https?:\/\/)?isni\.org\/isni\//i, ""), "ISNI").replace(/[\s-]/g, "");
  if (!/^[0-9]{15}[0-9X]$/.test(s)) throw new IdentifierError("an ISNI is 15 digits and a check character (0-9 or X)");
  const expected = iso7064Mod11_2(s.slice(0, 15));
  if (s[15] !== expected) throw new IdentifierError(`check character is ${s[15]}, expected ${expected}`);
  return s;
}

function normalizeIsbn(input: string): string {
  const s = stripLabel(input, "ISBN(?:-1[03])?").replace(/[\s-]/g, "");
  if (/^[0-9]{9}[0-9X]$/.test(s)) {
    const expected = isbn10CheckDigit(s.slice(0, 9));
    if (s[9] !== expected) throw new IdentifierError(`ISBN-10 check digit is ${s[9]}, expected ${expected}`);
    const body = "978" + s.slice(0, 9);
    return body + ean13CheckDigit(body);
  }
  if (!/^[0-9]{13}$/.test(s)) throw new IdentifierError("an ISBN has 13 digits (or 10, the last possibly X)");
  if (!/^97[89]/.test(s)) throw new IdentifierError("an ISBN-13 starts with 978 or 979");
  if (s.startsWith("9790")) throw new IdentifierError("979-0 is the ISMN range (printed music), not an ISBN");
  const expected = ean13CheckDigit(s.slice(0, 12));
  if (s[12] !== expected) throw new IdentifierError(`ISBN-13 check digit is ${s[12]}, expected ${expected}`);
  return s;
}

const DOI_RESOLVER = /^(?:https?:\/\/)?(?:dx\.)?doi\.org\//i;

function normalizeDoi(input: string): string {
  let s = input.trim();
  if (DOI_RESOLVER.test(s)) {
    // A link to the resolver carries the DOI percent-encoded (Handbook §2.5.2.4).
    try {
      s = decodeURIComponent(s.replace(DOI_RESOLVER, ""));
    } catch {
      throw new IdentifierError("a doi.org link with a malformed percent-escape");
    }
  } else s = s.replace(/^(?:doi:|info:doi\/)/i, "");
  const slash = s.indexOf("/");
  if (slash < 0) throw new IdentifierError("a DOI is a prefix and a suffix separated by a slash (10.1000/182)");
  const prefix = s.slice(0, slash);
  const suffix = s.slice(slash + 1);
  if (!prefix.startsWith("10.")) throw new IdentifierError("a DOI prefix starts with the directory indicator 10 and a full stop");
  if (!/^10\.[0-9]+(?:\.[0-9]+)*$/.test(prefix))
    throw new IdentifierError("a DOI registrant code is digits, optionally subdivided by full stops (10.1000, 10.1000.10)");
  if (suffix === "") throw new IdentifierError("a DOI suffix is not empty");
  if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S}]+$/u.test(suffix))
    throw new IdentifierError("a DOI suffix is printable characters only (no spaces or control characters)");
  return prefix + "/" + suffix.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** Upper case, without a leading label (`ISBN-13: `, `urn:isbn:`). */
function stripLabel(input: string, label: string): string {
  return input
    .trim()
    .toUpperCase()
    .replace(new RegExp(`^(?:URN:)?${label}(?::|\\s)*`), "");
}

/** ISO 15707: 1 + Σ i·dᵢ over the nine digits, and the check digit brings it to a multiple of 10. */
export function iswcCheckDigit(nineDigits: string): string {
  let sum = 1;
  for (let i = 0; i < 9; i++) sum += (i + 1) * Number(nineDigits[i]);
  return String((10 - (sum % 10)) % 10);
}

/** ISO 7064 MOD 11-2 (pure system, radix 2), as ISO 27729 and ORCID use it; 10 is written X. */
export function iso7064Mod11_2(digits: string): string {
  let sum = 0;
  for (const d of digits) sum = ((sum + Number(d)) * 2) % 11;
  const check = (12 - sum) % 11;
  return check === 10 ? "X" : String(check);
}

/** ISBN-10: weights 10…2 over nine digits; the check digit makes the sum a multiple of 11 (10 is X). */
export function isbn10CheckDigit(nineDigits: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (10 - i) * Number(nineDigits[i]);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? "X" : String(check);
}

/** EAN-13 (ISBN-13): weights 1, 3, 1, 3… over twelve digits; the check digit makes a multiple of 10. */
export function ean13CheckDigit(twelveDigits: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(twelveDigits[i]);
  return String((10 - (sum % 10)) % 10);
}
