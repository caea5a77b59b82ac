import { describe, expect, it } from "vitest";
import { pathToUrlPattern, termsFromAiTxt, termsFromRobotsTxt, termsFromRsl, termsFromTdmRep } from "../../src/dialects/declaration-terms";
import { parseUrlPattern } from "../../src/domain/url-pattern";

const U = "unknown";

describe("site files into declaration terms", () => {
  it("paths become URL patterns the registry accepts, or are skipped with the reason", () => {
    for (const [path, url] of [
      ["", "https://ex.example/*"],
      ["/", "https://ex.example/*"],
      ["/art/", "https://ex.example/art/*"],
      ["/a*", "https://ex.example/a*"],
      ["/page.html$", "https://ex.example/page.html"],
    ] as const) {
      const p = pathToUrlPattern("ex.example", path);
      expect(p).toEqual({ url });
      parseUrlPattern(url);
    }
    expect(pathToUrlPattern("ex.example", "/a/*/b")).toEqual({ why: "a wildcard inside the path has no declaration form" });
    expect(pathToUrlPattern("ex.example", "*.jpg")).toEqual({ why: "not a path (it does not start with /)" });
  });

  it("robots.txt: attach-05 §3.4's * group; rules on one path combine; Content-Signal too", () => {
    const t = termsFromRobotsTxt(
      "User-Agent: *\nAllow: /\nDisallow: /never/\nContent-Usage: train-ai=n\nContent-Usage: /ai-ok/ train-ai=y\nContent-Signal: /ai-ok/ search=yes\n\nUser-Agent: ExampleBot\nContent-Usage: train-ai=y\n",
      "ex.example",
    );
    expect(t.groups).toEqual([
      { urls: ["https://ex.example/*"], preferences: { "train-ai": "n", "draft-ai-use": U, search: U }, from: ["Content-Usage: train-ai=n"] },
      { urls: ["https://ex.example/ai-ok/*"], preferences: { "train-ai": "y", "draft-ai-use": U, search: "y" }, from: ["Content-Usage: /ai-ok/ train-ai=y\nContent-Signal: /ai-ok/ search=yes"] },
    ]);
  });

  it("tdmrep.json: TDMRep's second example; the policy goes with reserved rules", () => {
    const t = termsFromTdmRep(
      '[{"location":"/directory-a/","tdm-reservation":1},{"location":"/directory-b/html/","tdm-reservation":1,"tdm-policy":"https://provider.com/policies/policy.json"},{"location":"/directory-b/images/*.jpg","tdm-reservation":0}]',
      "provider.com",
    );
    expect(t.groups.map((g) => [g.urls, g.preferences["train-ai"], g.policy])).toEqual([
      [["https://provider.com/directory-a/*"], "n", undefined],
      [["https://provider.com/directory-b/html/*"], "n", "https://provider.com/policies/policy.json"],
    ]);
    expect(t.skipped).toEqual([{ statement: '{"location":"/directory-b/images/*.jpg","tdm-reservation":0}', why: "a wildcard inside the path has no declaration form" }]);
  });

  it("RSL: contents by path or full URL on the host; terms become the policy", () => {
    const t = termsFromRsl(
      '<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license><prohibits type="usage">ai-train</prohibits></license><terms>https://ex.example/terms</terms></content><content url="https://ex.example/open/"><license/></content><content url="https://else.example/"><license/></content></rsl>',
      "ex.example",
    );
    expect(t.groups.map((g) => [g.urls, g.preferences, g.policy])).toEqual([
      [["https://ex.example/*"], { "train-ai": "n", "draft-ai-use": "y", search: "y" }, "https://ex.example/terms"],
      [["https://ex.example/open/*"], { "train-ai": "y", "draft-ai-use": "y", search: "y" }, undefined],
    ]);
    expect(t.skipped.map((s) => s.statement)).toEqual(['<content url="https://else.example/">']);
  });

  it("ai.txt: Disallow paths reserve training; file-type patterns have no declaration form", () => {
    const t = termsFromAiTxt("User-Agent: *\nDisallow: /\nDisallow: *.jpg\nAllow: /blog/\n", "ex.example");
    expect(t.groups.map((g) => [g.urls, g.preferences["train-ai"]])).toEqual([
      [["https://ex.example/*"], "n"],
      [["https://ex.example/blog/*"], "y"],
    ]);
    expect(t.skipped[0]!.statement).toBe("Disallow: *.jpg");
  });
});
