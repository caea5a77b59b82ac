import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { clientKey, ipv6Prefix64, RATE_LIMITS, rateLimitsOn } from "../../src/http/rate-limits";

/** [[ratelimits]] entries of wrangler.toml: name, namespace_id, limit, period. */
function wranglerRateLimits(): { name: string; namespace: string; limit: number; period: number }[] {
  const toml = readFileSync("wrangler.toml", "utf8");
  return toml
    .split("[[ratelimits]]")
    .slice(1)
    .map((block) => ({
      name: /name\s*=\s*"([^"]+)"/.exec(block)![1]!,
      namespace: /namespace_id\s*=\s*"(\d+)"/.exec(block)![1]!,
      limit: Number(/limit\s*=\s*(\d+)/.exec(block)![1]),
      period: Number(/period\s*=\s*(\d+)/.exec(block)![1]),
    }));
}

describe("the rate-limit table", () => {
  it("is what wrangler.toml configures, binding by binding", () => {
    const configured = wranglerRateLimits();
    expect(configured.map((r) => r.name).sort()).toEqual(Object.values(RATE_LIMITS).map((r) => r.binding).sort());
    for (const r of Object.values(RATE_LIMITS)) expect(configured.find((c) => c.name === r.binding)).toMatchObject({ limit: r.limit, period: r.period });
    expect(new Set(configured.map((r) => r.namespace)).size).toBe(configured.length);
    for (const r of configured) expect([10, 60]).toContain(r.period);
  });

  it("is what the README says", () => {
    const readme = readFileSync("README.md", "utf8");
    for (const [cls, r] of Object.entries(RATE_LIMITS)) expect(readme).toMatch(new RegExp(`\\| \`${cls}\` \\|[^\\n]*\\| ${r.limit.toLocaleString("en-US")} per ${r.period} s \\|`));
  });

  it("is on unless RATE_LIMITS says off", () => {
    expect(rateLimitsOn({} as Env)).toBe(true);
    expect(rateLimitsOn({ RATE_LIMITS: "on" } as Env)).toBe(true);
    expect(rateLimitsOn({ RATE_LIMITS: "off" } as Env)).toBe(false);
  });
});

describe("clientKey", () => {
  const h = (o: Record<string, string>) => new Headers(o);

  it("counts a listed API key (Bearer or Spawning's API scheme) on its own, wherever it comes from", async () => {
    const a = await clientKey(h({ authorization: "Bearer k1", "cf-connecting-ip": "192.0.2.1" }), "k0, k1");
    const b = await clientKey(h({ authorization: "API k1", "cf-connecting-ip": "192.0.2.2" }), "k0, k1");
    expect(a).toMatch(/^key:[0-9a-f]{32}$/);
    expect(b).toBe(a);
    expect(a).not.toContain("k1");
  });

  it("counts an unlisted key, or none, against the IP", async () => {
    expect(await clientKey(h({ authorization: "Bearer invented", "cf-connecting-ip": "192.0.2.1" }), "k0")).toBe("ip:192.0.2.1");
    expect(await clientKey(h({ authorization: "Bearer k0", "cf-connecting-ip": "192.0.2.1" }), undefined)).toBe("ip:192.0.2.1");
    expect(await clientKey(h({}), "k0")).toBe("ip:unknown");
  });

  it("counts an IPv6 address as its /64", async () => {
    expect(await clientKey(h({ "cf-connecting-ip": "2001:db8:aa:bb:1:2:3:4" }), undefined)).toBe("ip6:2001:db8:aa:bb");
    expect(await clientKey(h({ "cf-connecting-ip": "2001:DB8:aa:bb::9" }), undefined)).toBe("ip6:2001:db8:aa:bb");
    expect(ipv6Prefix64("2001:db8::1")).toBe("2001:db8:0:0");
    expect(ipv6Prefix64("::1")).toBe("0:0:0:0");
    expect(ipv6Prefix64("2001:0db8:0000:0001::")).toBe("2001:db8:0:1");
  });
});
