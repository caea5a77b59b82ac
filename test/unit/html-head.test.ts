import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { licenseLinks, metaContents, scanHtmlHead } from "../../src/dialects/html-head";
import { appliesTo, directivesPreferences, parseRobotsMeta, parseXRobotsTag, serializeXRobotsTag, type RobotsDirectives } from "../../src/dialects/robots-directives";

describe("html head", () => {
  it("TDMRep §TDM Metadata in HTML: the specification's example", () => {
    const head = scanHtmlHead(`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="tdm-reservation" content="1">
    <meta name="tdm-policy" content="https://provider.com/policies/policy.json">
    <title>Document title</title>
  </head>
  <body>
    ...
    <!-- body content -->
    ...
  </body>
</html>`);
    expect(metaContents(head, "tdm-reservation")).toEqual(["1"]);
    expect(metaContents(head, "tdm-policy")).toEqual(["https://provider.com/policies/policy.json"]);
  });

  it("reads attributes as HTML does: any case, any quotes, none; skips comments and raw text; stops at the body", () => {
    const head = scanHtmlHead(`<HEAD><!-- <meta name="robots" content="noindex"> -->
<META NAME=Robots CONTENT='noai, noimageai'>
<script>document.write('<meta name="robots" content="none">')</script>
<link rel="alternate license" type="application/rsl+xml" href="/license.xml">
<link rel=license href=/cc.html type=text/html>
<script type="application/rsl+xml"><rsl xmlns="https://rslstandard.org/rsl"/></script>
<meta name="tdm-reservation" content="1" content="0">
</head><body><meta name="tdm-reservation" content="0">`);
    expect(metaContents(head, "robots")).toEqual(["noai, noimageai"]);
    expect(licenseLinks(head, "application/rsl+xml")).toEqual(["/license.xml"]);
    expect(head.rslScripts).toEqual(['<rsl xmlns="https://rslstandard.org/rsl"/>']);
    expect(metaContents(head, "tdm-reservation")).toEqual(["1"]);
  });

  it("never throws, whatever the bytes", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        scanHtmlHead(s);
      }),
    );
  });
});

describe("X-Robots-Tag and robots meta", () => {
  it("a crawler-scoped header applies to that crawler only; parameter directives are not crawlers", () => {
    const g = parseXRobotsTag("googlebot: noindex, nofollow");
    expect(g).toEqual({ userAgent: "googlebot", directives: ["noindex", "nofollow"] });
    expect(appliesTo(g, "GoogleBot")).toBe(true);
    expect(appliesTo(g, "otherbot")).toBe(false);
    expect(parseXRobotsTag("max-snippet: 20").userAgent).toBeNull();
    expect(parseXRobotsTag("unavailable_after: 25 Jun 2010 15:00:00 PST").userAgent).toBeNull();
  });

  it("noindex and none reserve search, noai reserves training, noimageai only for images, nothing allows", () => {
    expect(directivesPreferences(parseXRobotsTag("noindex"), false)).toEqual({ "train-ai": "unknown", "draft-ai-use": "unknown", search: "n" });
    expect(directivesPreferences(parseXRobotsTag("none"), false).search).toBe("n");
    expect(directivesPreferences(parseRobotsMeta("robots", "noai"), false)["train-ai"]).toBe("n");
    expect(directivesPreferences(parseRobotsMeta("robots", "noimageai"), false)["train-ai"]).toBe("unknown");
    expect(directivesPreferences(parseRobotsMeta("robots", "noimageai"), true)["train-ai"]).toBe("n");
    expect(directivesPreferences(parseRobotsMeta("robots", "index, follow, all"), true)).toEqual({ "train-ai": "unknown", "draft-ai-use": "unknown", search: "unknown" });
    expect(parseRobotsMeta("GPTBot", "noai").userAgent).toBe("gptbot");
  });

  it("round-trips", () => {
    const d: fc.Arbitrary<RobotsDirectives> = fc.record({
      userAgent: fc.option(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/).filter((s) => !/^(max-snippet|max-image-preview|max-video-preview)$/.test(s)), { nil: null }),
      directives: fc.array(fc.constantFrom("noindex", "nofollow", "noai", "noimageai", "none", "nosnippet"), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(d, (x) => {
        expect(parseXRobotsTag(serializeXRobotsTag(x))).toEqual(x);
      }),
    );
  });
});
