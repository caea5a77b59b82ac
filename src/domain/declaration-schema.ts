import { z } from "zod";
import { PARTY } from "./party";
import { IDENTIFIER_KINDS, IDENTIFIER_MAX_LENGTH, type IdentifierKind } from "./work-identifier";

/**
 * The wire shape of a signed declaration (SPEC.md, "Declarations"). Strict objects: an unknown
 * field is an error, never silently dropped, because the signature covers every byte.
 * Semantic rules that need the ISCC codec or URL parser live in declaration.ts.
 */
const base58 = /^z[1-9A-HJ-NP-Za-km-z]+$/;
const preference = z.enum(["y", "n"]);

export const SignatureSchema = z.strictObject({
  version: z.literal("ISCC-SIG v1.0"),
  controller: z.string().min(1).max(256).optional(),
  keyid: z.string().min(1).max(256).optional(),
  pubkey: z.string().regex(/^z6Mk[1-9A-HJ-NP-Za-km-z]{44,45}$/, "must be an Ed25519 multikey (z6Mk…)"),
  proof: z.string().regex(base58, "must be multibase base58btc (z…)").max(100),
});

/**
 * Every key of every vocabulary (src/domain/preferences.ts); which of them a declaration may use
 * depends on its `vocabulary`, checked in declaration.ts.
 */
export const PreferencesSchema = z.strictObject({
  "train-ai": preference.optional().describe("vocabularies 1 and 2: AI training (2: of generative models)"),
  "draft-ai-use": preference.optional().describe("vocabulary 2: AI Use of draft-ietf-aipref-vocab-08, token not final"),
  search: preference.optional().describe("vocabularies 1 and 2: search"),
  all: preference.optional().describe("vocabulary 1 only: all automated processing"),
  "train-genai": preference.optional().describe("vocabulary 1 only: generative AI training"),
  "ai-use": preference.optional().describe("vocabulary 1 only: AI use (-02)"),
});

/** Most work identifiers one declaration names, all kinds together (as for `urls`). */
export const MAX_IDENTIFIERS = 100;

const identifierList = (kind: IdentifierKind) =>
  z.array(z.string().min(1).max(IDENTIFIER_MAX_LENGTH)).min(1).max(MAX_IDENTIFIERS).optional().describe(`${kind.toUpperCase()}s, each in its canonical form`);

/**
 * Work identifiers by kind, each value in the canonical form of src/domain/work-identifier.ts
 * (checked in declaration.ts): the signed bytes are the key every registry matches on.
 */
export const IdentifiersSchema = z
  .strictObject(Object.fromEntries(IDENTIFIER_KINDS.map((k) => [k, identifierList(k)])) as Record<IdentifierKind, ReturnType<typeof identifierList>>)
  .describe("Work identifiers by kind: isrc, iswc, isni, isbn, doi (canonical forms: ISRC USRC17607839, ISWC T0345246801, ISNI 0000000121032683, ISBN-13 9780306406157, DOI 10.1000/182 with ASCII letters upper-cased)");

export const DeclarationSchema = z
  .strictObject({
    type: z.literal("OptOutDeclaration"),
    version: z.literal(1),
    iscc: z.string().min(1).max(512).optional().describe("An ISCC-CODE or a single ISCC unit"),
    datahash: z
      .string()
      .regex(/^1e20[0-9a-f]{64}$/, "must be a BLAKE3 multihash: 1e20 followed by 64 lower-case hex digits")
      .optional(),
    urls: z.array(z.string().min(1).max(2048)).min(1).max(100).optional(),
    identifiers: IdentifiersSchema.optional(),
    vocabulary: z
      .union([z.literal(1), z.literal(2)])
      .optional()
      .describe("The preference vocabulary the keys are in: 2 is current; absent means 1 (draft-ietf-aipref-vocab-02)"),
    preferences: PreferencesSchema.optional(),
    intent: z.enum(["activate", "update", "revoke"]),
    supersedes: z.string().min(1).max(64).optional().describe("ISCC-ID of the declaration this one updates or revokes"),
    on_behalf_of: z
      .string()
      .max(256)
      .regex(PARTY, "must be an Ed25519 multikey (z6Mk…) or a did:web")
      .optional()
      .describe("The member an agent declares for, as the member's mandate names it (README, Mandates)"),
    policy: z.url({ protocol: /^https?$/ }).max(2048).optional(),
    name: z.string().min(1).max(512).optional(),
    timestamp: z.iso.datetime({ precision: 3 }).describe("RFC 3339 UTC with milliseconds, e.g. 2026-11-22T10:00:00.000Z"),
    nonce: z.string().regex(/^[0-9a-f]{32}$/, "must be 32 lower-case hex digits"),
    signature: SignatureSchema,
  })
  .meta({ id: "Declaration" });

export type Declaration = z.infer<typeof DeclarationSchema>;
export type PreferenceMap = z.infer<typeof PreferencesSchema>;
