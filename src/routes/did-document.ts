import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { paramProblems, type App } from "../http/route";
import { registryIdentity } from "../registry-identity";

const VerificationMethodSchema = z.object({
  id: z.string(),
  type: z.literal("Multikey"),
  controller: z.string(),
  publicKeyMultibase: z.string().describe("The registry key (z6Mk…), the `pubkey` of its receipts"),
});

const DidDocumentSchema = z
  .object({
    "@context": z.array(z.string()),
    id: z.string().describe("did:web:<REGISTRY_NAME>, a port written %3A"),
    verificationMethod: z.array(VerificationMethodSchema),
    assertionMethod: z.array(z.string()),
    authentication: z.array(z.string()),
  })
  .meta({ id: "DidDocument" });

const route = createRoute({
  method: "get",
  path: "/.well-known/did.json",
  summary: "The registry's DID document (did:web): its key as a Multikey verification method, so receipts verify against their controller",
  request: { query: z.strictObject({}) },
  responses: { 200: { description: "The DID document", content: { "application/did+json": { schema: DidDocumentSchema } } }, ...paramProblems },
});

/**
 * Receipts are signed with `controller: did:web:<REGISTRY_NAME>`; this is the document that DID
 * resolves to (did:web: https://<REGISTRY_NAME>/.well-known/did.json). An identity-bound verifier
 * (iscc-crypto's verify_json with an identity document) checks that the document's `id` is the
 * controller and that a verification method with that `controller` has `publicKeyMultibase` equal
 * to the receipt's `pubkey`. The method's id fragment is the key itself, so a new key is a new id.
 */
export function didDocument(app: App) {
  app.openapi(route, async (c) => {
    const me = await registryIdentity(c.env);
    const method = `${me.controller}#${me.publicKeyMultikey}`;
    const doc = {
      "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
      id: me.controller,
      verificationMethod: [{ id: method, type: "Multikey" as const, controller: me.controller, publicKeyMultibase: me.publicKeyMultikey }],
      assertionMethod: [method],
      authentication: [method],
    };
    return c.json(doc, 200, { "Content-Type": "application/did+json", "cache-control": "public, max-age=300" });
  });
}
