import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { verifyJson } from "../../src/domain/iscc-sig";
import { BASE, declaration, newKey, post } from "./helpers";

/**
 * iscc-crypto's identity-bound verification (verifying.py `verify_json(obj, identity_doc)` with the
 * document `resolve.py` fetches for the controller), step by step: did:web → URL, the document's
 * `id` must equal the DID, and a verification method whose `controller` is the signature's
 * controller (and whose id matches `keyid`, when the signature has one) must have
 * `publicKeyMultibase` equal to the signature's `pubkey`.
 */
function didWebUrl(did: string): string {
  const path = decodeURIComponent(did.slice("did:web:".length).replaceAll(":", "/"));
  return `https://${path}${path.includes("/") ? "" : "/.well-known"}/did.json`;
}

function identityVerified(signature: { controller?: string; pubkey?: string; keyid?: string }, doc: any): boolean {
  if (!signature.controller || !signature.pubkey) return false;
  for (const vm of doc.verificationMethod ?? []) {
    if (vm.controller !== signature.controller) continue;
    if (signature.keyid) {
      const fragment = vm.id.includes("#") ? vm.id.split("#").at(-1) : vm.id;
      if (signature.keyid !== fragment && signature.keyid !== vm.id) continue;
    }
    if (vm.publicKeyMultibase === signature.pubkey) return true;
  }
  return false;
}

describe("GET /.well-known/did.json", () => {
  it("is the document of the receipts' controller, and a receipt verifies against it by key lookup", async () => {
    const reg = await post("/v1/declarations", await declaration(newKey(), { urls: ["https://did-doc.example/a"] }));
    expect(reg.status).toBe(201);
    const receipt = reg.body.receipt;
    await verifyJson(receipt);
    const controller: string = receipt.signature.controller;
    // did:web writes the port of REGISTRY_NAME as %3A, and resolves to this path on that host.
    expect(controller).toBe(`did:web:${env.REGISTRY_NAME.replace(":", "%3A")}`);
    const url = new URL(didWebUrl(controller));
    expect(url.host).toBe(env.REGISTRY_NAME);
    expect(url.pathname).toBe("/.well-known/did.json");

    const res = await SELF.fetch(BASE + url.pathname);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/did+json");
    const doc = (await res.json()) as any;
    expect(doc.id).toBe(controller);
    expect(identityVerified(receipt.signature, doc)).toBe(true);
    expect(doc.assertionMethod).toContain(doc.verificationMethod[0].id);
    // The same lookup refuses another key and another controller.
    expect(identityVerified({ ...receipt.signature, pubkey: newKeyMultikey() }, doc)).toBe(false);
    expect(identityVerified({ ...receipt.signature, controller: "did:web:other.example" }, doc)).toBe(false);
  });
});

function newKeyMultikey(): string {
  return "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
}
