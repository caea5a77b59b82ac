import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isNormalForm, normalizeUrl, normalizeUrlFull } from "../../src/domain/url-normalize";

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
const scheme = fc.constantFrom("https://", "http://", "HTTPS://", "Http://", "ftp://", "https:/", "https:", "https:///", "");
const label = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{0,8}$/),
  fc.constantFrom("xn--bcher-kva", "xn--zz", "xn--", "Example", "EXAMPLE", "bücher", "0x7f", "1", "08", "255", "a_b", "a%41", "[::1]", "-", "com", ""),
);
const host = fc.tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom("", ".", "..")).map(([ls, end]) => ls.join(".") + end);
const authority = fc
  .tuple(fc.constantFrom("", "", "", "user@", "u:p@", ":@"), host, fc.constantFrom("", "", "", ":", ":80", ":443", ":8080", ":0443", ":x"))
  .map(([u, h, p]) => u + h + p);
const pathPiece = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._~!$&()*+,;=:@-]{0,6}$/),
  fc.constantFrom(
    "/", "/", "/", ".", "..", "/./", "/../", "/.", "/..", "/.x", "/..x", "%2e", "%2E", "%2e%2e", ".%2e", "%41", "%4a", "%4A", "%7E", "%7e",
    "%2F", "%2f", "%20", "%3A", "%3a", "%C3%A4", "%c3%a4", "%", "%4", "%zz", "%G0", "\\", " ", "\t", "\n", "'", '"', "<", ">", "`",
    "{", "}", "|", "^", "[", "]", "ä", "日本", "\u0000", "\u007f", "\u00a0", "\ud800", "?", "??", "#", "#x", "&", "=", "*",
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
const generated = fc.oneof(noisy, nearClean);

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
    ])
      expect([u, isNormalForm(u)]).toEqual([u, true]);
    for (const u of [
      "https://Example.com/",
      "https://example.com",
      "https://example.com:443/",
      "https://example.com:8443/",
      "https://example.com./",
      "https://xn--bcher-kva.example/",
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
