/**
 * did:web (https://w3c-ccg.github.io/did-method-web/): `did:web:example.com` resolves to
 * https://example.com/.well-known/did.json, `did:web:example.com:users:alice` to
 * https://example.com/users/alice/did.json; a port is written `%3A`.
 */
export function didWebDocumentUrl(did: string): URL | null {
  const m = /^did:web:([^:]+)((?::[^:]+)*)$/.exec(did);
  if (!m || !m[1]) return null;
  const host = decodeURIComponent(m[1]);
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(host)) return null;
  const path = m[2] ? m[2].slice(1).split(":").map(decodeURIComponent).join("/") + "/did.json" : ".well-known/did.json";
  try {
    return new URL(`https://${host}/${path}`);
  } catch {
    return null;
  }
}

/** The DNS host a did:web controller speaks for (no port), or null for other DID methods. */
export function didWebHost(did: string): string | null {
  const url = didWebDocumentUrl(did);
  return url ? url.hostname : null;
}

/**
 * True when the DID document lists `multikey` as a verification method of `did`, either as
 * `publicKeyMultibase` (Multikey) or inside an embedded method. Key references by id alone
 * cannot be checked without the key, so they do not count.
 */
export function didDocumentHasKey(doc: unknown, did: string, multikey: string): boolean {
  if (!doc || typeof doc !== "object") return false;
  const d = doc as { id?: unknown; verificationMethod?: unknown };
  if (d.id !== did || !Array.isArray(d.verificationMethod)) return false;
  return d.verificationMethod.some(
    (vm) => vm && typeof vm === "object" && (vm as { publicKeyMultibase?: unknown }).publicKeyMultibase === multikey,
  );
}

/** Whether a URL host is the controller's host or one of its subdomains. */
export function hostIsWithin(host: string, domain: string): boolean {
  return host === domain || host.endsWith("." + domain);
}
