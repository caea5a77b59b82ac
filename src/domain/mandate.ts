/**
 * Mandates: a member authorizes an agent to declare for it (SPEC-level decisions in README,
 * "Mandates"). A mandate is signed by the member and registered like a declaration (same sequencer,
 * ids, receipts, log, feed); `revoke` ends it and may be signed by either side. Pure: no I/O.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { canonicalize } from "../encoding/canonical-json";
import { parseIsccIdV1 } from "../iscc/index";
import type { ControllerVerification } from "./controller-verification";
import { declaredIdentifiers, identifierErrors, isccUnits, type PreparedRecord } from "./declaration";
import { type FieldError, issuesToFieldErrors, ValidationError } from "./field-error";
import type { MandateScope } from "./mandate-scope";
import { MandateSchema, type Mandate } from "./mandate-schema";
import { UrlError } from "./url-normalize";
import { parseUrlPattern } from "./url-pattern";
import { canonicalFormError, identifierKey } from "./work-identifier";

/** A mandate that passed every check that needs no storage. */
/** A checked mandate; its controller is as the signed verification states it. */
export interface PreparedMandate extends PreparedRecord {
  mandate: Mandate;
  /** activate only (null for a revoke). */
  grant: { member: string; memberIsni: string | null; agent: string; scope: MandateScope; validFromMs: number; validUntilMs: number } | null;
}

/** Raised when the signer may not grant what the mandate says (HTTP 403): a member that is not the signer. */
export class AuthorityError extends ValidationError {}

/** Shape and semantic rules that need neither storage nor the clock, every bad field at once. */
export function parseMandate(input: unknown): Mandate {
  const parsed = MandateSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(issuesToFieldErrors(parsed.error.issues));
  const m = parsed.data;
  const errors: FieldError[] = [];
  if (m.intent === "revoke") {
    if (m.supersedes === undefined) errors.push({ pointer: "/supersedes", detail: "required for intent revoke" });
    else
      try {
        parseIsccIdV1(m.supersedes);
      } catch (e) {
        errors.push({ pointer: "/supersedes", detail: `not an ISCC-ID v1: ${(e as Error).message}` });
      }
    for (const k of ["member", "member_isni", "agent", "scope", "valid_from", "valid_until"] as const)
      if (m[k] !== undefined) errors.push({ pointer: `/${k}`, detail: "a revoke only names the mandate it ends (supersedes)" });
    if (errors.length) throw new ValidationError(errors);
    return m;
  }
  if (m.supersedes !== undefined) errors.push({ pointer: "/supersedes", detail: "only a revoke supersedes; to change a mandate, revoke it and grant a new one" });
  for (const k of ["member", "agent", "scope", "valid_until"] as const) if (m[k] === undefined) errors.push({ pointer: `/${k}`, detail: "required to grant a mandate" });
  const signer = [m.signature.pubkey, m.signature.controller].filter((x) => x !== undefined);
  if (m.agent !== undefined && (m.agent === m.member || signer.includes(m.agent)))
    errors.push({ pointer: "/agent", detail: "names the member itself: a mandate is given to someone else" });
  const from = Date.parse(m.valid_from ?? m.timestamp);
  if (m.valid_until !== undefined && Date.parse(m.valid_until) <= from)
    errors.push({ pointer: "/valid_until", detail: `must be after ${m.valid_from !== undefined ? "valid_from" : "the timestamp"}` });
  if (m.scope !== undefined) errors.push(...scopeErrors(m.scope));
  if (m.member_isni !== undefined) {
    const why = canonicalFormError("isni", m.member_isni);
    if (why) errors.push({ pointer: "/member_isni", detail: why });
  }
  if (errors.length) throw new ValidationError(errors);
  if (!signer.includes(m.member!))
    throw new AuthorityError([{ pointer: "/member", detail: "is not the signing key or its controller: only the member signs its mandate" }]);
  return m;
}

function scopeErrors(scope: NonNullable<Mandate["scope"]>): FieldError[] {
  const errors: FieldError[] = [];
  const lists = scope.urls !== undefined || scope.iscc !== undefined || scope.identifiers !== undefined;
  if (scope.all && lists) errors.push({ pointer: "/scope/all", detail: "`all` stands alone: it already covers every URL, code and identifier" });
  if (!scope.all && !lists) errors.push({ pointer: "/scope", detail: "empty: name `all`, or URL patterns (`urls`), codes (`iscc`) or work identifiers (`identifiers`)" });
  if (scope.identifiers !== undefined) errors.push(...identifierErrors(scope.identifiers).map((e) => ({ ...e, pointer: "/scope" + e.pointer })));
  scope.urls?.forEach((u, i) => {
    try {
      parseUrlPattern(u);
    } catch (e) {
      if (!(e instanceof UrlError)) throw e;
      errors.push({ pointer: `/scope/urls/${i}`, detail: e.message });
    }
  });
  scope.iscc?.forEach((c, i) => {
    try {
      isccUnits(c);
    } catch (e) {
      errors.push({ pointer: `/scope/iscc/${i}`, detail: (e as Error).message });
    }
  });
  return errors;
}

/**
 * At first registration: a grant must not have ended already (a mandate for the past authorizes
 * nothing, and is more likely a mistake than a record worth keeping).
 */
export function checkMandateNotExpired(m: Mandate, nowMs: number): void {
  if (m.valid_until !== undefined && Date.parse(m.valid_until) <= nowMs)
    throw new ValidationError([{ pointer: "/valid_until", detail: `already passed (registry clock ${new Date(nowMs).toISOString()}): the mandate has expired` }]);
}

/**
 * Digest, canonical text and the parsed grant. `verification` is the signed controller check
 * (made here at first registration, or the origin's receipt): a member named by its did:web must
 * be that verified controller, or the signer is not the member.
 */
export function prepareMandate(m: Mandate, verification: ControllerVerification | null): PreparedMandate {
  const canonical = canonicalize(m);
  const controllerVerified = verification?.verified ?? false;
  if (m.intent === "activate" && m.member !== m.signature.pubkey && !controllerVerified)
    throw new AuthorityError([
      { pointer: "/member", detail: `${m.member} did not list the signing key in its DID document: the signer is not the member` },
    ]);
  return {
    mandate: m,
    canonical,
    digest: bytesToHex(sha256(new TextEncoder().encode(canonical))),
    declarant: m.signature.pubkey,
    controller: m.signature.controller ?? null,
    controllerVerified,
    verification,
    grant:
      m.intent === "activate"
        ? {
            member: m.member!,
            memberIsni: m.member_isni ?? null,
            agent: m.agent!,
            scope: mandateScope(m.scope!),
            validFromMs: Date.parse(m.valid_from ?? m.timestamp),
            validUntilMs: Date.parse(m.valid_until!),
          }
        : null,
  };
}

export function mandateScope(scope: NonNullable<Mandate["scope"]>): MandateScope {
  return {
    all: scope.all === true,
    urls: (scope.urls ?? []).map(parseUrlPattern),
    units: (scope.iscc ?? []).flatMap((c) => isccUnits(c)).map(({ unitType, maintype, bodyHex }) => ({ unitType, maintype, bodyHex })),
    identifiers: declaredIdentifiers(scope).map(identifierKey),
  };
}
