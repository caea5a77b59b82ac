import { z } from "zod";
import { IdentifiersSchema, SignatureSchema } from "./declaration-schema";
import { PARTY } from "./party";

/**
 * The wire shape of a signed mandate: a member (a key, optionally under a verified did:web
 * controller) authorizes an agent (a collecting society, an agency) to declare for it, within a
 * scope and a validity period. Strict objects, as for declarations: the signature covers every
 * byte, so an unknown field is an error. Semantic rules live in mandate.ts.
 */
export { PARTY } from "./party";
const party = (what: string) => z.string().max(256).regex(PARTY, `${what} must be an Ed25519 multikey (z6Mk…) or a did:web`);

export const MandateScopeSchema = z
  .strictObject({
    all: z.literal(true).optional().describe("Every work of the member"),
    urls: z.array(z.string().min(1).max(2048)).min(1).max(100).optional().describe("URL patterns, as in declarations"),
    iscc: z.array(z.string().min(1).max(512)).min(1).max(100).optional().describe("ISCC-CODEs or units: the member's works"),
    identifiers: IdentifiersSchema.optional().describe("Work identifiers of the member's works, by kind and canonical, as declarations write them"),
  })
  .describe("What the agent may declare: `all`, or any of `urls`, `iscc` and `identifiers`");

export const MandateSchema = z
  .strictObject({
    type: z.literal("OptOutMandate"),
    version: z.literal(1),
    intent: z.enum(["activate", "revoke"]).describe("`activate` grants the mandate; `revoke` (by the member or the agent) ends `supersedes`"),
    supersedes: z.string().min(1).max(64).optional().describe("revoke only: the ISCC-ID of the mandate it ends"),
    member: party("member").optional().describe("activate: who grants it: the signing key, or its did:web controller"),
    member_isni: z
      .string()
      .max(64)
      .optional()
      .describe("activate: the member's ISNI (ISO 27729), as the member states it: 16 characters, canonical (`0000000121032683`), check digit verified; answers citing the mandate show it"),
    agent: party("agent").optional().describe("activate: who may declare for the member: a key, or a did:web (any key its DID document lists)"),
    scope: MandateScopeSchema.optional(),
    valid_from: z.iso.datetime({ precision: 3 }).optional().describe("activate: start of validity (default: `timestamp`)"),
    valid_until: z.iso.datetime({ precision: 3 }).optional().describe("activate: end of validity (exclusive)"),
    name: z.string().min(1).max(512).optional(),
    timestamp: z.iso.datetime({ precision: 3 }),
    nonce: z.string().regex(/^[0-9a-f]{32}$/, "must be 32 lower-case hex digits"),
    signature: SignatureSchema,
  })
  .meta({ id: "Mandate" });

export type Mandate = z.infer<typeof MandateSchema>;
export type MandateScopeInput = z.infer<typeof MandateScopeSchema>;
