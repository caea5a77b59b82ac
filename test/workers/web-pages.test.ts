/**
 * The web app's pages and the API routes they rely on, through the Worker: every page renders in
 * each language with the strict CSP, the directory searches by host/URL/ISCC/declarant and shows the
 * registry's status, and an evidence file from the API verifies offline (and fails when tampered).
 */
import { describe, expect, it } from "vitest";
import { keypairFromSecret } from "../../src/domain/iscc-sig";
import { verifyEvidence, type EvidenceFile } from "../../src/log/evidence";
import { contentUnit, declaration, get, newKey, post, randomBody } from "./helpers";

const PAGES = ["/", "/declare", "/mine", "/evidence", "/directory"];

async function page(path: string, headers: Record<string, string> = {}) {
  const res = await SELF_fetch(path, headers);
  return { status: res.status, headers: res.headers, html: await res.text() };
}

import { SELF } from "cloudflare:test";
const SELF_fetch = (path: string, headers: Record<string, string>) => SELF.fetch("http://registry.test" + path, { headers, redirect: "manual" });

describe("pages", () => {
  it("every page is HTML under a strict CSP, with no inline script and its island from /assets", async () => {
    for (const path of PAGES) {
      const p = await page(path);
      expect(p.status, path).toBe(200);
      expect(p.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(p.headers.get("content-security-policy")).toMatch(/^default-src 'self';/);
      expect(p.html.startsWith("<!doctype html>")).toBe(true);
      // Scripts are either external modules from this origin or non-executable JSON data.
      for (const tag of p.html.match(/<script[^>]*>/g) ?? []) expect(tag, path).toMatch(/type="module" src="\/assets\/|type="application\/json"/);
      expect(p.html).not.toMatch(/ on[a-z]+="/);
      expect(p.html).not.toMatch(/style="/);
      expect(p.html).not.toMatch(/https?:\/\/(?!example\.com|registry\.test)[a-z]/i);
    }
  });

  it("speaks the reader's language: Accept-Language, then an explicit choice kept in a cookie", async () => {
    const fr = await page("/", { "accept-language": "fr-CA,fr;q=0.9,en;q=0.5" });
    expect(fr.html).toContain('<html lang="fr">');
    expect(fr.html).toContain("Vérifier les adresses");
    expect(fr.headers.get("content-language")).toBe("fr");
    const sv = await page("/declare?lang=sv", { "accept-language": "fr" });
    expect(sv.html).toContain('<html lang="sv">');
    expect(sv.html).toContain("Signera och deklarera");
    expect(sv.headers.get("set-cookie")).toMatch(/^lang=sv;/);
    const kept = await page("/directory", { cookie: "lang=sv", "accept-language": "fr" });
    expect(kept.html).toContain("Registrets status");
    const fallback = await page("/", { "accept-language": "de-DE,de;q=0.9" });
    expect(fallback.html).toContain('<html lang="en">');
  });

  it("the declare page offers every key of the preference vocabulary", async () => {
    const { CATEGORIES } = await import("../../src/domain/preferences");
    const p = await page("/declare");
    for (const key of CATEGORIES) expect(p.html).toContain(`data-pref="${key}"`);
  });

  it("the page data block cannot be closed by content", async () => {
    const p = await page("/evidence?id=%3C/script%3E%3Cscript%3Ealert(1)%3C/script%3E");
    expect(p.html).not.toContain("<script>alert(1)");
    expect(p.html).toContain("&lt;/script&gt;");
  });
});

describe("directory, status and evidence", () => {
  it("finds declarations by host, URL, ISCC and declarant; a bad ISCC is explained next to the field", async () => {
    const key = newKey();
    const unit = contentUnit(randomBody());
    const host = `web${Date.now()}.example.com`;
    const r = await post("/v1/declarations", await declaration(key, { urls: [`https://${host}/art/*`], iscc: unit, name: "Sunset over Lisbon" }));
    expect(r.status).toBe(201);
    const other = await post("/v1/declarations", await declaration(key, { urls: [`https://*.${host.split(".").slice(1).join(".")}/*`] }));
    expect(other.status).toBe(201);

    const byHost = await get(`/v1/declarations?host=${host}`);
    expect(byHost.status).toBe(200);
    const ids = byHost.body.declarations.map((d: { id: string }) => d.id);
    expect(ids).toContain(r.body.id);
    expect(ids).toContain(other.body.id); // the parent domain's whole-host rule covers it
    expect((await get(`/v1/declarations?host=elsewhere-${Date.now()}.org`)).body.declarations).toEqual([]);
    expect((await get(`/v1/declarations?host=a%20b`)).status).toBe(422);

    for (const [by, q] of [
      ["host", host],
      ["url", `https://${host}/art/sunset.jpg`],
      ["iscc", unit],
      ["declarant", r.body.receipt ? (await get(`/v1/declarations/${r.body.id}`)).body.declarant : ""],
    ]) {
      const p = await page(`/directory?by=${by}&q=${encodeURIComponent(q!)}`);
      expect(p.status, by).toBe(200);
      expect(p.html, by).toContain(r.body.id);
      expect(p.html, by).toContain("Sunset over Lisbon");
    }
    const bad = await page("/directory?by=iscc&q=ISCC:NOTACODE");
    expect(bad.status).toBe(422);
    expect(bad.html).toMatch(/<p class="error" id="directory-error" role="alert">[^<]+<\/p>/);

    const detail = await page(`/directory/${encodeURIComponent(r.body.id)}`);
    expect(detail.status).toBe(200);
    expect(detail.html).toContain("self-asserted");
    expect(detail.html).toContain(`/v1/declarations/${encodeURIComponent(r.body.id)}/evidence`);
    expect((await page("/directory/ISCC:MAIWFAKEFAKEFAKE")).status).toBe(404);
  });

  it("a declaration's page labels each URL subject as the registry decided it at registration, and lists its work identifiers", async () => {
    // did:web:photos.example lists this key (test/fakes/did-hosts.ts): its URLs on photos.example are domain-verified.
    const owner = keypairFromSecret(new Uint8Array(32).fill(0x42), { controller: "did:web:photos.example" });
    const tag = Date.now();
    const r = await post(
      "/v1/declarations",
      await declaration(owner, { urls: [`https://photos.example/web-${tag}/*`, `https://elsewhere-${tag}.example/x`], identifiers: { isrc: ["USRC17607839"] }, preferences: { "train-ai": "y" } }),
    );
    expect(r.status).toBe(201);
    const detail = await page(`/directory/${encodeURIComponent(r.body.id)}`);
    expect(detail.html).toContain(`<code>https://photos.example/web-${tag}/*</code> <span class="trust">(domain-verified)</span>`);
    expect(detail.html).toContain(`<code>https://elsewhere-${tag}.example/x</code> <span class="trust">(self-asserted)</span>`);
    expect(detail.html).toContain("ISRC <code>USRC17607839</code>");
    const sv = await page(`/directory/${encodeURIComponent(r.body.id)}?lang=sv`);
    expect(sv.html).toContain("(domänverifierad)");
  });

  it("GET /v1/status: declarations held, the log's size and root, partner registries", async () => {
    const s = await get("/v1/status");
    expect(s.status).toBe(200);
    expect(s.body.log.size).toBeGreaterThanOrEqual(0);
    expect(s.body.log.size).toBe(s.body.declarations);
    expect(s.body.log.checkpoint).toContain(s.body.log.root);
    expect(Array.isArray(s.body.peers)).toBe(true);
  });

  it("an evidence file from the API verifies offline; tampering with any part fails", async () => {
    const key = newKey();
    const r = await post("/v1/declarations", await declaration(key, { iscc: contentUnit(randomBody()) }));
    const res = await SELF.fetch(`http://registry.test/v1/declarations/${encodeURIComponent(r.body.id)}/evidence`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="evidence-MAI[A-Z0-9]+\.json"$/);
    const text = await res.text();
    const file = JSON.parse(text) as EvidenceFile;
    const ok = await verifyEvidence(text);
    expect(ok.steps.filter((s) => !s.ok)).toEqual([]);
    expect(ok.ok).toBe(true);
    expect(ok.id).toBe(r.body.id);
    const wellKnown = await get("/.well-known/opt-out-registry");
    expect((await verifyEvidence(text, { registryKey: wellKnown.body.public_key })).ok).toBe(true);
    expect((await verifyEvidence(text, { registryKey: key.publicKey ? "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK" : "" })).ok).toBe(false);

    const tampered = structuredClone(file);
    (tampered.declaration as { preferences: Record<string, string> }).preferences = { "train-ai": "y" };
    expect((await verifyEvidence(tampered)).ok).toBe(false);
    const badReceipt = structuredClone(file);
    badReceipt.receipt.registered_at = "2020-01-01T00:00:00.000Z";
    expect((await verifyEvidence(badReceipt)).ok).toBe(false);
    expect((await get("/v1/declarations/ISCC:MAIWFAKEFAKEFAKE/evidence")).status).toBe(404);

    const redirect = await SELF.fetch(`http://registry.test/evidence/download?id=${encodeURIComponent(r.body.id)}`, { redirect: "manual" });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get("location")).toBe(`/v1/declarations/${encodeURIComponent(r.body.id)}/evidence`);
  });
});
