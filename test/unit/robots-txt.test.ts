import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  isAllowed,
  matchTarget,
  normalizePercent,
  parseRobotsTxt,
  patternMatches,
  preferenceRulesFor,
  ROBOTS_PARSE_LIMIT,
  rulesFor,
  serializeRobotsTxt,
  splitPreferenceRule,
  type Group,
  type Rule,
} from "../../src/dialects/robots-txt";
import { readContentUsage } from "../../src/dialects/content-usage";
import { combinePreferences } from "../../src/domain/preferences";

const target = (path: string) => matchTarget(new URL("https://example.com" + path));

describe("RFC 9309", () => {
  // §5.1's example file.
  const file = parseRobotsTxt(`User-Agent: *
Disallow: *.gif$
Disallow: /example/
Allow: /publications/

User-Agent: foobot
Disallow:/
Allow:/example/page.html
Allow:/example/allowed.gif

User-Agent: barbot
User-Agent: bazbot
Disallow: /example/page.html

User-Agent: quxbot

EOF`);

  it("§5.1: groups by user agent, with the * group for everyone else", () => {
    const star = rulesFor(file, "otherbot");
    expect(isAllowed(star, target("/example/page.html"))).toBe(false);
    expect(isAllowed(star, target("/publications/x"))).toBe(true);
    expect(isAllowed(star, target("/a/b.gif"))).toBe(false);
    expect(isAllowed(star, target("/a/b.gifx"))).toBe(true);
    const foo = rulesFor(file, "FooBot");
    expect(isAllowed(foo, target("/example/page.html"))).toBe(true);
    expect(isAllowed(foo, target("/example/allowed.gif"))).toBe(true);
    expect(isAllowed(foo, target("/other"))).toBe(false);
    for (const bot of ["barbot", "bazbot"]) {
      expect(isAllowed(rulesFor(file, bot), target("/example/page.html"))).toBe(false);
      expect(isAllowed(rulesFor(file, bot), target("/example/other.html"))).toBe(true);
    }
    // quxbot's group has no rules: everything is allowed, the * group does not apply.
    expect(isAllowed(rulesFor(file, "quxbot"), target("/example/page.html"))).toBe(true);
    expect(file.ignored.map((i) => i.text)).toEqual(["EOF"]);
  });

  it("§5.2: the longest match wins", () => {
    const r = rulesFor(parseRobotsTxt("User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n"), "foobot");
    expect(isAllowed(r, target("/example/page/"))).toBe(true);
    expect(isAllowed(r, target("/example/page/disallowed.gif"))).toBe(false);
  });

  it("§2.2.2: an Allow and an equivalent Disallow: Allow; no group and no file: everything allowed; robots.txt always", () => {
    expect(isAllowed(rulesFor(parseRobotsTxt("User-agent: *\nDisallow: /a\nAllow: /a\n"), "x"), target("/a"))).toBe(true);
    expect(isAllowed(rulesFor(parseRobotsTxt("User-agent: other\nDisallow: /\n"), "x"), target("/a"))).toBe(true);
    expect(isAllowed(rulesFor(parseRobotsTxt("User-agent: *\nDisallow: /\n"), "x"), "/robots.txt")).toBe(true);
  });

  it("§2.2.1: several groups for the same crawler are merged", () => {
    const r = rulesFor(parseRobotsTxt("User-agent: a\nDisallow: /x\n\nUser-agent: b\nDisallow: /\n\nUser-agent: a\nDisallow: /y\n"), "a");
    expect(isAllowed(r, target("/x"))).toBe(false);
    expect(isAllowed(r, target("/y"))).toBe(false);
    expect(isAllowed(r, target("/z"))).toBe(true);
  });

  it("§2.2.2: percent-encoding is normalized on both sides before comparing", () => {
    expect(normalizePercent("/foo/bar/ツ")).toBe("/foo/bar/%E3%83%84");
    expect(normalizePercent("/foo/bar/%e3%83%84")).toBe("/foo/bar/%E3%83%84");
    expect(normalizePercent("/foo/bar/%62%61%7A")).toBe("/foo/bar/baz");
    expect(normalizePercent("/foo/bar?baz=https%3A%2F%2Ffoo.bar")).toBe("/foo/bar?baz=https%3A%2F%2Ffoo.bar");
    const r = rulesFor(parseRobotsTxt("User-agent: *\nDisallow: /foo/bar/ツ\n"), "x");
    expect(isAllowed(r, target("/foo/bar/%E3%83%84"))).toBe(false);
  });

  it("§2.2.3: * matches any run, $ ends the pattern, and a literal * in a path is %2A", () => {
    expect(patternMatches("/path/file-with-a-*.html", "/path/file-with-a-anything.html")).toBe(true);
    expect(patternMatches("/path/foo-$", "/path/foo-")).toBe(true);
    expect(patternMatches("/path/foo-$", "/path/foo-bar")).toBe(false);
    expect(patternMatches("/path/file-with-a-%2A.html", normalizePercent("/path/file-with-a-%2A.html"))).toBe(true);
    expect(patternMatches("/a*b*c*d*e*f*g*h*i*j*k$", "/" + "a".repeat(5000))).toBe(false); // no blow-up
  });

  it("§2.5: parses at most 500 KiB", () => {
    const big = "User-agent: *\n" + "# padding\n".repeat(ROBOTS_PARSE_LIMIT / 10) + "Disallow: /\n";
    const r = parseRobotsTxt(big);
    expect(r.truncated).toBe(true);
    expect(isAllowed(rulesFor(r, "x"), target("/a"))).toBe(true);
  });
});

describe("Content-Usage rules (draft-ietf-aipref-attach-05 §3)", () => {
  // §3.4's example and its table.
  const file = parseRobotsTxt(`User-Agent: *
Allow: /
Disallow: /never/
Content-Usage: train-ai=n
Content-Usage: /ai-ok/ train-ai=y

User-Agent: ExampleBot
Allow: /
Content-Usage: train-ai=y
`);
  const usage = (bot: string, path: string) => {
    const rules = preferenceRulesFor(rulesFor(file, bot), target(path), "content-usage");
    return rules.length ? combinePreferences(rules.map((r) => readContentUsage(r.statement).preferences))["train-ai"] : "N/A";
  };

  it("§3.4: the sample table", () => {
    expect(usage("other", "/test")).toBe("n");
    expect(usage("other", "/never/test")).toBe("N/A");
    expect(usage("other", "/ai-ok/test")).toBe("y");
    expect(usage("ExampleBot", "/never/test")).toBe("y");
  });

  it("§3.2: the path ends at the first SP or HTAB; a value not starting with / is all statement", () => {
    expect(splitPreferenceRule("/ai-ok/ train-ai=y")).toEqual({ path: "/ai-ok/", statement: "train-ai=y" });
    expect(splitPreferenceRule("/a\t\ttrain-ai=n, search=y")).toEqual({ path: "/a", statement: "train-ai=n, search=y" });
    expect(splitPreferenceRule("train-ai=n")).toEqual({ path: "", statement: "train-ai=n" });
    // '#' always starts a comment: fragments never appear in robots.txt paths.
    const r = parseRobotsTxt("User-agent: *\nContent-Usage: /a train-ai=n # not for training\n");
    expect(r.groups[0]!.rules[0]).toEqual({ kind: "content-usage", path: "/a", statement: "train-ai=n" });
  });

  it("§3.1: rules with identical paths all apply, combined (any n wins); order carries nothing", () => {
    const r = parseRobotsTxt("User-agent: *\nContent-Usage: /p train-ai=y\nAllow: /\nContent-Usage: /p train-ai=n\n");
    const rules = preferenceRulesFor(rulesFor(r, "x"), target("/p/q"), "content-usage");
    expect(rules).toHaveLength(2);
    expect(combinePreferences(rules.map((x) => readContentUsage(x.statement).preferences))["train-ai"]).toBe("n");
  });

  it("Content-Signal rules match the same way, path-scoped or not", () => {
    const r = parseRobotsTxt("User-agent: *\nContent-Signal: search=yes, ai-train=no\nContent-Signal: /blog/ ai-train=yes\n");
    expect(preferenceRulesFor(rulesFor(r, "x"), target("/blog/1"), "content-signal")[0]!.statement).toBe("ai-train=yes");
    expect(preferenceRulesFor(rulesFor(r, "x"), target("/about"), "content-signal")[0]!.statement).toBe("search=yes, ai-train=no");
  });

  it("collects License and Sitemap records, and reports rules outside any group", () => {
    const r = parseRobotsTxt("License: https://example.com/license.xml\nDisallow: /x\nUser-agent: *\nSitemap: https://example.com/s.xml\nAllow: /\n");
    expect(r.licenses).toEqual(["https://example.com/license.xml"]);
    expect(r.sitemaps).toEqual(["https://example.com/s.xml"]);
    expect(r.ignored.map((i) => i.why)).toEqual(["a rule before any user-agent line"]);
  });
});

const pathChars = fc.constantFrom("a", "b", "/", "*", "-", "%2F", "é", "$");
const path = fc.array(pathChars, { maxLength: 6 }).map((p) => "/" + p.join("").replace(/\$(?!$)/g, ""));
const statement = fc.constantFrom("train-ai=n", "train-ai=y, search=n", "search=yes, ai-train=no");
const rule: fc.Arbitrary<Rule> = fc.oneof(
  fc.record({ kind: fc.constantFrom("allow" as const, "disallow" as const), path }),
  fc.record({ kind: fc.constantFrom("content-usage" as const, "content-signal" as const), path: fc.oneof(fc.constant(""), path), statement }),
);
const agent = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$|^\*$/);
const group: fc.Arbitrary<Group> = fc.record({ userAgents: fc.array(agent, { minLength: 1, maxLength: 2 }), rules: fc.array(rule, { minLength: 1, maxLength: 4 }) });
const url = fc.stringMatching(/^https:\/\/[a-z]{1,8}\.example\/[a-z.]{0,8}$/);

describe("round trip", () => {
  it("parse(serialize(r)) keeps every group, rule, license and sitemap", () => {
    fc.assert(
      fc.property(fc.array(group, { maxLength: 4 }), fc.array(url, { maxLength: 2 }), fc.array(url, { maxLength: 2 }), (groups, licenses, sitemaps) => {
        const back = parseRobotsTxt(serializeRobotsTxt({ groups, licenses, sitemaps }));
        expect(back.groups).toEqual(groups);
        expect(back.licenses).toEqual(licenses);
        expect(back.sitemaps).toEqual(sitemaps);
        expect(back.ignored).toEqual([]);
      }),
    );
  });

  it("a pattern always matches itself once its wildcards are read literally", () => {
    fc.assert(
      fc.property(path, (p) => {
        const literal = p.replace(/\$$/, "");
        expect(patternMatches(normalizePercent(p), normalizePercent(literal))).toBe(true);
      }),
    );
  });
});
