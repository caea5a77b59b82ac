import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isNormalForm, normalizeCommon, normalizeUrl, normalizeUrlFull } from "../../src/domain/url-normalize";
import { lookupUrls } from "../../bench/lib/corpus";

/** What a normalizer gives for an input: its output, or the message it throws. */
function outcome(f: (u: string) => string, u: string): string {
  try {
    return "ok " + f(u);
  } catch (e) {
    return "error " + (e as Error).message;
  }
}

// Pieces chosen to sit on every edge of the fast path: case, IDNA, IPv4-looking hosts, ports,
// userinfo, dot segments (raw and escaped), escapes of unreserved and reserved characters in
// either case, characters WHATWG percent-encodes or rewrites, empty queries, fragments.
const scheme = fc.constantFrom("https://", "http://", "HTTPS://", "Http://", "hTtPs://", "httpS://", "ftp://", "https:/", "https:", "https:///", "https:\\\\", "httpss://", "http:s//", " https://", "");
const label = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{0,8}$/),
  fc.constantFrom("xn--bcher-kva", "XN--bcher-kva", "Xn--zz", "xn--zz", "xn--", "Example", "EXAMPLE", "bücher", "BÜCHER", "faß", "ｅｘａｍｐｌｅ", "a。b", "Ⅻ", "a\u200db", "٣", "xn--ls8h", "ÀÉ", "ü-", "\u00ad", "ǅ", "0x7f", "1", "08", "255", "a_b", "a%41", "[::1]", "-", "com", "COM", ""),
);
const host = fc.tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom("", ".", "..")).map(([ls, end]) => ls.join(".") + end);
const authority = fc
  .tuple(fc.constantFrom("", "", "", "user@", "u:p@", ":@"), host, fc.constantFrom("", "", "", ":", ":80", ":443", ":8080", ":0443", ":x", ":65535", ":65536", ":000080", ":99999", ":123456", ":8a"))
  .map(([u, h, p]) => u + h + p);
const pathPiece = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._~!$&()*+,;=:@-]{0,6}$/),
  fc.constantFrom(
    "/", "/", "/", ".", "..", "/./", "/../", "/.", "/..", "/.x", "/..x", "%2e", "%2E", "%2e%2e", ".%2e", "%41", "%4a", "%4A", "%7E", "%7e",
    "%2F", "%2f", "%20", "%3A", "%3a", "%C3%A4", "%c3%a4", "%", "%4", "%zz", "%G0", "\\", " ", "\t", "\n", "'", '"', "<", ">", "`",
    "{", "}", "|", "^", "[", "]", "ä", "日本", "\u0000", "\u007f", "\u00a0", "\ud800", "\udc00", "😀", "\u0085", "\ufeff", "?", "??", "#", "#x", "&", "=", "*",
    "%2E", "/%2e%2e/", "/%2E.", "/.%2e", "%7E", "%5f", "%2d", "%30", "%ff", "%Ff", "%e2%82%ac",
  ),
);
const path = fc.array(pathPiece, { maxLength: 10 }).map((ps) => ps.join(""));
const noisy = fc.tuple(scheme, authority, path).map(([s, a, p]) => s + a + p);
// Mostly in normal form, with at most a few edge pieces: the fast path's accept side and its borders.
const safePiece = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9._~!$&()*+,;=:@-]{1,6}$/), weight: 6 },
  { arbitrary: fc.constantFrom("/", "%20", "%2F", "%C3%A4", "?", "=", "&"), weight: 4 },
  { arbitrary: pathPiece, weight: 1 },
);
const nearClean = fc
  .tuple(
    fc.constantFrom("https://", "http://"),
    fc.array(fc.oneof({ arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/), weight: 8 }, { arbitrary: label, weight: 1 }), { minLength: 1, maxLength: 3 }),
    fc.array(safePiece, { maxLength: 8 }),
  )
  .map(([s, ls, ps]) => s + ls.join(".") + "/" + ps.join(""));
// Crawl-shaped: the case, ports, escapes, non-ASCII text and fragments normalizeCommon rewrites itself.
const crawlPiece = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9._~!$&()*+,;=:@-]{1,6}$/), weight: 6 },
  { arbitrary: fc.constantFrom("/", "/", "%7e", "%7E", "%2f", "%c3%a9", "%41", "%2e", "é", "ü", "日本", "😀", "?", "=", "&", "#f", "#"), weight: 4 },
  { arbitrary: pathPiece, weight: 1 },
);
const crawl = fc
  .tuple(
    fc.constantFrom("https://", "http://", "HTTPS://", "Http://"),
    fc.array(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,7}$/), { minLength: 1, maxLength: 3 }),
    fc.constantFrom("", "", ":443", ":80", ":8443", ":0", ":00443"),
    fc.array(crawlPiece, { maxLength: 8 }),
  )
  .map(([s, ls, p, ps]) => s + ls.join(".") + p + (ps.length && ps[0]!.startsWith("/") ? "" : "/") + ps.join(""));
const generated = fc.oneof(noisy, nearClean, crawl);

describe("normalizeCommon (the crawl forms, without WHATWG parsing)", () => {
  it("gives exactly what the full WHATWG normalizer gives wherever it answers, on generated URLs", () => {
    let handled = 0;
    let rewritten = 0;
    fc.assert(
      fc.property(generated, (u) => {
        const fast = normalizeCommon(u);
        if (fast === null) return;
        handled++;
        if (fast !== u) rewritten++;
        expect(["ok " + fast, u]).toEqual([outcome(normalizeUrlFull, u), u]);
      }),
      { numRuns: 30_000 },
    );
    // Both sides of every rule must be reached, or the property proves little.
    expect(handled).toBeGreaterThan(5000);
    expect(rewritten).toBeGreaterThan(2000);
  });

  it("handles the benchmark's crawl corpus (IDN hosts included) exactly as WHATWG does", () => {
    const { urls } = lookupUrls(20_000, 0xc0ffee);
    let handled = 0;
    for (const u of urls) {
      const fast = normalizeCommon(u);
      if (fast !== null) handled++;
      expect(outcome(normalizeUrl, u)).toBe(outcome(normalizeUrlFull, u));
      if (fast !== null) expect(fast).toBe(normalizeUrlFull(u));
    }
    expect(handled / urls.length).toBeGreaterThan(0.99);
  });

  it("rewrites the common non-normal forms and leaves the rare ones to WHATWG", () => {
    const cases: [string, string | null][] = [
      ["HTTPS://WWW.Example.COM/A%7eb", "https://www.example.com/A~b"],
      ["https://example.com:443/x", "https://example.com/x"],
      ["http://example.com:80", "http://example.com/"],
      ["https://example.com:00443/", "https://example.com/"],
      ["https://example.com:080/", "https://example.com:80/"],
      ["https://example.com/p?q#frag", "https://example.com/p?q"],
      ["https://example.com/p?#frag", "https://example.com/p"],
      ["https://example.com?", "https://example.com/"],
      ["https://example.com/caf%c3%a9/na%C3%AFve%20", "https://example.com/caf%C3%A9/na%C3%AFve%20"],
      ["https://example.com/fötó-1?q=日本", "https://example.com/f%C3%B6t%C3%B3-1?q=%E6%97%A5%E6%9C%AC"],
      ["https://example.com/%F0%9F%98%80/😀", "https://example.com/%F0%9F%98%80/%F0%9F%98%80"],
      ["https://example.com/a%2eb", "https://example.com/a.b"],
      ["https://example.com/a/%2e/b", null],
      ["https://example.com/a/%2E%2e", null],
      ["https://example.com/a/..?x", null],
      ["https://Bücher.example/x", "https://xn--bcher-kva.example/x"],
      ["https://XN--BCHER-KVA.example:443/x", "https://xn--bcher-kva.example/x"],
      ["https://xn--zz.example/", null],
      ["https://bücher.example./", null],
      ["https://1.2.3.4/", null],
      ["https://example.com./", null],
      ["https://1.2.3.4/", null],
      ["https://example.com:65536/", null],
      ["https://example.com:/", null],
      ["https://u@example.com/", null],
      ["https://example.com/a b", null],
      ["https://example.com/a\\b", null],
      ["https://example.com/%zz", null],
      ["https://example.com/\ud800", null],
      ["https://example.com/it's", null],
    ];
    for (const [u, want] of cases) {
      expect([u, normalizeCommon(u)]).toEqual([u, want]);
      expect(outcome(normalizeUrl, u)).toBe(outcome(normalizeUrlFull, u));
    }
  });
});

describe("normalizeUrl fast path (URLs already in normal form)", () => {
  it("gives exactly what the full WHATWG normalizer gives, output or error, on generated URLs", () => {
    let accepted = 0;
    fc.assert(
      fc.property(generated, (u) => {
        expect(outcome(normalizeUrl, u)).toBe(outcome(normalizeUrlFull, u));
        if (isNormalForm(u)) {
          accepted++;
          expect(normalizeUrlFull(u)).toBe(u);
        }
      }),
      { numRuns: 20_000 },
    );
    // The generator must reach both sides of the fast path, or the property proves little.
    expect(accepted).toBeGreaterThan(500);
  });

  it("agrees with the full normalizer on its own outputs (which the fast path mostly accepts)", () => {
    let accepted = 0;
    fc.assert(
      fc.property(generated, (u) => {
        const full = outcome(normalizeUrlFull, u);
        if (!full.startsWith("ok ")) return;
        const n = full.slice(3);
        if (isNormalForm(n)) accepted++;
        expect(outcome(normalizeUrl, n)).toBe(outcome(normalizeUrlFull, n));
      }),
      { numRuns: 20_000 },
    );
    expect(accepted).toBeGreaterThan(1000);
  });

  it("accepts only its own normal form: whatever it accepts, the full normalizer leaves unchanged", () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (u) => {
        if (isNormalForm(u)) expect(normalizeUrlFull(u)).toBe(u);
        expect(outcome(normalizeUrl, u)).toBe(outcome(normalizeUrlFull, u));
      }),
      { numRuns: 20_000 },
    );
  });

  it("recognises the common normalized URLs (so that it pays), and rejects near misses", () => {
    for (const u of [
      "https://example.com/",
      "http://www.site12.example/c3/img5.jpg",
      "https://a.b-c.example/p/1?q=x&y=%2F%20z",
      "https://example.com/a:b@c;d=e,f*(g)!$+~/",
      "https://localhost/x",
      "https://example.com:8443/",
    ])
      expect([u, isNormalForm(u)]).toEqual([u, true]);
    for (const u of [
      "https://Example.com/",
      "https://example.com",
      "https://example.com:443/",
      "https://example.com./",
      "https://1.2.3.4/",
      "https://example.com/a/./b",
      "https://example.com/a/..",
      "https://example.com/%7e",
      "https://example.com/%2e/",
      "https://example.com/%3a",
      "https://example.com/a?",
      "https://example.com/a#f",
      "https://example.com/a b",
      "https://example.com/ä",
      "https://u@example.com/",
    ])
      expect([u, isNormalForm(u)]).toEqual([u, false]);
  });
});
