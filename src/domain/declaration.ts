import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { decompose, IsccError, MainType, parseIsccIdV1 } from "../iscc/index";
import { bandsOf, type Bands } from "../similarity/bands";
import { canonicalize } from "../encoding/canonical-json";
import type { ControllerVerification } from "./controller-verification";
import { DeclarationSchema, MAX_IDENTIFIERS, type Declaration } from "./declaration-schema";
import { hostIsWithin } from "./did-web";
import { type FieldError, issuesToFieldErrors, ValidationError } from "./field-error";
import { SignatureError, verifyJson } from "./iscc-sig";
import { preferenceErrors, vocabularyOf, type VocabularyVersion } from "./preferences";
import { matchKey, UrlError } from "./url-normalize";
import { parseUrlPattern, type UrlPattern } from "./url-pattern";
import { canonicalFormError, IDENTIFIER_KINDS, identifierKey, type WorkIdentifier } from "./work-identifier";

export interface UnitSubject {
  unitType: string;
  maintype: MainType;
  code: string;
  bodyHex: string;
  bands: Bands;
}

export interface UrlSubject extends UrlPattern {
  /** What lookups compare: the scheme-less URL (exact), the scheme-less prefix, or the domain (host). */
  key: string;
  verification: "domain-verified" | "self-asserted";
}

/** A declaration that passed every check that needs no storage, with its subjects extracted. */
/** What every signed record (a declaration, a mandate) is known by once checked. */
export interface PreparedRecord {
  /** JCS text of the signed record: what the digest, the log and peers see. */
  canonical: string;
  /** Hex SHA-256 of the canonical bytes. */
  digest: string;
  /** The signing key. */
  declarant: string;
  controller: string | null;
  controllerVerified: boolean;
  /** What the receipt says about the controller (see controller-verification.ts); null without one. */
  verification: ControllerVerification | null;
}

export interface PreparedDeclaration extends PreparedRecord {
  declaration: Declaration;
  /** The member an agent declares for (`on_behalf_of`), or null for a declarant's own claim. */
  onBehalfOf: string | null;
  /** The vocabulary its preferences are in (1 when the declaration does not say). */
  vocabulary: VocabularyVersion;
  urls: UrlSubject[];
  units: UnitSubject[];
  datahash: string | null;
  /** Work identifiers, canonical (as signed), each once. */
  identifiers: WorkIdentifier[];
}

/**
 * Shape and subject rules, in one pass, so a caller hears about every bad field at once.
 * Signature and time checks come after (they need the whole object to be well formed).
 */
export function parseDeclaration(input: unknown): Declaration {
  const parsed = DeclarationSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(issuesToFieldErrors(parsed.error.issues));
  return checkDeclarationRules(parsed.data);
}

/**
 * The subject rules of parseDeclaration, for a value DeclarationSchema already returned (a route's
 * validated body): the schema is not run twice on the single POST's path.
 */
export function checkDeclarationRules(d: Declaration): Declaration {
  const errors: FieldError[] = [];
  const hasSubject = d.iscc !== undefined || d.datahash !== undefined || d.urls !== undefined || d.identifiers !== undefined;
  if (d.intent === "activate") {
    if (d.supersedes !== undefined) errors.push({ pointer: "/supersedes", detail: "only update and revoke supersede" });
  } else if (d.supersedes === undefined) {
    errors.push({ pointer: "/supersedes", detail: `required for intent ${d.intent}` });
  } else {
    try {
      parseIsccIdV1(d.supersedes);
    } catch (e) {
      errors.push({ pointer: "/supersedes", detail: `not an ISCC-ID v1: ${(e as Error).message}` });
    }
  }
  if (d.intent === "revoke") {
    if (d.preferences !== undefined) errors.push({ pointer: "/preferences", detail: "a revoke states no preferences" });
  } else {
    if (!hasSubject) errors.push({ pointer: "", detail: "at least one subject is required: iscc, datahash, urls or identifiers" });
    if (!d.preferences || Object.keys(d.preferences).length === 0)
      errors.push({ pointer: "/preferences", detail: "at least one preference is required" });
    else
      for (const e of preferenceErrors(vocabularyOf(d), d.preferences)) errors.push({ pointer: "/preferences" + e.pointer, detail: e.detail });
  }
  if (d.on_behalf_of !== undefined && (d.on_behalf_of === d.signature.pubkey || d.on_behalf_of === d.signature.controller))
    errors.push({ pointer: "/on_behalf_of", detail: "names the signer itself: an agent declares for someone else" });
  if (d.iscc !== undefined) {
    try {
      isccUnits(d.iscc);
    } catch (e) {
      errors.push({ pointer: "/iscc", detail: (e as Error).message });
    }
  }
  d.urls?.forEach((u, i) => {
    try {
      parseUrlPattern(u);
    } catch (e) {
      if (!(e instanceof UrlError)) throw e;
      errors.push({ pointer: `/urls/${i}`, detail: e.message });
    }
  });
  if (d.identifiers !== undefined) errors.push(...identifierErrors(d.identifiers));
  if (errors.length) throw new ValidationError(errors);
  return d;
}

/** Every identifier valid and written in its canonical form; at least one, at most MAX_IDENTIFIERS in all. */
export function identifierErrors(ids: NonNullable<Declaration["identifiers"]>): FieldError[] {
  const errors: FieldError[] = [];
  let count = 0;
  for (const kind of IDENTIFIER_KINDS)
    ids[kind]?.forEach((value, i) => {
      count++;
      const why = canonicalFormError(kind, value);
      if (why) errors.push({ pointer: `/identifiers/${kind}/${i}`, detail: why });
    });
  if (count === 0) errors.push({ pointer: "/identifiers", detail: "names no identifier: leave it out, or name at least one" });
  if (count > MAX_IDENTIFIERS) errors.push({ pointer: "/identifiers", detail: `names ${count} identifiers, at most ${MAX_IDENTIFIERS} are allowed` });
  return errors;
}

/** The identifiers a declaration names, each once, in kind order then as written. */
export function declaredIdentifiers(d: Pick<Declaration, "identifiers">): WorkIdentifier[] {
  const out: WorkIdentifier[] = [];
  const seen = new Set<string>();
  for (const kind of IDENTIFIER_KINDS)
    for (const value of d.identifiers?.[kind] ?? []) {
      const id = { kind, value };
      if (seen.has(identifierKey(id))) continue;
      seen.add(identifierKey(id));
      out.push(id);
    }
  return out;
}

/**
 * Verifies the ISCC-SIG signature; a failure names the signature field at fault. Resolves to the
 * signed document's canonical text (what its digest covers), made while verifying.
 */
export async function verifyDeclarationSignature(d: Pick<Declaration, "signature">): Promise<string> {
  try {
    return (await verifyJson(d)).canonical;
  } catch (e) {
    if (e instanceof SignatureError) throw new ValidationError([{ pointer: e.pointer, detail: e.message }]);
    throw e;
  }
}

/** SPEC: the timestamp must be within the window of the registry clock at first registration. */
export function checkTimestamp(d: Pick<Declaration, "timestamp">, nowMs: number, skewMs: number): void {
  const t = Date.parse(d.timestamp);
  if (Math.abs(t - nowMs) > skewMs)
    throw new ValidationError([
      {
        pointer: "/timestamp",
        detail: `must be within ±${skewMs / 60000} minutes of the registry clock (${new Date(nowMs).toISOString()})`,
      },
    ]);
}

/**
 * Subjects, digest and canonical text (`canonical`, when the caller has it: canonicalize(d), e.g.
 * from the signature check). `verification` is the signed verification result (made by
 * this registry at first registration, or read from the origin's receipt): it alone decides the
 * controller's standing and which URL subjects are domain-verified.
 */
export function prepareDeclaration(d: Declaration, verification: ControllerVerification | null, canonical = canonicalize(d)): PreparedDeclaration {
  const verifiedHost = verification?.verified ? verification.domain : null;
  const seen = new Set<string>();
  const urls: UrlSubject[] = [];
  for (const u of d.urls ?? []) {
    const p = parseUrlPattern(u);
    if (seen.has(p.pattern)) continue;
    seen.add(p.pattern);
    urls.push({
      ...p,
      key: p.kind === "exact" ? matchKey(p.pattern) : p.kind === "prefix" ? matchKey(p.prefix!) : p.host,
      verification: verifiedHost && hostIsWithin(p.host, verifiedHost) ? "domain-verified" : "self-asserted",
    });
  }
  return {
    declaration: d,
    canonical,
    digest: bytesToHex(sha256(new TextEncoder().encode(canonical))),
    declarant: d.signature.pubkey,
    controller: d.signature.controller ?? null,
    controllerVerified: verification?.verified ?? false,
    verification,
    onBehalfOf: d.on_behalf_of ?? null,
    vocabulary: vocabularyOf(d),
    urls,
    units: d.iscc !== undefined ? isccUnits(d.iscc) : [],
    datahash: d.datahash ?? null,
    identifiers: declaredIdentifiers(d),
  };
}

/** The units an `iscc` subject stands for. Identifiers (ISCC-ID, flake) are not content. */
export function isccUnits(iscc: string): UnitSubject[] {
  return decompose(iscc).map((u) => {
    if (u.maintype === MainType.ID || u.maintype === MainType.FLAKE)
      throw new IsccError(`${u.typeName} is an identifier, not a content code`);
    return { unitType: u.typeName, maintype: u.maintype, code: u.code, bodyHex: bytesToHex(u.body), bands: bandsOf(u.body) };
  });
}
