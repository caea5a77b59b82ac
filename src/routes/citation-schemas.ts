import { z } from "zod";

/** Every label a citation may carry (README, "Mandates"). */
export const VerificationSchema = z
  .enum(["domain-verified", "self-asserted", "agent-mandated", "agent-asserted"])
  .describe("domain-verified: on the declarant's verified domain; agent-mandated: an agent within a standing mandate of the member; agent-asserted: a verified agent without one; self-asserted: the declarant's own word");

export const AgentCitationSchema = z
  .object({
    label: z.enum(["agent-mandated", "agent-asserted", "self-asserted"]),
    agent: z.string().describe("The agent: its verified did:web, else its key"),
    member: z.string().describe("The member it declares for (`on_behalf_of`)"),
    member_isni: z.string().nullable().describe("The member's ISNI as the covering mandate states it (signed by the member), or null"),
    mandate: z.string().nullable().describe("ISCC-ID of the mandate that covers it, or null"),
  })
  .nullable()
  .describe("Set for a declaration an agent made for a member; null for a declarant's own")
  .meta({ id: "AgentCitation" });

export const ConflictCitationSchema = z
  .object({
    id: z.string().describe("Deterministic: the same conflict has the same id on every registry"),
    kind: z.enum(["opposite-preferences", "unverified-claim", "domain-claim"]),
    claim: z.string().describe("ISCC-ID of the later (or the domain-claiming) declaration"),
    counterpart: z.string().describe("ISCC-ID of the earlier declaration (or the domain's first verified one)"),
  })
  .meta({ id: "ConflictCitation" });
