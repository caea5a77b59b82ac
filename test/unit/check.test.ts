/**
 * `checkUrls` against fixture websites over real HTTP on loopback: one site per dialect, and sites
 * mixing them (agreeing, conflicting), malformed, unreachable, redirecting and oversized. Every
 * expected verdict is written from the spec that governs it (cited beside it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import { checkUrls, type CheckResult } from "../../src/check/index";
import { embedInPng } from "../../src/dialects/image-metadata";
import { trainingMiningFor, writeManifestStore } from "../../src/dialects/c2pa";
import { PLUS_VOCAB, writeXmp } from "../../src/dialects/xmp";
import { startFixtureSites, type FixtureServer } from "../support/fixture-sites";

const html = (head = "", extra: Record<string, string> = {}) => ({ headers: { "content-type": "text/html; charset=utf-8", ...extra }, body: `<!doctype html><html><head>${head}<title>t</title></head><body>hello</body></html>` });
const text = (body: string, type = "text/plain") => ({ headers: { "content-type": type }, body });
const png = () => {
  const img = new PNG({ width: 2, height: 2 });
  img.data.fill(120);
  return new Uint8Array(PNG.sync.write(img));
};
const RSL = (body: string) => text(`<?xml version="1.0"?><rsl xmlns="https://rslstandard.org/rsl">${body}</rsl>`, "application/rsl+xml");

let sites: FixtureServer;

beforeAll(async () => {
  sites = await startFixtureSites({
    // attach-05 §2: the header.
    "cu-header.fixture": { "/page": html("", { "content-usage": "train-ai=n, search=y" }) },
    // attach-05 §3.4: the example file and its table.
    "cu-robots.fixture": (path) =>
      path === "/robots.txt"
        ? text("User-Agent: *\nAllow: /\nDisallow: /never/\nContent-Usage: train-ai=n\nContent-Usage: /ai-ok/ train-ai=y\n\nUser-Agent: ExampleBot\nAllow: /\nContent-Usage: train-ai=y\n")
        : html(),
    // contentsignals.org
    "signal.fixture": (path) => (path === "/robots.txt" ? text("User-agent: *\nContent-Signal: search=yes, ai-input=yes, ai-train=no\nAllow: /\n") : html()),
    // RSL 1.0: found through robots.txt License:, and through an HTML link.
    "rsl.fixture": {
      "/robots.txt": text("License: /license.xml\nUser-agent: *\nAllow: /\n"),
      "/license.xml": RSL('<content url="/"><license><prohibits type="usage">ai-train</prohibits></license></content><content url="/free/"><license><payment type="free"/></license></content>'),
      "/article": html(),
      "/free/article": html(),
    },
    // rslstandard.org/guide/ai-preferences: a Content-Usage line beside a License: pointing at an RSL
    // document that permits training only under a subscription.
    "rsl-guide.fixture": {
      "/robots.txt": text("User-Agent: *\nAllow: /\n\nContent-Usage: train-ai=n\nLicense: http://rsl-guide.fixture/license.xml\n"),
      "/license.xml": RSL('<content url="/"><license><permits type="usage">train-ai</permits><payment type="subscription"><custom>https://your-website.com/contact-form.html</custom></payment></license></content>'),
      "/post": html(),
    },
    "rsl-link.fixture": {
      "/page": html('<link rel="license" type="application/rsl+xml" href="/terms.rsl">'),
      "/terms.rsl": RSL('<content url="/"><license><permits type="usage">search</permits></license></content>'),
    },
    // TDMRep: the file (with the spec's second example), the header, and HTML metadata over both.
    "tdmrep.fixture": {
      "/.well-known/tdmrep.json": text(
        JSON.stringify([
          { location: "/directory-a/", "tdm-reservation": 1 },
          { location: "/directory-b/images/*.jpg", "tdm-reservation": 0 },
          { location: "/meta/", "tdm-reservation": 1 },
        ]),
        "application/json",
      ),
      "/directory-a/doc": html(),
      "/directory-b/images/cat.jpg": { headers: { "content-type": "image/jpeg" }, body: "not really a jpeg" },
      "/meta/page": html('<meta name="tdm-reservation" content="0">'),
      "/header": html("", { "tdm-reservation": "1", "tdm-policy": "https://tdmrep.fixture/policy.json" }),
    },
    // X-Robots-Tag and robots meta.
    "robots-tag.fixture": {
      "/noai": html("", { "x-robots-tag": "noai" }),
      "/other-bot": html("", { "x-robots-tag": "otherbot: noai, noindex" }),
      "/meta": html('<meta name="robots" content="noai, noimageai">'),
    },
    // Spawning ai.txt
    "aitxt.fixture": {
      "/ai.txt": text("User-Agent: *\nDisallow: *.png\nAllow: /blog/\n"),
      "/art/a.png": { headers: { "content-type": "image/png" }, body: png() },
      "/blog/post": html(),
    },
    // Embedded metadata: C2PA training-mining, IPTC Data Mining.
    "images.fixture": {
      "/c2pa.png": { headers: { "content-type": "image/png" }, body: embedInPng(png(), { manifestStore: writeManifestStore(trainingMiningFor({ "train-ai": "n", "draft-ai-use": "y", search: "unknown" })) }) },
      "/iptc.png": { headers: { "content-type": "image/png" }, body: embedInPng(png(), { xmp: writeXmp({ dataMining: { value: PLUS_VOCAB + "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING", term: "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING" } }) }) },
    },
    // Mixed: every source agrees.
    "agree.fixture": {
      "/robots.txt": text("User-agent: *\nContent-Usage: train-ai=n\nContent-Signal: ai-train=no\n"),
      "/.well-known/tdmrep.json": text('[{"location":"/","tdm-reservation":1}]', "application/json"),
      "/page": html('<meta name="tdm-reservation" content="1">', { "content-usage": "train-ai=n" }),
    },
    // Mixed: robots.txt allows, the header disallows (any n wins, -07 §5.1); and everything allows.
    "conflict.fixture": {
      "/robots.txt": text("User-agent: *\nContent-Usage: train-ai=y, search=y\nContent-Signal: /yes/ ai-train=yes\n"),
      "/page": html("", { "content-usage": "train-ai=n" }),
      "/yes/page": html("", { "content-usage": "train-ai=y" }),
    },
    // Malformed: an upper-case label (-07 §6.5.1), a broken tdmrep.json beside an allow, a broken RSL.
    "malformed.fixture": {
      "/robots.txt": text("User-agent: *\nContent-Usage: train-ai=y\nLicense: /broken.rsl\n"),
      "/.well-known/tdmrep.json": text('{"location":"/"}', "application/json"),
      "/broken.rsl": RSL("<content"),
      "/page": html("", { "content-usage": "Train-AI=n" }),
    },
    // Unreachable: robots.txt answers 503 (RFC 9309 §2.3.1.4: complete disallow).
    "robots503.fixture": { "/robots.txt": { status: 503, body: "busy" }, "/page": html("", { "content-usage": "train-ai=y" }) },
    // The resource fails while robots.txt allows training.
    "resource500.fixture": { "/robots.txt": text("User-agent: *\nContent-Usage: train-ai=y\n"), "/page": { status: 500, body: "oops" } },
    // Redirects: robots.txt moved (followed, RFC 9309 §2.3.1.2), and the page moved.
    "redirect.fixture": {
      "/robots.txt": { status: 301, headers: { location: "/real-robots.txt" } },
      "/real-robots.txt": text("User-agent: *\nContent-Usage: /old train-ai=y\n"),
      "/old": { status: 302, headers: { location: "http://redirect.fixture/new" } },
      "/new": html("", { "content-usage": "train-ai=n" }),
      "/loop": { status: 302, headers: { location: "/loop" } },
    },
    // Oversized: a tdmrep.json past its limit is not read; a Disallow past robots.txt's 500 KiB is not seen.
    "oversized.fixture": {
      "/robots.txt": text("User-agent: *\nContent-Usage: train-ai=y\n" + "#".repeat(600 * 1024) + "\nDisallow: /\n"),
      "/.well-known/tdmrep.json": text("[" + " ".repeat(1100 * 1024) + "]", "application/json"),
      "/page": html(),
    },
    "empty.fixture": { "/page": html() },
  });
});

afterAll(() => sites?.close());

const check = (urls: string[], opts: Parameters<typeof checkUrls>[1] = {}) => checkUrls(urls, { fetch: sites.fetch, registry: null, timeoutMs: 2000, ...opts });
const one = async (url: string, opts: Parameters<typeof checkUrls>[1] = {}): Promise<CheckResult> => (await check([url], opts))[0]!;
const kinds = (r: CheckResult, status = "stated") => r.sources.filter((s) => s.status === status).map((s) => s.kind);

describe("one dialect per site", () => {
  it("Content-Usage header (attach-05 §2)", async () => {
    const r = await one("http://cu-header.fixture/page");
    expect(r.verdict).toBe("disallowed");
    expect(r.sources.find((s) => s.kind === "content-usage-header")).toMatchObject({ statement: "train-ai=n, search=y", status: "stated" });
    expect((await one("http://cu-header.fixture/page", { use: "search" })).verdict).toBe("allowed");
  });

  it("robots.txt Content-Usage rules: attach-05 §3.4's table", async () => {
    expect((await one("http://cu-robots.fixture/test")).verdict).toBe("disallowed");
    expect((await one("http://cu-robots.fixture/ai-ok/test")).verdict).toBe("allowed");
    const never = await one("http://cu-robots.fixture/never/test");
    expect(never.verdict).toBe("disallowed"); // not crawlable: nothing may be used (RFC 9309)
    expect(never.sources.find((s) => s.kind === "resource")!.status).toBe("not-fetched");
    expect((await one("http://cu-robots.fixture/never/test", { userAgent: "ExampleBot" })).verdict).toBe("allowed");
  });

  it("Content-Signal", async () => {
    expect((await one("http://signal.fixture/x")).verdict).toBe("disallowed");
    expect((await one("http://signal.fixture/x", { use: "search" })).verdict).toBe("allowed");
    expect((await one("http://signal.fixture/x", { use: "draft-ai-use" })).verdict).toBe("allowed");
  });

  it("RSL through robots.txt License: and through an HTML link", async () => {
    const r = await one("http://rsl.fixture/article");
    expect(r.verdict).toBe("disallowed");
    expect(r.sources.find((s) => s.kind === "rsl")).toMatchObject({ url: "http://rsl.fixture/license.xml", status: "stated", statement: '<content url="/">' });
    expect((await one("http://rsl.fixture/free/article")).verdict).toBe("allowed");
    const linked = await one("http://rsl-link.fixture/page");
    expect(linked.verdict).toBe("disallowed"); // a closed permits list naming only search
    expect((await one("http://rsl-link.fixture/page", { use: "search" })).verdict).toBe("allowed");
    // The RSL guide's own example: both the robots.txt line and the license reserve training.
    const guide = await one("http://rsl-guide.fixture/post");
    expect(guide.verdict).toBe("disallowed");
    expect(guide.reason).toBe("disallowed by content-usage-robots, rsl");
  });

  it("TDMRep: file, header, and HTML metadata superseding the file (TDMRep §Processing priority)", async () => {
    expect((await one("http://tdmrep.fixture/directory-a/doc")).verdict).toBe("disallowed");
    expect((await one("http://tdmrep.fixture/directory-b/images/cat.jpg")).verdict).toBe("allowed");
    const header = await one("http://tdmrep.fixture/header");
    expect(header.verdict).toBe("disallowed");
    expect(header.sources.find((s) => s.kind === "tdmrep-header")!.statement).toContain("tdm-policy: https://tdmrep.fixture/policy.json");
    const meta = await one("http://tdmrep.fixture/meta/page");
    expect(meta.verdict).toBe("allowed");
    expect(meta.sources.find((s) => s.kind === "tdmrep-file")!.status).toBe("superseded");
  });

  it("X-Robots-Tag and robots meta", async () => {
    expect((await one("http://robots-tag.fixture/noai")).verdict).toBe("disallowed");
    const other = await one("http://robots-tag.fixture/other-bot");
    expect(other.verdict).toBe("unknown"); // scoped to otherbot
    expect((await one("http://robots-tag.fixture/other-bot", { userAgent: "OtherBot", use: "search" })).verdict).toBe("disallowed");
    expect((await one("http://robots-tag.fixture/meta")).verdict).toBe("disallowed");
  });

  it("ai.txt", async () => {
    expect((await one("http://aitxt.fixture/art/a.png")).verdict).toBe("disallowed");
    expect((await one("http://aitxt.fixture/blog/post")).verdict).toBe("allowed");
  });

  it("C2PA training-mining and IPTC Data Mining inside images", async () => {
    const c2pa = await one("http://images.fixture/c2pa.png");
    expect(c2pa.verdict).toBe("disallowed");
    expect((await one("http://images.fixture/c2pa.png", { use: "draft-ai-use" })).verdict).toBe("allowed");
    const iptc = await one("http://images.fixture/iptc.png");
    expect(iptc.verdict).toBe("disallowed");
    expect((await one("http://images.fixture/iptc.png", { use: "search" })).verdict).toBe("allowed");
    expect(kinds(iptc)).toContain("iptc-xmp");
  });
});

describe("sites mixing dialects", () => {
  it("agreeing sources: every one is reported", async () => {
    const r = await one("http://agree.fixture/page");
    expect(r.verdict).toBe("disallowed");
    expect(new Set(kinds(r))).toEqual(new Set(["robots-txt", "content-usage-robots", "content-signal", "tdmrep-meta", "content-usage-header"]));
    expect(r.sources.find((s) => s.kind === "tdmrep-file")!.status).toBe("superseded");
  });

  it("conflicting sources: any n wins (-07 §5.1); all allowing: allowed", async () => {
    expect((await one("http://conflict.fixture/page")).verdict).toBe("disallowed");
    expect((await one("http://conflict.fixture/yes/page")).verdict).toBe("allowed");
  });
});

describe("failures are reported and never read as allowed", () => {
  it("malformed statements state nothing, and an allow elsewhere does not become a verdict", async () => {
    const r = await one("http://malformed.fixture/page");
    expect(r.verdict).toBe("unknown");
    expect(new Set(kinds(r, "malformed"))).toEqual(new Set(["tdmrep-file", "content-usage-header", "rsl"]));
    expect(r.reason).toMatch(/could not be read/);
  });

  it("robots.txt unreachable (503): complete disallow, and the resource is not fetched", async () => {
    const r = await one("http://robots503.fixture/page");
    expect(r.verdict).toBe("disallowed");
    expect(r.sources[0]).toMatchObject({ kind: "robots-txt", status: "unreachable" });
    expect(sites.hits.get("robots503.fixture /page")).toBeUndefined();
  });

  it("a host that refuses connections, and one that never answers", async () => {
    expect((await one("http://down.fixture/page")).verdict).toBe("disallowed");
    const slow = await one("http://slow.fixture/page", { timeoutMs: 300 });
    expect(slow.verdict).toBe("disallowed");
    expect(slow.sources[0]!.detail).toMatch(/no answer within 300 ms/);
  });

  it("a resource that fails leaves an allow unconfirmed", async () => {
    const r = await one("http://resource500.fixture/page");
    expect(r.verdict).toBe("unknown");
    expect(r.sources.find((s) => s.kind === "resource")!.status).toBe("unreachable");
  });

  it("redirects are followed and recorded; a redirect loop is unreachable", async () => {
    const r = await one("http://redirect.fixture/old");
    expect(r.verdict).toBe("disallowed"); // robots.txt's /old says y, the page it moved to says n
    expect(r.sources.find((s) => s.kind === "content-usage-robots")!.url).toBe("http://redirect.fixture/real-robots.txt");
    expect(r.sources.find((s) => s.kind === "content-usage-header")!.url).toBe("http://redirect.fixture/new");
    const loop = await one("http://redirect.fixture/loop");
    expect(loop.sources.find((s) => s.kind === "resource")).toMatchObject({ status: "unreachable", detail: "more than 5 redirects" });
  });

  it("oversized files: robots.txt read to 500 KiB (RFC 9309 §2.5), tdmrep.json past its limit not read", async () => {
    const r = await one("http://oversized.fixture/page");
    expect(r.sources[0]!.detail).toMatch(/first 500 KiB/);
    expect(r.sources.find((s) => s.kind === "tdmrep-file")).toMatchObject({ status: "malformed", detail: "larger than the limit: not read" });
    expect(r.verdict).toBe("unknown");
  });

  it("nothing published: unknown; not a URL: reported", async () => {
    const [empty, bad] = await check(["http://empty.fixture/page", "ftp://x"]);
    expect(empty!.verdict).toBe("unknown");
    expect(empty!.reason).toBe("no source states this use");
    expect(bad!.sources[0]).toMatchObject({ status: "malformed", detail: "not an http(s) URL" });
  });
});

describe("politeness", () => {
  it("fetches each host's files once for many URLs", async () => {
    const before = sites.hits.get("cu-robots.fixture /robots.txt") ?? 0;
    await check(["http://cu-robots.fixture/a", "http://cu-robots.fixture/b", "http://cu-robots.fixture/c"]);
    expect(sites.hits.get("cu-robots.fixture /robots.txt")! - before).toBe(1);
  });

  it("a registry that cannot be reached is reported, and leaves an allow unconfirmed", async () => {
    const r = await one("http://conflict.fixture/yes/page", { registry: "http://down.fixture" });
    expect(r.sources.find((s) => s.kind === "registry")!.status).toBe("unreachable");
    expect(r.verdict).toBe("unknown");
  });
});
