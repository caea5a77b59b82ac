/**
 * Whether a host may be fetched on a stranger's say-so. A did:web controller is chosen by whoever
 * signs a declaration, and resolving it makes this registry fetch a URL on that host: a host that
 * names loopback, a private network, link-local addresses (cloud metadata services live at
 * 169.254.169.254) or an intranet name would turn the registry into a proxy into its own network.
 *
 * The host is first parsed as WHATWG URL parsing does for http(s), so every spelling of an address
 * is classified as the address it is: `2130706433`, `0x7f.1` and `0177.0.0.1` are 127.0.0.1,
 * `[::ffff:127.0.0.1]` is IPv4-mapped loopback. Names are classified by what they can reach without
 * public DNS (`localhost` and `*.localhost`, mDNS `.local`, `.internal`, `.home.arpa`, single-label
 * intranet names). What a public name resolves to cannot be seen from a Worker (no DNS API); on
 * Cloudflare, outbound fetches do not reach private networks anyway, so this check is what stands
 * between a signed declaration and the registry's own network when it runs elsewhere (locally, or
 * behind a tunnel). Pure: no I/O.
 */

export type HostClass =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "unspecified"
  | "reserved"
  | "local-name"
  | "invalid";

/** What kind of host `host` is (a hostname or IP literal, without port). */
export function classifyHost(host: string): HostClass {
  // A bare IPv6 address (no brackets) is accepted too; a port or anything else is not a host.
  const literal = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  let hostname: string;
  try {
    if (literal === "" || /[/?#@\\\s]/.test(literal) || /:/.test(literal.replace(/^\[[^\]]*\]$/, ""))) return "invalid";
    hostname = new URL(`http://${literal}/`).hostname;
  } catch {
    return "invalid";
  }
  if (hostname.startsWith("[")) {
    const groups = parseIpv6(hostname.slice(1, -1));
    return groups ? classifyIpv6(groups) : "invalid";
  }
  const v4 = parseDottedIpv4(hostname);
  if (v4 !== null) return classifyIpv4(v4);
  return classifyName(hostname.endsWith(".") ? hostname.slice(0, -1) : hostname);
}

/** True only for hosts that may be fetched: not loopback, private, link-local, reserved or local names. */
export function isPublicHost(host: string): boolean {
  return classifyHost(host) === "public";
}

/** Loopback hosts (127.0.0.0/8, ::1 and mapped forms, localhost, *.localhost). */
export function isLoopbackHost(host: string): boolean {
  return classifyHost(host) === "loopback";
}

const LOCAL_SUFFIXES = [".local", ".internal", ".home.arpa", ".localdomain", ".lan", ".intranet", ".arpa"];

function classifyName(name: string): HostClass {
  if (name.split(".").some((label) => label === "")) return "invalid";
  if (name === "localhost" || name.endsWith(".localhost")) return "loopback";
  if (!name.includes(".")) return "local-name";
  if (LOCAL_SUFFIXES.some((s) => name.endsWith(s))) return "local-name";
  return "public";
}

/** WHATWG's serialized IPv4 (four decimal octets) as a 32-bit number, else null. */
function parseDottedIpv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

/** [first address, prefix length, class] of the IPv4 special-purpose ranges (RFC 6890 and the IANA registry). */
const IPV4_RANGES: [number, number, HostClass][] = [
  [0x00000000, 8, "unspecified"], // 0.0.0.0/8 "this network"
  [0x0a000000, 8, "private"], // 10.0.0.0/8
  [0x64400000, 10, "private"], // 100.64.0.0/10 shared address space (carrier-grade NAT)
  [0x7f000000, 8, "loopback"], // 127.0.0.0/8
  [0xa9fe0000, 16, "link-local"], // 169.254.0.0/16 (cloud metadata services)
  [0xac100000, 12, "private"], // 172.16.0.0/12
  [0xc0000000, 24, "reserved"], // 192.0.0.0/24 IETF protocol assignments
  [0xc0000200, 24, "reserved"], // 192.0.2.0/24 documentation
  [0xc0586300, 24, "reserved"], // 192.88.99.0/24 6to4 relay anycast
  [0xc0a80000, 16, "private"], // 192.168.0.0/16
  [0xc6120000, 15, "reserved"], // 198.18.0.0/15 benchmarking
  [0xc6336400, 24, "reserved"], // 198.51.100.0/24 documentation
  [0xcb007100, 24, "reserved"], // 203.0.113.0/24 documentation
  [0xe0000000, 4, "reserved"], // 224.0.0.0/4 multicast
  [0xf0000000, 4, "reserved"], // 240.0.0.0/4 reserved, and 255.255.255.255
];

function classifyIpv4(a: number): HostClass {
  for (const [base, bits, cls] of IPV4_RANGES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((a & mask) >>> 0 === base) return cls;
  }
  return "public";
}

/** Eight 16-bit groups of an IPv6 address in hex notation (as WHATWG serializes it), else null. */
function parseIpv6(s: string): number[] | null {
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const part = (h: string) => (h === "" ? [] : h.split(":"));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

function classifyIpv6(g: number[]): HostClass {
  const v4At = (i: number) => ((g[i]! << 16) | g[i + 1]!) >>> 0;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return "unspecified";
  if (zeros(0, 7) && g[7] === 1) return "loopback";
  // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d reach the embedded IPv4 address.
  if (zeros(0, 5) && g[5] === 0xffff) return classifyIpv4(v4At(6));
  if (zeros(0, 6)) return classifyIpv4(v4At(6));
  // NAT64 64:ff9b::/96 translates to the embedded address; 64:ff9b:1::/48 is for local use.
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return classifyIpv4(v4At(6));
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return "private";
  // 6to4 2002:a.b.c.d::/48 reaches the embedded address.
  if (g[0] === 0x2002) return classifyIpv4(v4At(1));
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return "private"; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return "link-local"; // fe80::/10
  if ((first & 0xffc0) === 0xfec0) return "private"; // fec0::/10 site-local (deprecated)
  if ((first & 0xff00) === 0xff00) return "reserved"; // ff00::/8 multicast
  if (first === 0x2001 && g[1] === 0x0db8) return "reserved"; // 2001:db8::/32 documentation
  if (first === 0x2001 && g[1]! < 0x0200) return "reserved"; // 2001::/23 IETF protocol assignments (Teredo, ORCHID…)
  if (first === 0x0100 && zeros(1, 4)) return "reserved"; // 100::/64 discard
  if (first < 0x2000 || first >= 0x4000) return "reserved"; // outside 2000::/3, the global unicast space
  return "public";
}
