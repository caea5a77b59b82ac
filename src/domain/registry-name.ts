/**
 * Registry names (`REGISTRY_NAME`, a peer's `name`, a receipt's `registry`) are hosts with an
 * optional port, and they decide trust: which key must have signed a receipt, whether a peer is
 * this registry itself. Comparing them as strings lets `LOCALHOST:8787`, `localhost.:8787` or
 * `xn--bcher-kva.example` and `bücher.example` pass for different registries, so every comparison
 * goes through one normal form: WHATWG host parsing (lower case, IDNA to punycode, IPv4 in any
 * notation to dotted decimal, IPv6 compressed in brackets), one trailing dot dropped (the same DNS
 * name), and the default ports 80 and 443 dropped (a name carries no scheme, and a registry is
 * reached over http or https).
 */

/** The normal form of a registry name (`host` or `host:port`), or null when it is not one. */
export function normalizeRegistryName(name: string): string | null {
  // Anything beyond host[:port] would be parsed as path, query, fragment or credentials.
  if (name === "" || /[/?#@\\\s%]/.test(name)) return null;
  let url: URL;
  try {
    url = new URL(`http://${name}`);
  } catch {
    return null;
  }
  return hostPort(url);
}

/** The registry name a base URL addresses (`https://LOCALHOST:8787/` → `localhost:8787`), or null. */
export function registryNameOfUrl(base: string): string | null {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  return hostPort(url);
}

/** Whether two names denote the same registry (false when either is not a registry name). */
export function sameRegistryName(a: string, b: string): boolean {
  const na = normalizeRegistryName(a);
  return na !== null && na === normalizeRegistryName(b);
}

function hostPort(url: URL): string | null {
  let host = url.hostname;
  if (host.endsWith(".") && !host.startsWith("[")) host = host.slice(0, -1);
  if (host === "" || host.endsWith(".")) return null;
  const port = url.port === "" || url.port === "80" || url.port === "443" ? "" : url.port;
  return port ? `${host}:${port}` : host;
}
