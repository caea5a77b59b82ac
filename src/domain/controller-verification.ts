/**
 * The signed verification result: what the origin registry found when it resolved a declaration's
 * controller, carried in the receipt it signs, so that every registry in a federation decides
 * authorization (who may update or revoke) and trust labels (domain-verified or self-asserted)
 * from the same signed bytes and never by resolving the DID again. Resolving again would let two
 * registries disagree whenever a DID document is briefly unreachable from one of them, and a
 * declaration's standing would depend on where it is read.
 *
 * Receipt member (absent when the declaration names no controller):
 *
 *   "verification": { "controller": "did:web:example.com", "pubkey": "z6Mk…",
 *                     "verified": true, "domain": "example.com" }
 *
 * - `controller`, `pubkey`: the declaration's signature.controller and signature.pubkey, repeated so
 *   the claim cannot be moved to another declaration or key.
 * - `verified`: the controller's DID document listed `pubkey` when the origin registered it. It is
 *   a fact about registration time; a later change of the DID document does not change it.
 * - `domain`: the host whose URL subjects (the host and its subdomains) are domain-verified; null
 *   when not verified, or for a did:web with a path or port (see didWebDomain).
 *
 * A receipt without the member (every receipt signed before it existed) means: not verified. A
 * receiver refuses a receipt whose member contradicts the declaration it certifies, but does not
 * otherwise second-guess the origin: `domain` must be null or the DID's own host, nothing else.
 * Pure: no I/O.
 */
import type { Declaration } from "./declaration-schema";
import { didWebDomain, didWebHost } from "./did-web";
import { ValidationError } from "./field-error";

export interface ControllerVerification {
  controller: string;
  pubkey: string;
  verified: boolean;
  domain: string | null;
}

/** What the origin signs for `d`, given whether the DID document listed the key; null without a controller. */
export function verificationAtOrigin(d: Pick<Declaration, "signature">, documentListsKey: boolean): ControllerVerification | null {
  const controller = d.signature.controller;
  if (controller === undefined) return null;
  return { controller, pubkey: d.signature.pubkey, verified: documentListsKey, domain: documentListsKey ? didWebDomain(controller) : null };
}

/**
 * The verification a receipt's `verification` member (`member`, undefined when absent) states for
 * `d`. Throws ValidationError (pointers relative to the receipt) when it contradicts `d`.
 */
export function verificationFromReceipt(member: unknown, d: Pick<Declaration, "signature">): ControllerVerification | null {
  const controller = d.signature.controller;
  if (member === undefined) return controller === undefined ? null : { controller, pubkey: d.signature.pubkey, verified: false, domain: null };
  const fail = (pointer: string, detail: string): never => {
    throw new ValidationError([{ pointer: `/verification${pointer}`, detail }]);
  };
  if (typeof member !== "object" || member === null || Array.isArray(member)) return fail("", "must be an object");
  if (controller === undefined) return fail("", "the declaration names no controller");
  const v = member as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!["controller", "pubkey", "verified", "domain"].includes(k)) fail(`/${k.replaceAll("~", "~0").replaceAll("/", "~1")}`, "unknown field");
  if (v.controller !== controller) fail("/controller", `must be the declaration's controller ${JSON.stringify(controller)}`);
  if (v.pubkey !== d.signature.pubkey) fail("/pubkey", "must be the declaration's pubkey");
  if (typeof v.verified !== "boolean") fail("/verified", "must be true or false");
  const host = didWebHost(controller);
  if (v.domain !== null && (!v.verified || v.domain !== host))
    fail("/domain", v.verified ? `must be null or the controller's host ${JSON.stringify(host)}` : "must be null when the controller is not verified");
  return { controller, pubkey: d.signature.pubkey, verified: v.verified as boolean, domain: v.domain as string | null };
}
