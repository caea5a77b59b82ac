/**
 * The web app in a real browser (Debian's chromium through playwright-core) against a local registry
 * started as `npm start` starts one (test/e2e/federation-cluster.ts: migrations, then wrangler dev).
 * The browser is used as a person would: controls found by their visible labels and roles.
 *
 * One browser and one registry serve the whole file. Screenshots of every page at 1280 and 360 px
 * are written to test-results/web-app/ for people to look at.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import jpeg from "jpeg-js";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeypair, signJson, type Keypair } from "../../src/domain/iscc-sig";
import { isccOfFile } from "../../src/media/file-iscc";
import { compareUnits, decompose } from "../../src/iscc/index";
import { xorshiftBytes } from "../support/seeded-random";
import { axeViolations, haveChromium, launchChromium, seriousViolations } from "../support/browser";
import { startCluster, type Cluster } from "./federation-cluster";

const ROOT = resolve(import.meta.dirname, "../..");
const SHOTS = join(ROOT, "test-results/web-app");

/** A real PNG: a smooth scene with edges, so its Image-Code is not degenerate. */
function pngImage(width: number, height: number, seed: number, alpha = false): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      png.data[i] = (x * 255) / width;
      png.data[i + 1] = (y * 255) / height;
      png.data[i + 2] = ((x + y + seed * 37) % 64) * 4;
      png.data[i + 3] = alpha ? Math.round((255 * x) / (width - 1)) : 255;
    }
  for (let k = 0; k < 6; k++) {
    const cx = (seed * 13 + k * 29) % width;
    const cy = (seed * 7 + k * 17) % height;
    for (let y = Math.max(0, cy - 6); y < Math.min(height, cy + 6); y++)
      for (let x = Math.max(0, cx - 6); x < Math.min(width, cx + 6); x++) png.data.fill(k % 2 ? 255 : 0, (y * width + x) * 4, (y * width + x) * 4 + 3);
  }
  return PNG.sync.write(png);
}

/** A real baseline JPEG (4:2:0), optionally with an EXIF Orientation tag in an APP1 segment. */
function jpegImage(width: number, height: number, orientation?: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  const noise = xorshiftBytes(width * height, 7);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / width;
      data[i + 1] = x < width / 3 ? 220 : (y * 255) / height;
      data[i + 2] = (noise[y * width + x]! >> 2) + (y > height / 2 ? 128 : 0);
      data[i + 3] = 255;
    }
  const jpg = jpeg.encode({ data, width, height }, 90).data;
  if (!orientation) return jpg;
  // TIFF, big-endian: one IFD0 entry, Orientation (0x0112), SHORT, 1 value.
  const tiff = Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]);
  const payload = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);
  return Buffer.concat([jpg.subarray(0, 2), app1, jpg.subarray(2)]);
}

const browserOk = haveChromium("web app browser tests");

/** Waits for what the page shows; generous, since the machine running the suite is shared and busy. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 20_000, interval: 100 });
/** Waits for the registry (conflict detection runs beside its commits), asking every 100 ms. */
async function waitUntil(probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !(await probe()); await new Promise((r) => setTimeout(r, 100))) if (Date.now() > end) throw new Error("the registry did not get there in time");
}

describe.skipIf(!browserOk)("the web app in chromium", () => {
  let cluster: Cluster;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  const cspViolations: string[] = [];
  const axeMs: number[] = [];
  const files = {} as { png: string; jpeg: string; rotated: string; other: string; alpha: string; key: string; evidence: string };

  const url = (p: string) => base + p;
  const apiGet = async (p: string) => (await fetch(url(p))).json() as Promise<any>;
  const declarationsOf = async (pubkey: string) => (await apiGet(`/v1/declarations?declarant=${encodeURIComponent(pubkey)}`)).declarations as any[];

  function watch(p: Page): Page {
    p.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    p.on("pageerror", (e) => cspViolations.push(`page error: ${e.message}`));
    return p;
  }

  async function newPage(opts: { width?: number; locale?: string } = {}): Promise<Page> {
    context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: 900 }, locale: opts.locale ?? "en-GB", acceptDownloads: true });
    return watch(await context.newPage());
  }

  /**
   * The page as it is at 1280 and 360 px (the layout follows the viewport through CSS alone, so one
   * load serves both): nothing wider than the viewport (scrolling inside tables is allowed), and a
   * screenshot of each for people to look at.
   */
  async function fitsAndShoot(p: Page, name: string): Promise<void> {
    for (const width of [1280, 360]) {
      await p.setViewportSize({ width, height: 900 });
      const overflow = (await p.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number;
      expect(overflow, `${name} at ${width}px scrolls sideways`).toBeLessThanOrEqual(0);
      await p.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
    await p.setViewportSize({ width: 1280, height: 900 });
  }

  async function expectAccessible(p: Page, what: string): Promise<void> {
    expect(seriousViolations(await axeViolations(p)), what).toEqual([]);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "optout-web-"));
    files.png = join(dir, "sunset.png");
    files.jpeg = join(dir, "harbour.jpg");
    files.rotated = join(dir, "portrait.jpg");
    files.other = join(dir, "unrelated.png");
    files.alpha = join(dir, "translucent.png");
    await writeFile(files.png, pngImage(160, 120, 1));
    await writeFile(files.jpeg, jpegImage(200, 150));
    await writeFile(files.rotated, jpegImage(120, 90, 6));
    await writeFile(files.other, pngImage(100, 100, 9));
    await writeFile(files.alpha, pngImage(120, 90, 4, true));
    await mkdir(SHOTS, { recursive: true });
    // Loopback did:web hosts resolve (development mode): the agent test's society is one.
    [cluster, browser] = await Promise.all([startCluster(1, { DID_WEB_ALLOW_LOOPBACK: "true" }), launchChromium()]);
    base = cluster.registries[0]!.url;
    page = await newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let pubkey = "";
  let declaredId = "";

  it("declares a real image from the page: fingerprinted and signed in the browser; the API then answers a lookup and a match", async () => {
    await page.goto(url("/declare"));
    await page.getByRole("button", { name: "Create a new key" }).click();
    await poll(() => page.getByRole("status").first().textContent()).toMatch(/Key loaded: z6Mk/);
    pubkey = /z6Mk\w+/.exec((await page.getByRole("status").first().textContent())!)![0];
    // The backup is the CLI's key file format (src/domain/key-file.ts; round trip in test/unit/key-file.test.ts).
    const [backup] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download key backup" }).click()]);
    files.key = join(dir, "key.json");
    await backup.saveAs(files.key);
    expect(JSON.parse(await readFile(files.key, "utf8")).pubkey).toBe(pubkey);

    // Bad input first: a message next to the field, and nothing is sent.
    await page.getByLabel("Your files").setInputFiles(files.png);
    await poll(() => page.locator("#declare-files-status").textContent()).toContain("1 file ready to declare");
    await page.getByLabel("URL patterns, one per line").fill("https://photos.example/sunset/*\nnot a url");
    await page.getByRole("button", { name: "Sign and declare" }).click();
    await poll(() => page.locator("#declare-urls-error").textContent()).toMatch(/^Line 2: /);
    expect(await page.getByLabel("URL patterns, one per line").getAttribute("aria-invalid")).toBe("true");
    expect(await declarationsOf(pubkey)).toEqual([]);

    await page.getByLabel("URL patterns, one per line").fill("https://photos.example/sunset/*");
    await page.getByLabel("Name of the work").fill("Sunset over Lisbon");
    await page.getByRole("button", { name: "Sign and declare" }).click();
    await poll(() => page.locator("#declare-status").textContent()).toBe("1 declaration registered.");
    const link = page.locator("#declare-receipts a.mono").first();
    declaredId = (await link.textContent())!;
    expect(declaredId).toMatch(/^ISCC:MAI/);

    // The code was computed in the browser; it is the CLI's code for the same file (`npx iscc`).
    const cli = await isccOfFile(files.png);
    const [stored] = await declarationsOf(pubkey);
    expect(stored.declaration).toMatchObject({ iscc: cli.iscc, datahash: cli.datahash, urls: ["https://photos.example/sunset/*"], name: "Sunset over Lisbon", preferences: { "train-ai": "n" } });
    const lookup = await apiGet(`/v1/lookup?url=${encodeURIComponent("https://photos.example/sunset/large.png")}`);
    expect(lookup.opted_out).toBe(true);
    expect(lookup.declarations.map((d: any) => d.id)).toEqual([declaredId]);
    const match = await (await fetch(url("/v1/match"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ iscc: [cli.units.content] }) })).json() as any;
    expect(match.results[0].opted_out).toBe(true);
    expect(match.results[0].matches[0].declaration.id).toBe(declaredId);
  });

  it("the browser's Image-Codes equal the CLI's for PNG and JPEG, EXIF orientation and transparency included", async () => {
    await page.goto(url("/"));
    const all = [files.png, files.jpeg, files.rotated, files.alpha];
    await page.getByLabel("Files to check").setInputFiles(all);
    await poll(() => page.locator("#check-results .result").count()).toBe(all.length);
    const shown = await page.locator("#check-results .result p.mono").allTextContents();
    for (const [i, f] of all.entries()) {
      const cli = await isccOfFile(f!);
      const browserUnits = decompose(shown[i]!);
      const cliUnits = decompose(cli.iscc);
      // Data and Instance depend on the bytes only; the Content-Code on the decoder too.
      expect(browserUnits.slice(1).map((u) => u.code), f).toEqual(cliUnits.slice(1).map((u) => u.code));
      const bits = compareUnits(browserUnits[0]!, cliUnits[0]!).distance;
      expect({ file: f, bits }).toEqual({ file: f, bits: 0 });
    }
  });

  it("checks a URL and a file on the home page, with the declarations behind the answer", async () => {
    await page.goto(url("/"));
    await page.getByLabel("Web addresses, one per line").fill("https://photos.example/sunset/a.png\nhttps://elsewhere.example/b.png");
    await page.getByRole("button", { name: "Check addresses" }).click();
    const results = page.locator("#check-results .result");
    await poll(() => results.count()).toBe(2);
    expect(await results.nth(0).textContent()).toContain("Opted out of AI training");
    expect(await results.nth(0).textContent()).toContain(declaredId);
    expect(await results.nth(0).textContent()).toContain("self-asserted");
    expect(await results.nth(0).textContent()).toContain("train-ai=n");
    expect(await results.nth(1).textContent()).toContain("No preference declared");

    await page.getByLabel("Files to check").setInputFiles([files.png, files.other]);
    await poll(() => results.allTextContents()).toEqual([expect.stringContaining("sunset.png"), expect.stringContaining("unrelated.png")]);
    expect(await results.nth(0).textContent()).toMatch(/1 similar declared work.*similarity 100%/s);
    expect(await results.nth(0).textContent()).toContain("(self-asserted)"); // content citations always are (the API's label)
    expect(await results.nth(1).textContent()).toContain("No declared work is similar to this file.");
    await expectAccessible(page, "check page with results");
  });

  it("downloads the evidence from My declarations and verifies it in the page; a tampered file fails", async () => {
    await page.goto(url("/mine"));
    await poll(() => page.locator("#mine-status").textContent()).toBe("1 declaration");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download evidence file" }).click()]);
    const evidencePath = join(dir, "evidence.json");
    const tamperedPath = join(dir, "tampered.json");
    await download.saveAs(evidencePath);
    files.evidence = evidencePath;
    const text = await readFile(evidencePath, "utf8");
    expect(JSON.parse(text).id).toBe(declaredId);

    await page.goto(url("/evidence"));
    // Offline: the verification must not touch the network.
    await context.setOffline(true);
    try {
    await page.getByLabel("Evidence file", { exact: true }).setInputFiles(evidencePath);
    await poll(() => page.locator("#evidence-result").textContent()).toContain(`Valid evidence: declaration ${declaredId} was registered by`);
    expect(await page.locator("#evidence-result").textContent()).toContain("This is the key of the registry serving this page.");
    const tampered = JSON.parse(text);
    tampered.declaration.preferences["train-ai"] = "y";
    await writeFile(tamperedPath, JSON.stringify(tampered));
    await page.getByLabel("Evidence file", { exact: true }).setInputFiles(tamperedPath);
    await poll(() => page.locator("#evidence-result").textContent()).toContain("This evidence does NOT verify.");
    expect(await page.locator("#evidence-result").textContent()).toContain("✗ declarant signature");
    } finally {
      await context.setOffline(false);
    }
    await expectAccessible(page, "evidence page with a result");

    // The same files, offline, with the CLI: one verifier for both (src/log/evidence.ts). Both at
    // once: each is mostly the CLI's start-up.
    const cli = (f: string) =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const child = spawn(process.execPath, [join(ROOT, "bin/optout.mjs"), "verify", "--evidence", f], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (b) => (out += b));
        child.stderr.on("data", (b) => (out += b));
        child.on("close", (code) => done({ code, out }));
      });
    const [good, bad] = await Promise.all([cli(evidencePath), cli(tamperedPath)]);
    expect(good.code, good.out).toBe(0);
    expect(bad.code, bad.out).toBe(1);
  });

  it("revokes from My declarations, signed on the device", async () => {
    await page.goto(url("/mine"));
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Revoke" }).click();
    await poll(() => page.locator("#mine-status").textContent()).toBe("Declaration revoked.");
    expect((await apiGet(`/v1/declarations/${encodeURIComponent(declaredId)}`)).status).toBe("revoked");
    const lookup = await apiGet(`/v1/lookup?url=${encodeURIComponent("https://photos.example/sunset/large.png")}`);
    expect(lookup.opted_out).toBe(false);
    expect(await page.getByRole("article", { name: new RegExp(`^${declaredId} `) }).textContent()).toContain("revoked");
    expect(await page.locator("#mine-status").textContent()).toBe("Declaration revoked.");
  });

  it("switches language: the choice is kept from page to page", async () => {
    await page.goto(url("/declare"));
    await page.getByRole("navigation", { name: "Language" }).getByRole("link", { name: "Français" }).click();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Déclarer vos œuvres");
    expect(await page.getAttribute("html", "lang")).toBe("fr");
    await page.getByRole("link", { name: "Annuaire" }).click();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Annuaire");
    await page.getByRole("navigation", { name: "Langue" }).getByRole("link", { name: "Svenska" }).click();
    expect(await page.getByRole("heading", { level: 2, name: "Registrets status" }).count()).toBe(1);
    await page.getByRole("link", { name: "Kontrollera" }).click();
    expect(await page.getByRole("button", { name: "Kontrollera adresser" }).count()).toBe(1);
    await page.getByRole("link", { name: "English" }).click();
  });

  it("declares with the keyboard alone: key, file (through the file chooser), URL, submit", async () => {
    const p = await newPage({ width: 360 });
    await p.goto(url("/declare"));
    /** Tabs forward until the focused element has this accessible name (or label). */
    const tabTo = async (name: string) => {
      for (let i = 0; i < 80; i++) {
        await p.keyboard.press("Tab");
        // The focused control's label (or its own text, for a button).
        const here = (await p.evaluate(`(() => {
          const el = document.activeElement;
          if (!el) return "";
          const label = el.id ? document.querySelector('label[for="' + el.id + '"]')?.textContent : "";
          return (label || el.getAttribute("aria-label") || el.textContent || "").trim();
        })()`)) as string;
        if (here === name) return;
      }
      throw new Error(`could not reach "${name}" with Tab`);
    };
    await tabTo("Create a new key");
    await p.keyboard.press("Enter");
    await poll(() => p.locator("#key-status").textContent()).toMatch(/Key loaded/);
    const kbKey = /z6Mk\w+/.exec((await p.locator("#key-status").textContent())!)![0];
    // Listen before tabbing: the listener turns on Playwright's file chooser interception, a round trip
    // to the browser that a Space pressed at once could overtake (the chooser then never reaches us).
    const chooserShown = p.waitForEvent("filechooser");
    await tabTo("Your files");
    await p.keyboard.press("Space");
    const chooser = await chooserShown;
    await chooser.setFiles(files.jpeg);
    await poll(() => p.locator("#declare-files-status").textContent()).toContain("1 file ready");
    await tabTo("URL patterns, one per line");
    await p.keyboard.type("https://keyboard.example/*");
    await tabTo("Sign and declare");
    await p.keyboard.press("Enter");
    await poll(() => p.locator("#declare-status").textContent()).toBe("1 declaration registered.");
    const [d] = await declarationsOf(kbKey);
    expect(d.declaration.urls).toEqual(["https://keyboard.example/*"]);
    expect(d.declaration.iscc).toBe((await isccOfFile(files.jpeg)).iscc);
    await context.close();
  });

  it("declares as an agent for one member and for a catalog's members: the registry's label and mandate per declaration; a stranger's conflicting claim shows in My declarations", async () => {
    // The society's did:web: a DID document served on a loopback address of its own, port 80 (a
    // did:web with a port names no domain, and agent-asserted needs one), listing the key the
    // browser makes. A random 127/8 address, so concurrent runs never share it.
    const host = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    const society = `did:web:${host}`;
    let societyKey = "";
    const didHost = createServer((req, res) => {
      if (req.url !== "/.well-known/did.json" || !societyKey) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ id: society, verificationMethod: [{ id: `${society}#key-1`, type: "Multikey", controller: society, publicKeyMultibase: societyKey }] }),
      );
    });
    await new Promise<void>((ok, fail) => didHost.once("error", fail).listen(80, host, ok));
    try {
      const pub = async (k: Keypair) => (await signJson({}, k)).signature.pubkey!;
      const signedPost = async (path: string, k: Keypair, fields: Record<string, unknown>) => {
        const body = await signJson({ version: 1, intent: "activate", timestamp: new Date().toISOString(), nonce: crypto.randomUUID().replace(/-/g, ""), ...fields }, k);
        const res = await fetch(url(path), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        expect(res.status, await res.clone().text()).toBe(201);
        return ((await res.json()) as { id: string }).id;
      };
      const mandated = generateKeypair();
      const unmandated = generateKeypair();
      const [mandatedKey, unmandatedKey] = [await pub(mandated), await pub(unmandated)];
      const mandate = await signedPost("/v1/mandates", mandated, {
        type: "OptOutMandate",
        member: mandatedKey,
        member_isni: "0000000121032683",
        agent: society,
        scope: { all: true },
        valid_until: new Date(Date.now() + 86_400_000).toISOString(),
      });

      // By keyboard: the society's key with its controller, then "for one member" named by ISNI.
      const p = await newPage({ width: 1280 });
      await p.goto(url("/declare"));
      const focusedName = () =>
        p.evaluate(`(() => { const el = document.activeElement; const label = el && el.id ? document.querySelector('label[for="' + el.id + '"]') : null;
          return ((label && label.textContent) || (el && el.closest("label") && el.closest("label").textContent) || (el && el.textContent) || "").trim(); })()`) as Promise<string>;
      const tabTo = async (name: string) => {
        for (let i = 0; i < 80; i++) {
          await p.keyboard.press("Tab");
          if ((await focusedName()) === name) return;
        }
        throw new Error(`could not reach "${name}" with Tab`);
      };
      await tabTo("Your domain as did:web (optional)");
      await p.keyboard.type(society);
      await tabTo("Create a new key");
      await p.keyboard.press("Enter");
      await poll(() => p.locator("#key-status").textContent()).toMatch(/Key loaded/);
      societyKey = /z6Mk\w+/.exec((await p.locator("#key-status").textContent())!)![0];
      await tabTo("For yourself");
      await p.keyboard.press("ArrowDown"); // radios: arrows choose within the group
      expect(await focusedName()).toBe("For one member, as their agent");
      // Named by the ISNI its mandate states: the page declares for the member that mandate names.
      await tabTo("Member: their key (z6Mk…), did:web or ISNI");
      await p.keyboard.type("0000 0001 2103 2683");
      await tabTo("URL patterns, one per line");
      await p.keyboard.type("https://member-one.example/*");
      await tabTo("Sign and declare");
      await p.keyboard.press("Enter");
      await poll(() => p.locator("#declare-status").textContent()).toBe("1 declaration registered.");
      const first = p.locator("#declare-receipts table").first();
      expect(await first.locator("tbody tr").first().textContent()).toContain(`${mandatedKey} ISNI 0000000121032683 (agent, mandated) mandate ${mandate}`);

      // A catalog (as optout import reads it): one row for the member without a mandate, one
      // with a code for the mandated member, whose member comes from the field.
      const code = (await isccOfFile(files.other)).iscc;
      const catalog = join(dir, "members.csv");
      await writeFile(catalog, `name,url,iscc,member,train-ai\nNocturne,https://member-two.example/*,,${unmandatedKey},n\nHarbour,,${code},,n\n`);
      await p.getByRole("radio", { name: "For the members listed in a catalog, as their agent" }).check();
      expect(await p.locator("#declare-works").isHidden()).toBe(true);
      await p.getByLabel("Catalog file (CSV or JSONL)").setInputFiles(catalog);
      await poll(() => p.locator("#declare-catalog-status").textContent()).toBe("2 works ready to declare from members.csv");
      await p.getByRole("button", { name: "Sign and declare" }).click();
      await poll(() => p.locator("#declare-status").textContent()).toBe("2 declarations registered.");
      const rows = await p.locator("#declare-receipts table").first().locator("tbody tr").allTextContents();
      expect(rows[0]).toContain(`Nocturne${unmandatedKey} (agent, no mandate) no mandate on record`);
      expect(rows[1]).toContain(`Harbour${mandatedKey} ISNI 0000000121032683 (agent, mandated) mandate ${mandate}`);
      const listed = (await apiGet(`/v1/declarations?agent=${encodeURIComponent(society)}`)).declarations as any[];
      expect(listed.map((d) => [d.on_behalf_of, d.agent.label, d.agent.mandate])).toEqual([
        [mandatedKey, "agent-mandated", mandate],
        [unmandatedKey, "agent-asserted", null],
        [mandatedKey, "agent-mandated", mandate],
      ]);
      await expectAccessible(p, "declare page in agent mode, with receipts");
      await fitsAndShoot(p, "declare-agent");

      // A stranger claims the Harbour code with the opposite preference: a conflict the society is told of.
      const strangerClaim = await signedPost("/v1/declarations", generateKeypair(), { type: "OptOutDeclaration", iscc: code, preferences: { "train-ai": "y" } });
      await waitUntil(async () => (await apiGet(`/v1/conflicts?declarant=${encodeURIComponent(societyKey)}`)).conflicts.length > 0);
      await p.goto(url("/mine"));
      const conflict = p.getByRole("article", { name: "Opposite preferences for the same work" });
      await poll(() => conflict.count()).toBe(1);
      const text = (await conflict.textContent())!;
      expect(text).toContain(`Later claim: ${strangerClaim} (self-asserted)`);
      expect(text).toMatch(new RegExp(`Earlier declaration: ${listed[2].id} \\(agent, mandated, ${mandatedKey}; yours\\)`));
      expect(text).toContain("Opposite for: AI training");
      await poll(() => p.locator("#mine-notices li").allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining(`Conflict: Opposite preferences for the same work. ${strangerClaim} against ${listed[2].id}`)]),
      );
      await expectAccessible(p, "my declarations with a conflict and notifications");
      await fitsAndShoot(p, "mine-conflicts");
      await context.close();
    } finally {
      await new Promise((ok) => didHost.close(ok));
    }
  }, 120_000);

  it("every page passes axe-core (no serious or critical violations), fits 360 px, and is screenshotted at 1280 and 360 px", async () => {
    // My declarations first: the key imported there stays loaded in this tab for the declare page.
    const pages = ["/mine", "/", "/declare", "/evidence", "/directory", `/directory/${encodeURIComponent(declaredId)}`, "/directory?by=host&q=photos.example"];
    const p = await newPage({ width: 1280 });
    for (const path of pages) {
      await p.goto(url(path));
      if (path === "/mine") {
        await p.getByLabel("Import a key file").setInputFiles(files.key);
        await poll(() => p.locator("#mine-status").textContent()).toBe("2 declarations"); // the declaration and its revocation
      }
      // axe once per page (its rules do not depend on the width); the 360 px layout is checked
      // for sideways scrolling below and by eye in the screenshots.
      const t0 = Date.now();
      await expectAccessible(p, path);
      axeMs.push(Date.now() - t0);
      const name = path === "/" ? "check" : path.startsWith("/directory/") ? "declaration" : path.slice(1).replace(/[^a-z0-9]+/gi, "-").slice(0, 40);
      await fitsAndShoot(p, name);
    }
    await context.close();
    console.log(`axe-core: ${axeMs.length} runs, ${axeMs.join("/")} ms`);
    expect(cspViolations).toEqual([]);
  }, 180_000); // 7 page loads, 7 axe runs and 14 full-page screenshots: ~20 s alone, far more on a loaded machine
});
