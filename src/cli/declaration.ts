/**
 * Builds and signs declarations from command-line flags, so a declarant never handles JCS,
 * Ed25519 or multibase. The registry remains the judge of validity: only what the flags cannot
 * express is checked here; everything else is left for the registry's problem response, which
 * names every bad field at once.
 */
import { randomBytes } from "node:crypto";
import type { Declaration, PreferenceMap } from "../domain/declaration-schema";
import { signJson, type Keypair } from "../domain/iscc-sig";
import { PreferenceFlagError, preferencesOfFlags, type PreferenceFlag } from "../domain/preference-flags";
import { CURRENT_VOCABULARY } from "../domain/preferences";
import type { IdentifierKind } from "../domain/work-identifier";
import { CliError, EXIT_USAGE } from "./errors";

export { PREFERENCE_FLAGS } from "../domain/preference-flags";

export interface SubjectAndTerms {
  iscc?: string;
  datahash?: string;
  urls?: string[];
  /** Work identifiers by kind, in canonical form (normalized before signing: see declaration-flags.ts). */
  identifiers?: Partial<Record<IdentifierKind, string[]>>;
  preferences?: PreferenceMap;
  name?: string;
  policy?: string;
  /** Agent mode: the member declared for (its key or did:web); the agent's mandate decides the label. */
  on_behalf_of?: string;
}

export type Unsigned = Omit<Declaration, "signature">;

/**
 * Reads --all/--train-ai/--ai-use/--search into current-vocabulary preferences
 * (domain/preference-flags.ts). With none given, the common case: no AI training.
 */
export function preferencesFromFlags(values: Partial<Record<PreferenceFlag, string | undefined>>): PreferenceMap {
  try {
    const prefs = preferencesOfFlags(values);
    return Object.keys(prefs).length ? prefs : { "train-ai": "n" };
  } catch (e) {
    if (e instanceof PreferenceFlagError) throw new CliError(e.message, EXIT_USAGE);
    throw e;
  }
}

function envelope(intent: Declaration["intent"], supersedes?: string) {
  return {
    type: "OptOutDeclaration" as const,
    version: 1 as const,
    // A revoke states no preferences, so only declarations that state some name their vocabulary.
    ...(intent !== "revoke" ? { vocabulary: CURRENT_VOCABULARY as 2 } : {}),
    intent,
    ...(supersedes !== undefined ? { supersedes } : {}),
  };
}

function stamp() {
  // toISOString is always UTC with milliseconds: exactly the precision the schema asks for.
  return { timestamp: new Date().toISOString(), nonce: randomBytes(16).toString("hex") };
}

export function buildActivateOrUpdate(terms: SubjectAndTerms, supersedes?: string): Unsigned {
  const identifiers = Object.keys(terms.identifiers ?? {}).length ? terms.identifiers : undefined;
  if (terms.iscc === undefined && terms.datahash === undefined && !terms.urls?.length && !identifiers) {
    throw new CliError("nothing to declare: give --iscc, --file, --datahash, --url or an identifier (--isrc, --iswc, --isni, --isbn, --doi)", EXIT_USAGE);
  }
  return {
    ...envelope(supersedes === undefined ? "activate" : "update", supersedes),
    ...(terms.iscc !== undefined ? { iscc: terms.iscc } : {}),
    ...(terms.datahash !== undefined ? { datahash: terms.datahash } : {}),
    ...(terms.urls?.length ? { urls: terms.urls } : {}),
    ...(identifiers ? { identifiers } : {}),
    ...(terms.preferences ? { preferences: terms.preferences } : {}),
    ...(terms.policy !== undefined ? { policy: terms.policy } : {}),
    ...(terms.name !== undefined ? { name: terms.name } : {}),
    ...(terms.on_behalf_of !== undefined ? { on_behalf_of: terms.on_behalf_of } : {}),
    ...stamp(),
  };
}

export function buildRevoke(supersedes: string): Unsigned {
  return { ...envelope("revoke", supersedes), ...stamp() };
}

export function signDeclaration(unsigned: Unsigned, keypair: Keypair): Promise<Declaration> {
  return signJson(unsigned, keypair) as Promise<Declaration>;
}
