import { classifyHost } from "./public-host";

/**
 * did:web (https://w3c-ccg.github.io/did-method-web/): `did:web:example.com` resolves to
 * https://example.com/.well-known/did.json, `did:web:example.com:users:alice` to
 * https://example.com/users/alice/did.json; a port is written `%3A`. Null when `did` is not a
 * well-formed did:web (a bad percent-escape included). Says nothing about whether the host may
 * be fetched: see didWebFetchUrl.
 */
export function didWebDocumentUrl(did: string): URL | null {
  const m = /^did:web:([^:]+)((?::[^:]+)*)$/.exec(did);
  if (!m || !m[1]) return null;
  try {
    const host = decodeURIComponent(m[1]);
    if (!/^[a-z0-9.-]+(:\d+)?$/i.test(host)) return null;
    const path = m[2] ? m[2].slice(1).split(":").map(decodeURIComponent).join("/") + "/did.json" : ".well-known/did.json";
    return new URL(`https://${host}/${path}`);
  } catch {
    return null;
  }
}

/**
 * The URL this registry may fetch to resolve `did`, or null: only public hosts (see
 * public-host.ts), so a declarant cannot make the registry fetch loopback, private or link-local
 * addresses by naming them as its controller. `allowLoopback` is for local development and tests
 * only (DID_WEB_ALLOW_LOOPBACK): loopback hosts are then fetched too, over plain http, since a
 * development server has no certificate.
 */
export function didWebFetchUrl(did: string, opts: { allowLoopback?: boolean } = {}): URL | null {
  const url = didWebDocumentUrl(did);
  if (!url) return null;
  const cls = classifyHost(url.hostname);
  if (cls === "public") return url;
  if (cls === "loopback" && opts.allowLoopback) {
    url.protocol = "http:";
    return url;
  }
  return null;
}

/** The DNS host a did:web controller is served from (no port, no path), or null for other DID methods. */
export function didWebHost(did: string): string | null {
  const url = didWebDocumentUrl(did);
  return url ? url.hostname : null;
}

/**
 * The domain whose URL subjects a verified controller speaks for: the host of a did:web that is
 * the host alone (`did:web:example.com`). A DID with a path (`did:web:example.com:users:alice`)
 * or a port is served by whoever may publish under that path or port, which does not make them
 * the domain's owner: verified as a controller (it may update and revoke its declarations), but
 * its URL subjects stay self-asserted.
 */
export function didWebDomain(did: string): string | null {
  if (!/^did:web:[^:]+$/.test(did)) return null;
  const url = didWebDocumentUrl(did);
  return url && url.port === "" ? url.hostname : null;
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
