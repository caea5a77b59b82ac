import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeltaKeys } from "../../src/filter/declared-urls";
import { BinaryFuse16, fmix32 } from "../../src/filter/binary-fuse";
import { filterDomain, hashKeyPair, probeFilterKeys, probeUrl, probeUrlGeneral, ruleFilterKeys } from "../../src/filter/url-keys";
import { hostOfNormalized, matchKey, normalizeUrl } from "../../src/domain/url-normalize";
import { hostLookupKeys, matchesUrl, parseUrlPattern } from "../../src/domain/url-pattern";

function filterOf(keys: string[]): BinaryFuse16 {
  const a = new Uint32Array(keys.length);
  const b = new Uint32Array(keys.length);
  keys.forEach((k, i) => ([a[i], b[i]] = hashKeyPair(k)));
  return BinaryFuse16.build(a, b);
}

const has = (f: BinaryFuse16) => (a: number, b: number) => f.has(a, b);

/** The rule key the sequencer stores in url_rules.key (see prepareDeclaration). */
function ruleOf(pattern: string) {
  const p = parseUrlPattern(pattern);
  return { ...p, key: p.kind === "exact" ? matchKey(p.pattern) : p.kind === "prefix" ? matchKey(p.prefix!) : p.host };
}

describe("binary fuse filter", () => {
  it("never loses a key it was built from, at any size", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 0, maxLength: 40 }), { maxLength: 3000 }), (keys) => {
        const f = filterOf(keys);
        for (const k of keys) {
          const [a, b] = hashKeyPair(k);
          if (!f.has(a, b)) return false;
        }
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it("keeps 100,000 keys in about 18 bits each, with a false-positive rate near 2^-16", () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `key-${i}`);
    const f = filterOf(keys);
    expect((f.sizeInBytes * 8) / keys.length).toBeLessThan(20);
    let fp = 0;
    const trials = 1_000_000;
    for (let i = 0; i < trials; i++) {
      const [a, b] = hashKeyPair(`other-${i}`);
      if (f.has(a, b)) fp++;
    }
    // 2^-16 ≈ 15 in a million; a broken hash or layout shows up as a rate far from it.
    expect(fp).toBeGreaterThan(2);
    expect(fp).toBeLessThan(60);
  });

  it("takes duplicate keys and the empty set", () => {
    const f = filterOf(["a", "a", "b"]);
    expect(f.has(...hashKeyPair("a"))).toBe(true);
    expect(f.has(...hashKeyPair("b"))).toBe(true);
    const empty = filterOf([]);
    let hits = 0;
    for (let i = 0; i < 1000; i++) if (empty.has(...hashKeyPair(String(i)))) hits++;
    expect(hits).toBeLessThan(3);
  });

  it("hashes keys with the documented function (the snapshot format depends on it)", () => {
    expect(hashKeyPair("")).toEqual([fmix32(0x811c9dc5 ^ 0), fmix32(0x9747b28c ^ 0 ^ fmix32(0x811c9dc5))]);
    // non-ASCII keys hash as their UTF-8 bytes
    const [a] = hashKeyPair("é");
    expect(a).not.toBe(hashKeyPair("\u00e9x")[0]);
  });
});

describe("URL rule keys", () => {
  const host = fc.constantFrom("example.com", "a.example.com", "b.a.example.com", "xn--bcher-kva.example", "example.org:8080");
  const seg = fc.stringMatching(/^[a-z0-9._~%-]{0,12}$/).filter((s) => !/%(?![0-9A-F]{2})/.test(s));
  const path = fc.array(seg, { maxLength: 5 }).map((xs) => "/" + xs.join("/"));
  const query = fc.option(fc.stringMatching(/^[a-z0-9=&]{1,10}$/), { nil: undefined });

  it("a URL covered by a rule always probes one of the rule's keys (no false negative through the filter)", () => {
    fc.assert(
      fc.property(host, path, query, fc.nat(40), fc.constantFrom("exact", "prefix", "host"), fc.boolean(), (h, p, q, cut, kind, http) => {
        const url = normalizeUrl(`${http ? "http" : "https"}://${h}${p}${q ? "?" + q : ""}`);
        const key = matchKey(url);
        let pattern: string;
        if (kind === "exact") pattern = "https://" + key;
        else if (kind === "prefix") {
          const a = key.indexOf("/");
          const pathPart = key.slice(a).split("?")[0]!;
          pattern = "https://" + key.slice(0, a) + pathPart.slice(0, 1 + (cut % Math.max(1, pathPart.length))) + "*";
        } else {
          const bare = h.split(":")[0]!;
          const labels = bare.split(".");
          pattern = `https://*.${labels.slice(cut % (labels.length - 1)).join(".")}/*`;
        }
        let rule;
        try {
          rule = ruleOf(pattern);
        } catch {
          return true; // cut inside a percent-escape: not a pattern anyone can declare
        }
        if (!matchesUrl(rule, url)) return true; // the generator's pattern does not cover the URL; nothing to check
        const f = filterOf([...ruleFilterKeys(rule), "xunrelated.example/"]);
        return probeUrl(has(f), key, hostOfNormalized(url));
      }),
      { numRuns: 2000 },
    );
  });

  it("probeUrl probes exactly the keys probeFilterKeys lists", () => {
    const url = normalizeUrl("https://cdn.photos.example/art/2024/very-long-file-name.jpg?size=large");
    const keys = probeFilterKeys(matchKey(url), hostOfNormalized(url));
    expect(keys).toContain("xcdn.photos.example/art/2024/very-long-file-name.jpg?size=large");
    expect(keys).toContain("pcdn.photos.example/");
    expect(keys).toContain("pcdn.photos.example/art/2024/very-l");
    expect(keys).not.toContain("pcdn.photos.example/art/2024/very-lo");
    expect(keys).toContain("hphotos.example");
    expect(keys).toContain("acdn.photos.example");
    expect(keys).toContain("dphotos.example");
    for (const k of keys) {
      // the "d" and "a" gates alone cover nothing: they only open the other probes
      if (k.startsWith("a") || k.startsWith("d")) {
        expect(probeUrl(has(filterOf([k, "dphotos.example"])), matchKey(url), hostOfNormalized(url))).toBe(false);
        continue;
      }
      // every key is only probed behind the "d" gate, a "p" key also behind its "a" gate, as a rule always stores them
      const f = filterOf(k.startsWith("p") ? [k, "acdn.photos.example", "dphotos.example"] : [k, "dphotos.example"]);
      expect(probeUrl(has(f), matchKey(url), hostOfNormalized(url)), k).toBe(true);
      // without the "d" key nothing is probed past it
      expect(probeUrl(has(filterOf([k, "acdn.photos.example"])), matchKey(url), hostOfNormalized(url)), k).toBe(false);
    }
    const other = filterOf(["pcdn.photos.example/b", "acdn.photos.example", "xcdn.photos.example/art", "hother.example", "dphotos.example", "dother.example"]);
    expect(probeUrl(has(other), matchKey(url), hostOfNormalized(url))).toBe(false);
  });

  it("probes one key for a URL on a domain no rule names", () => {
    const f = filterOf(["dphotos.example", "acdn.photos.example", "pcdn.photos.example/art/"]);
    for (const u of ["https://www.other.example/art/2024/very-long-file-name.jpg?size=large", "https://other.example/", "http://a.b.c.other.example:8080/x"]) {
      const url = normalizeUrl(u);
      let probes = 0;
      expect(probeUrl((a, b) => (probes++, f.has(a, b)), matchKey(url), hostOfNormalized(url))).toBe(false);
      expect(probes, u).toBe(1);
    }
  });

  it("gives every host of a lookup's host keys the same domain key", () => {
    // Hosts as normalization leaves them: no trailing dot (empty labels inside are WHATWG's to allow).
    const label = fc.stringMatching(/^[a-z0-9-]{0,6}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 5 }).filter((ls) => ls[ls.length - 1] !== ""), (labels) => {
        const h = labels.join(".");
        for (const k of hostLookupKeys(h)) expect(filterDomain(k)).toBe(filterDomain(h));
      }),
      { numRuns: 2000 },
    );
    expect(filterDomain("a.b.example.com")).toBe("example.com");
    expect(filterDomain("example.com")).toBe("example.com");
    expect(filterDomain("localhost")).toBe("localhost");
    expect(filterDomain("192.0.2.1")).toBe("192.0.2.1");
    expect(filterDomain("[2001:db8::1]")).toBe("[2001:db8::1]");
  });

  it("cuts long prefixes to the probed length, and keeps short ones whole", () => {
    expect(ruleFilterKeys(ruleOf("https://example.com/a/*"))).toEqual(["dexample.com", "aexample.com", "pexample.com/a/"]);
    expect(ruleFilterKeys(ruleOf("https://www.example.com/collections/2024/summer/*"))).toEqual(["dexample.com", "awww.example.com", "pwww.example.com/collections/202"]);
    expect(ruleFilterKeys(ruleOf("http://shop.example.com:8080/x.jpg"))).toEqual(["dexample.com", "xshop.example.com:8080/x.jpg"]);
    expect(ruleFilterKeys(ruleOf("https://*.a.example.com/*"))).toEqual(["dexample.com", "ha.example.com"]);
    expect(ruleFilterKeys(ruleOf("https://192.0.2.1/a/*"))).toEqual(["d192.0.2.1", "a192.0.2.1", "p192.0.2.1/a/"]);
  });
});

describe("probeUrl (one-pass hashing)", () => {
  // Every key probeUrl hashes, recorded; the "d" and "a" keys answer true so that the others are probed too.
  function probedKeys(key: string, host: string, general = false): Set<string> {
    const gate = hashKeyPair("a" + key.slice(0, key.indexOf("/") === -1 ? key.length : key.indexOf("/"))).join(",");
    const domain = hashKeyPair("d" + filterDomain(host)).join(",");
    const seen = new Set<string>();
    (general ? probeUrlGeneral : probeUrl)((a, b) => {
      seen.add(`${a},${b}`);
      return `${a},${b}` === gate || `${a},${b}` === domain;
    }, key, host);
    return seen;
  }
  const label = fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,6}$/), fc.constantFrom("1", "255", "xn--bcher-kva", "é", "日本"));
  const host = fc.oneof(
    fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join(".")),
    fc.constantFrom("1.2.3.4", "[::1]", "localhost", "example.com.", ".com"),
  );
  const rest = fc.stringMatching(/^[a-zA-Z0-9/?=&.%é-]{0,30}$/);

  it("hashes exactly the keys of probeFilterKeys, as the general path does, on generated URLs", () => {
    fc.assert(
      fc.property(host, fc.constantFrom("", ":8080"), rest, (h, port, r) => {
        const key = `${h}${port}/${r}`;
        const expected = new Set(probeFilterKeys(key, h).map((k) => hashKeyPair(k).join(",")));
        expect(probedKeys(key, h)).toEqual(expected);
        expect(probedKeys(key, h, true)).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("keys added since the filter was built (DeltaKeys)", () => {
  it("answers every key added, and no other, with the bit gate in front of its map", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })), { minLength: 1, maxLength: 3000, selector: ([a, b]) => `${a},${b}` }), fc.array(fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })), { maxLength: 200 }), (added, others) => {
        const delta = new DeltaKeys();
        for (const [a, b] of added) delta.add(a, b);
        expect(delta.size).toBe(added.length);
        for (const [a, b] of added) expect(delta.has(a, b)).toBe(true);
        const set = new Set(added.map(([a, b]) => `${a},${b}`));
        for (const [a, b] of others) expect(delta.has(a, b)).toBe(set.has(`${a},${b}`));
        // the same a with another b, and the same low 16 bits of a with another a, are not keys
        const [a0, b0] = added[0]!;
        if (!set.has(`${a0},${(b0 + 1) >>> 0}`)) expect(delta.has(a0, (b0 + 1) >>> 0)).toBe(false);
        const a1 = (a0 + 0x10000) >>> 0;
        if (!set.has(`${a1},${b0}`)) expect(delta.has(a1, b0)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
