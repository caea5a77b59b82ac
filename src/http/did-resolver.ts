import { didDocumentHasKey, didWebDocumentUrl, didWebHost } from "../domain/did-web";

const TTL_MS = 5 * 60 * 1000;
const TIMEOUT_MS = 3000;
const cache = new Map<string, { at: number; doc: unknown }>();

/**
 * Resolves a did:web controller and returns its host when `pubkey` is one of its verification
 * methods, else null (unreachable, not did:web, or key not listed: the declaration then counts as
 * self-asserted, it is not refused). Documents are cached per isolate for a few minutes.
 */
export async function verifiedControllerHost(controller: string | undefined, pubkey: string): Promise<string | null> {
  if (!controller) return null;
  const url = didWebDocumentUrl(controller);
  if (!url) return null;
  const doc = await fetchDocument(url);
  return didDocumentHasKey(doc, controller, pubkey) ? didWebHost(controller) : null;
}

async function fetchDocument(url: URL): Promise<unknown> {
  const hit = cache.get(url.href);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.doc;
  let doc: unknown = null;
  try {
    const res = await fetch(url, { headers: { accept: "application/did+json, application/json" }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (res.ok) doc = await res.json();
  } catch {
    doc = null;
  }
  cache.set(url.href, { at: Date.now(), doc });
  return doc;
}
