/**
 * FAKE did:web hosts for the workers tests (vitest.config.ts routes the Worker's outbound fetches
 * through test/fakes/outbound.ts). What each host does:
 * - rights.example, photos.example, mixed.example: a DID document listing the public key of the
 *   fixed test seed 0x42…42;
 * - <anything>.many.example: the same for did:web:<that host>, answered after 20 ms, counting how
 *   many such fetches are open at once (a resolver must not open one connection per document);
 * - redirect.example: 302 to a document for did:web:redirect.example on rights.example, listing
 *   that key (a resolver must not follow it);
 * - huge.example: a 200 with a 1 MB body (a resolver must stop reading long before);
 * - anything else: 404, i.e. unreachable.
 * GET https://did-hosts.test/__stats answers { maxOpen } and resets it.
 */
export const SEED_42_PUBKEY = "z6MkghLt1e8m1fmANsdJJco3aCLV8Xnigr5UWwC3u5iZFPd3";

function didDocument(did: string, pubkey: string) {
  return {
    "@context": ["https://www.w3.org/ns/did/v1"],
    id: did,
    verificationMethod: [{ id: `${did}#key-1`, type: "Multikey", controller: did, publicKeyMultibase: pubkey }],
  };
}

const OWNED_BY_SEED_42 = ["rights.example", "photos.example", "mixed.example"];

let open = 0;
let maxOpen = 0;

/**
 * A body of `bytes` bytes. Finite: miniflare buffers what its outbound service answers, so a
 * body that never ended would exhaust the test process, not the Worker.
 */
export function oversizeBody(bytes: number): Uint8Array {
  return new Uint8Array(bytes).fill(0x5b); // "["
}

export async function fakeDidHost(request: Request): Promise<Response | null> {
  const url = new URL(request.url);
  if (url.host === "did-hosts.test" && url.pathname === "/__stats") {
    const stats = { maxOpen };
    maxOpen = 0;
    return Response.json(stats);
  }
  if (url.host === "rights.example" && url.pathname === "/redirected/did.json") return Response.json(didDocument("did:web:redirect.example", SEED_42_PUBKEY));
  if (url.pathname !== "/.well-known/did.json") return null;
  if (OWNED_BY_SEED_42.includes(url.host)) return Response.json(didDocument(`did:web:${url.host}`, SEED_42_PUBKEY));
  if (url.host.endsWith(".many.example")) {
    open++;
    maxOpen = Math.max(maxOpen, open);
    await new Promise((r) => setTimeout(r, 20));
    open--;
    return Response.json(didDocument(`did:web:${url.host}`, SEED_42_PUBKEY));
  }
  if (url.host === "redirect.example") return new Response(null, { status: 302, headers: { location: "https://rights.example/redirected/did.json" } });
  if (url.host === "huge.example") return new Response(oversizeBody(1_000_000), { headers: { "content-type": "application/json" } });
  return null;
}
