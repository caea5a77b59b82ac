/**
 * Lookups by work identifier (ISRC, ISWC, ISNI, ISBN, DOI): the caller's spelling is normalized
 * (src/domain/work-identifier.ts) and matched exactly against the canonical identifiers active
 * declarations name. Each cited declaration says which identifier matched and how far it is
 * vouched for: `self-asserted`, always. A verified did:web controller proves who declared, not who
 * holds the rights to a recording or a book, and nothing else here can check that.
 */
import { jsonPointer, type FieldError } from "../domain/field-error";
import { effectivePreferences } from "../domain/consent";
import { contentUsageHeader, isOptedOut, type ResolvedPreferences } from "../domain/preferences";
import { identifierKey, IdentifierError, normalizeIdentifier, parseTypedIdentifier, type IdentifierKind, type WorkIdentifier } from "../domain/work-identifier";
import type { Reader } from "../store/db";
import { declarationsNamingIdentifiers, type IdentifierRow } from "../store/identifier-lookup";
import { NONE, NONE_USAGE } from "./lookup-urls";

/** A declaration as an identifier lookup cites it. */
export interface IdentifierCitation {
  id: string;
  /** The identifier that matched, `kind:value` in canonical form. */
  identifier: string;
  verification: "self-asserted";
  declarant: string;
  controller: string | null;
  vocabulary: number;
  preferences: Record<string, "y" | "n">;
}

export type IdentifierLookup =
  | {
      /** As the caller wrote it, `kind:value`. */
      identifier: string;
      /** `kind:value` in canonical form: what was matched. */
      normalized: string;
      opted_out: boolean;
      preferences: ResolvedPreferences;
      content_usage: string;
      declarations: IdentifierCitation[];
    }
  | { identifier: string; error: FieldError };

type Parsed = { identifier: string; id: WorkIdentifier } | { identifier: string; error: FieldError };

/** A `kind:value` token of a batch, or why it cannot be looked up. */
export function parseIdentifierToken(token: string, pointer: (string | number)[]): Parsed {
  try {
    return { identifier: token, id: parseTypedIdentifier(token) };
  } catch (e) {
    if (!(e instanceof IdentifierError)) throw e;
    return { identifier: token, error: { pointer: jsonPointer(pointer), detail: e.message } };
  }
}

/** One identifier of a known kind (a query parameter named for its kind), or why it cannot be looked up. */
export function parseIdentifierParam(kind: IdentifierKind, value: string, pointer: (string | number)[]): Parsed {
  try {
    return { identifier: `${kind}:${value}`, id: { kind, value: normalizeIdentifier(kind, value) } };
  } catch (e) {
    if (!(e instanceof IdentifierError)) throw e;
    return { identifier: `${kind}:${value}`, error: { pointer: jsonPointer(pointer), detail: e.message } };
  }
}

/** Looks up parsed identifiers in order; a bad one keeps its own error and does not spoil the others. */
export async function lookupIdentifiers(db: Reader, parsed: readonly Parsed[]): Promise<IdentifierLookup[]> {
  const valid = parsed.filter((p): p is Extract<Parsed, { id: WorkIdentifier }> => "id" in p);
  const rows = await declarationsNamingIdentifiers(db, valid.map((p) => p.id));
  let next = 0;
  return parsed.map((p) => ("error" in p ? p : identifierAnswer(p.identifier, p.id, rows[next++]!)));
}

export function identifierAnswer(identifier: string, id: WorkIdentifier, rows: readonly IdentifierRow[]): IdentifierLookup {
  if (!rows.length) return { identifier, normalized: identifierKey(id), opted_out: false, preferences: NONE, content_usage: NONE_USAGE, declarations: [] };
  const declarations: IdentifierCitation[] = rows.map((r) => ({
    id: r.id,
    identifier: identifierKey(r),
    verification: "self-asserted",
    declarant: r.declarant,
    controller: r.controller,
    vocabulary: r.vocabulary,
    preferences: JSON.parse(r.preferences) as Record<string, "y" | "n">,
  }));
  // Every `n` counts; a self-asserted `y` is cited but is not consent (src/domain/consent.ts).
  const preferences = effectivePreferences(declarations);
  return {
    identifier,
    normalized: identifierKey(id),
    opted_out: isOptedOut(preferences),
    preferences,
    content_usage: contentUsageHeader(preferences),
    declarations,
  };
}
