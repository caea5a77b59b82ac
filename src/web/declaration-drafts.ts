/**
 * From what a person entered on the declare page to unsigned declarations, and the checks that give
 * a message next to the field before anything is signed or sent. Pure (no DOM), so the page logic is
 * tested directly; signing is src/domain/iscc-sig.ts, the same as the CLI's.
 */
import { rowTerms, type CatalogRow } from "../catalog/catalog-row";
import type { Declaration } from "../domain/declaration-schema";
import { PARTY } from "../domain/party";
import { PreferenceFlagError, preferencesOfFlags } from "../domain/preference-flags";
import { IdentifierError, normalizeIdentifier } from "../domain/work-identifier";
import { CURRENT_VOCABULARY, type VocabularyVersion } from "../domain/preferences";

/** Declarations made here speak the current vocabulary. */
const VOCABULARY: VocabularyVersion = CURRENT_VOCABULARY;
import { UrlError } from "../domain/url-normalize";
import { parseUrlPattern } from "../domain/url-pattern";
import { LIMITS } from "../http/limits";
import type { MessageKey } from "./i18n/catalogue";

export type Unsigned = Omit<Declaration, "signature">;
export type PreferenceChoices = Record<string, "y" | "n">;

/** One fingerprinted file: only these codes leave the device. */
export interface Fingerprint {
  iscc: string;
  datahash: string;
}

export interface DeclareInput {
  files: Fingerprint[];
  /** The URL patterns field, one a line. */
  urls: string;
  preferences: PreferenceChoices;
  name: string;
  policy: string;
}

export type DeclareField = "member" | "catalog" | "urls" | "prefs" | "policy" | "name" | "form";

/** A problem with one field, as a catalogue key and its values, so the page says it in the reader's language. */
export interface FieldProblem {
  field: DeclareField;
  key: MessageKey;
  vars?: Record<string, string | number>;
}

export function urlLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Every problem at once, in the order of the form. */
export function checkDeclareInput(input: DeclareInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const lines = input.urls.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    try {
      if (line.length > LIMITS.urlLength) throw new UrlError(line, `longer than ${LIMITS.urlLength} characters`);
      parseUrlPattern(line);
    } catch (e) {
      if (!(e instanceof UrlError)) throw e;
      problems.push({ field: "urls", key: "declare.error.url", vars: { line: i + 1, reason: e.message } });
    }
  });
  if (urlLines(input.urls).length > LIMITS.urlsPerDeclaration)
    problems.push({ field: "urls", key: "declare.error.url", vars: { line: LIMITS.urlsPerDeclaration + 1, reason: `at most ${LIMITS.urlsPerDeclaration} URL patterns` } });
  if (Object.keys(input.preferences).length === 0) problems.push({ field: "prefs", key: "declare.error.nopref" });
  const policy = input.policy.trim();
  if (policy) {
    let ok = false;
    try {
      const u = new URL(policy);
      ok = (u.protocol === "https:" || u.protocol === "http:") && policy.length <= LIMITS.urlLength;
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ field: "policy", key: "declare.error.policy" });
  }
  if (input.files.length === 0 && urlLines(input.urls).length === 0) problems.push({ field: "form", key: "declare.error.nosubject" });
  return problems;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The time and nonce every declaration carries (SPEC: UTC with milliseconds; 32 hex). */
export function stamp(now = new Date()): { timestamp: string; nonce: string } {
  return { timestamp: now.toISOString(), nonce: hex(crypto.getRandomValues(new Uint8Array(16))) };
}

/**
 * One declaration per file (its ISCC-CODE and datahash); URL patterns go with the file when there is
 * exactly one, otherwise into a declaration of their own. Name and policy apply to each.
 */
export function draftDeclarations(input: DeclareInput, now = new Date()): Unsigned[] {
  const urls = [...new Set(urlLines(input.urls))];
  const terms = {
    preferences: input.preferences,
    ...(input.policy.trim() ? { policy: input.policy.trim() } : {}),
    ...(input.name.trim() ? { name: input.name.trim() } : {}),
  };
  const envelope = { type: "OptOutDeclaration" as const, version: 1 as const, vocabulary: VOCABULARY, intent: "activate" as const };
  const drafts: Unsigned[] = input.files.map((f) => ({
    ...envelope,
    iscc: f.iscc,
    datahash: f.datahash,
    ...(input.files.length === 1 && urls.length ? { urls } : {}),
    ...terms,
    ...stamp(now),
  }));
  if (urls.length && input.files.length !== 1) drafts.push({ ...envelope, urls, ...terms, ...stamp(now) });
  return drafts;
}

/** An update of `previous` with new preferences (in the current vocabulary): the same subjects and details, superseding it. */
export function draftUpdate(previous: Record<string, unknown>, previousId: string, preferences: PreferenceChoices, now = new Date()): Unsigned {
  const keep = (k: "iscc" | "datahash" | "urls" | "policy" | "name") => (previous[k] !== undefined ? { [k]: previous[k] } : {});
  return {
    type: "OptOutDeclaration",
    version: 1,
    vocabulary: VOCABULARY,
    intent: "update",
    supersedes: previousId,
    ...keep("iscc"),
    ...keep("datahash"),
    ...keep("urls"),
    preferences,
    ...keep("policy"),
    ...keep("name"),
    ...stamp(now),
  } as Unsigned;
}

export function draftRevoke(previousId: string, now = new Date()): Unsigned {
  return { type: "OptOutDeclaration", version: 1, intent: "revoke", supersedes: previousId, ...stamp(now) };
}

/** Which field of the form a registry problem's JSON pointer (inside declaration `index`) is about. */
export function fieldOfPointer(pointer: string): DeclareField {
  const member = pointer.split("/")[pointer.startsWith("/") && /^\/\d+\//.test(pointer) ? 2 : 1] ?? "";
  if (member === "urls") return "urls";
  if (member === "preferences") return "prefs";
  if (member === "policy") return "policy";
  if (member === "name") return "name";
  if (member === "on_behalf_of") return "member";
  return "form";
}

/** Whom the declare page declares for: the signer itself, one member, or the members of a catalog (agent mode). */
export type DeclareFor = "self" | "member" | "catalog";

/** The canonical ISNI `text` is (any usual spelling, check digit verified), or null when it is none. */
export function isniOf(text: string): string | null {
  if (!/^[0-9Xx\s-]{16,24}$/.test(text.trim())) return null;
  try {
    return normalizeIdentifier("isni", text.trim());
  } catch (e) {
    if (e instanceof IdentifierError) return null;
    throw e;
  }
}

/**
 * The member field: a key or did:web (as mandates name members), or an ISNI that a mandate to this
 * agent states (resolved by the page to that mandate's member); empty is allowed only with a
 * catalog, whose rows may name their own.
 */
export function memberProblem(mode: DeclareFor, member: string): FieldProblem | null {
  const m = member.trim();
  if (mode === "self" || (mode === "catalog" && !m)) return null;
  return PARTY.test(m) || isniOf(m) ? null : { field: "member", key: "declare.error.member" };
}

/** The page's drafts, each naming the member the agent declares for. */
export function onBehalfOf(drafts: Unsigned[], member: string): Unsigned[] {
  return drafts.map((d) => ({ ...d, on_behalf_of: member.trim() }));
}

/** A catalog row the page cannot declare: a catalogue key and its values, or the parser's own words (`detail`). */
export interface RowProblem {
  where: string;
  key?: MessageKey;
  vars?: Record<string, string | number>;
  detail?: string;
}

/**
 * One declaration per catalog row, as `optout import` builds them (catalog-row.ts rowTerms): each
 * names its row's member, else `member`; the row's preference columns override the page's choices.
 * Rows the page cannot declare are all reported, and then nothing is drafted: a path (the file is
 * fingerprinted by the CLI), no member, a member that is not a key or did:web, a bad identifier.
 */
export function draftCatalog(rows: readonly CatalogRow[], preferences: PreferenceChoices, member: string, now = new Date()): { drafts: Unsigned[]; problems: RowProblem[] } {
  const drafts: Unsigned[] = [];
  const problems: RowProblem[] = [];
  for (const row of rows) {
    if (row.path) {
      problems.push({ where: row.where, key: "declare.error.path" });
      continue;
    }
    try {
      const terms = rowTerms(row, preferencesOfFlags(row.preferences, preferences), member.trim() || undefined);
      if (!terms.on_behalf_of) problems.push({ where: row.where, key: "declare.error.nomember" });
      else if (!PARTY.test(terms.on_behalf_of)) problems.push({ where: row.where, key: "declare.error.rowmember", vars: { member: terms.on_behalf_of } });
      else drafts.push({ type: "OptOutDeclaration", version: 1, vocabulary: VOCABULARY, intent: "activate", ...terms, ...stamp(now) } as Unsigned);
    } catch (e) {
      if (!(e instanceof IdentifierError || e instanceof PreferenceFlagError)) throw e;
      problems.push({ where: row.where, detail: e.message });
    }
  }
  return problems.length ? { drafts: [], problems } : { drafts, problems };
}
