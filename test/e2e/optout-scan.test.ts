/**
 * `optout scan` against a real registry (a `wrangler dev` process): originals are declared, then a dataset of
 * their resized, re-encoded and converted copies (image, text, audio, video) mixed with works never declared is
 * scanned through the CLI, exactly as `npx optout scan` runs. Exactly the copies must be excluded, by content
 * similarity, by datahash (an identical copy) or by URL; a second scan must come from the fingerprint cache.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildActivateOrUpdate, buildRevoke, signDeclaration } from "../../src/cli/declaration";
import { generateKeypair } from "../../src/domain/iscc-sig";
import { isccOfFile } from "../../src/media/file-iscc";
import { haveTools } from "../support/system-tool";
import { startCluster, type Cluster } from "./federation-cluster";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/optout.mjs");
const media = haveTools("optout scan e2e", { command: "ffmpeg", apt: "ffmpeg" }, { command: "fpcalc", apt: "libchromaprint-tools" });

let cluster: Cluster;
let dir: string;
const ffmpeg = (...args: string[]) => execFileSync("ffmpeg", ["-nostdin", "-v", "error", "-y", ...args]);
const MELODY = (base: number, step: number) =>
  `aevalsrc='0.4*sin(2*PI*t*${base}*pow(2,mod(floor(t*4)*${step},12)/12))+0.2*sin(2*PI*t*${base / 2}*pow(2,mod(floor(t*2)*7,12)/12))':d=6:s=22050`;
const TEXT_A = "Das Lied von der Glocke: Fest gemauert in der Erden steht die Form, aus Lehm gebrannt. Heute muss die Glocke werden, frisch, Gesellen, seid zur Hand! Von der Stirne heiß rinnen muss der Schweiß, soll das Werk den Meister loben; doch der Segen kommt von oben.";
const TEXT_B = "Der Erlkönig: Wer reitet so spät durch Nacht und Wind? Es ist der Vater mit seinem Kind; er hat den Knaben wohl in dem Arm, er fasst ihn sicher, er hält ihn warm. Mein Sohn, was birgst du so bang dein Gesicht?";

async function optout(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { ...process.env, OPTOUT_REGISTRY: cluster.registries[0]!.url, XDG_CACHE_HOME: join(dir, "cache"), NO_COLOR: "1" },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

/** Signs and registers one declaration per file (its ISCC-CODE and datahash), plus one per other subject given; returns the ids and the key. */
async function declare(files: string[], others: object[] = []): Promise<{ ids: string[]; keypair: ReturnType<typeof generateKeypair> }> {
  const keypair = generateKeypair();
  const terms = await Promise.all(
    files.map(async (f) => {
      const r = await isccOfFile(f);
      expect(r.notComputed, f).toBeUndefined();
      return { iscc: r.iscc, datahash: r.datahash };
    }),
  );
  terms.push(...(others as never[]));
  const signed = await Promise.all(terms.map((t) => signDeclaration(buildActivateOrUpdate({ ...t, preferences: { "train-ai": "n" } }), keypair)));
  const ids = await register(signed);
  return { ids, keypair };
}

async function register(signed: object[]): Promise<string[]> {
  const res = await fetch(`${cluster.registries[0]!.url}/v1/declarations/batch`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(signed),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { results: { id: string }[] }).results.map((r) => r.id);
}

beforeAll(async () => {
  cluster = await startCluster(1);
  dir = cluster.dir;
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

describe.skipIf(!media)("optout scan against a local registry", () => {
  it("flags exactly the copies of declared works in a mixed dataset, by content, datahash, URL and work identifier; a re-scan comes from the cache", async () => {
    const originals = join(dir, "originals");
    const data = join(dir, "dataset");
    await mkdir(originals, { recursive: true });
    await mkdir(join(data, "img"), { recursive: true });
    await mkdir(join(data, "txt"), { recursive: true });
    await mkdir(join(data, "av"), { recursive: true });
    // originals
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", join(originals, "picture.png"));
    await writeFile(join(originals, "poem.txt"), TEXT_A);
    ffmpeg("-f", "lavfi", "-i", MELODY(220, 5), join(originals, "song.wav"));
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=128x96:rate=15:duration=2", "-pix_fmt", "yuv420p", join(originals, "clip.mp4"));
    const first = await declare(["picture.png", "poem.txt", "song.wav", "clip.mp4"].map((f) => join(originals, f)), [{ urls: ["https://images.example/reserved/*"] }, { identifiers: { isrc: ["USRC17607839"] } }]);

    // copies: resized, re-encoded, converted
    ffmpeg("-i", join(originals, "picture.png"), "-vf", "scale=200:150", "-q:v", "4", join(data, "img", "picture-small.jpg"));
    ffmpeg("-i", join(originals, "picture.png"), "-vf", "scale=160:120", join(data, "img", "picture.webp"));
    await writeFile(join(data, "txt", "poem.html"), `<html><head><title>Schiller</title></head><body><p>${TEXT_A.replace(/\. /g, ".</p><p>")}</p></body></html>`);
    await writeFile(join(data, "txt", "poem-copy.txt"), TEXT_A); // byte-identical: matches by datahash too
    ffmpeg("-i", join(originals, "song.wav"), "-b:a", "64k", join(data, "av", "song.mp3"));
    ffmpeg("-i", join(originals, "clip.mp4"), "-vf", "scale=96:72", "-c:v", "libvpx", "-b:v", "300k", join(data, "av", "clip.webm"));
    // never declared
    ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=320x240", "-frames:v", "1", join(data, "img", "fractal.png"));
    await writeFile(join(data, "txt", "ballad.txt"), TEXT_B);
    ffmpeg("-f", "lavfi", "-i", MELODY(247, 7), join(data, "av", "other-song.wav"));
    ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=128x96:rate=15", "-t", "2", "-pix_fmt", "yuv420p", join(data, "av", "other-clip.mp4"));
    await writeFile(join(data, "notes.bin"), Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]));

    const r = await optout("scan", "dataset", "--report", "report.jsonl", "--exclude-list", "exclude.txt");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/scan: \d+\/?\d* files/); // plain progress lines (not a terminal)
    const lines = (await readFile(join(dir, "report.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    const verdicts = Object.fromEntries(lines.map((l) => [l.path.slice(data.length + 1), l.verdict]));
    expect(verdicts).toEqual({
      "img/picture-small.jpg": "excluded",
      "img/picture.webp": "excluded",
      "txt/poem.html": "excluded",
      "txt/poem-copy.txt": "excluded",
      "av/song.mp3": "excluded",
      "av/clip.webm": "excluded",
      "img/fractal.png": "unknown",
      "txt/ballad.txt": "unknown",
      "av/other-song.wav": "unknown",
      "av/other-clip.mp4": "unknown",
      "notes.bin": "unknown",
    });
    const copy = lines.find((l) => l.path.endsWith("poem-copy.txt"));
    expect(copy.matches).toHaveLength(1);
    expect(copy.matches[0].declaration).toMatch(/^ISCC:MAI/);
    expect(copy.matches[0].trust).toBe("self-asserted");
    // identical bytes: every unit matches, the instance unit exactly
    expect(copy.matches[0].matched.map((m: { unit_type: string; distance: number }) => [m.unit_type, m.distance]).sort()).toEqual([
      ["CONTENT-TEXT-V0", 0],
      ["DATA-NONE-V0", 0],
      ["INSTANCE-NONE-V0", 0],
    ]);
    const webp = lines.find((l) => l.path.endsWith("picture.webp"));
    expect(webp.matches[0].matched).toContainEqual(expect.objectContaining({ by: "iscc", unit_type: "CONTENT-IMAGE-V0" }));
    const excluded = (await readFile(join(dir, "exclude.txt"), "utf8")).trim().split("\n").sort();
    expect(excluded).toEqual(lines.filter((l) => l.verdict === "excluded").map((l) => l.path).sort());

    // unchanged files: nothing fingerprinted again
    const again = await optout("--json", "scan", "dataset", "--report", "report.csv", "--format", "csv", "--quiet");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe("");
    const summary = JSON.parse(again.stdout);
    // the registry did not change either: every answer of the first scan still holds, no match request
    expect(summary).toMatchObject({ items: 11, fingerprinted: 0, cached: 11, requests: 0, answersReused: 11, counts: { excluded: 6, unknown: 5, allowed: 0, error: 0 } });
    const csv = (await readFile(join(dir, "report.csv"), "utf8")).trim().split("\n");
    expect(csv[0]).toBe("path,url,identifiers,iscc,datahash,verdict,preference,reason,matches");
    expect(csv).toHaveLength(12);

    // offline: the same verdicts from the signed snapshots, with no match request; an altered snapshot is refused
    const off = await optout("--json", "scan", "dataset", "--snapshot", "snap", "--report", "offline.jsonl", "--quiet");
    expect(off.code, off.stderr).toBe(0);
    expect(JSON.parse(off.stdout)).toMatchObject({ items: 11, requests: 0, counts: { excluded: 6, unknown: 5 } });
    const offline = (await readFile(join(dir, "offline.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(Object.fromEntries(offline.map((l) => [l.path.slice(data.length + 1), l.verdict]))).toEqual(verdicts);
    const snapFile = join(dir, "snap", "units.snapshot");
    const bytes = await readFile(snapFile);
    bytes[bytes.length - 100]! ^= 1;
    await writeFile(snapFile, bytes);
    const tampered = await optout("scan", "dataset", "--snapshot", "snap", "--report", "x.jsonl", "--quiet");
    expect(tampered.code).toBe(2);
    expect(tampered.stderr).toMatch(/signature does not verify/);

    // a manifest (JSONL, relative paths): a never-declared file published under a declared URL prefix is
    // excluded by its URL; a URL-only row is looked up alone; work identifiers match exactly, in any spelling
    await writeFile(
      join(dir, "manifest.jsonl"),
      [
        { path: "dataset/img/fractal.png", url: "https://images.example/reserved/fractal.png" },
        { path: "dataset/txt/ballad.txt", url: "https://images.example/open/ballad.txt" },
        { url: "https://images.example/reserved/elsewhere.jpg" },
        { url: "not a url" },
        { url: "https://images.example/open/track.mp3", isrc: "US-RC1-76-07839" },
        { identifiers: ["isrc:GBAYE0000001"] },
        { identifiers: { isrc: ["usrc17607839"] } },
        { identifiers: ["isbn:978-0-306-40615-8"] },
      ]
        .map((o) => JSON.stringify(o))
        .join("\n"),
    );
    const m = await optout("scan", "manifest.jsonl", "--report", "manifest-report.jsonl", "--exclude-list", "manifest-exclude.txt", "--quiet");
    expect(m.code, m.stderr).toBe(0);
    const rows = (await readFile(join(dir, "manifest-report.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    const byUrl = Object.fromEntries(rows.map((l) => [l.url, l]));
    expect(byUrl["https://images.example/reserved/fractal.png"]).toMatchObject({ verdict: "excluded", path: join(data, "img", "fractal.png") });
    expect(byUrl["https://images.example/reserved/fractal.png"].matches[0].matched).toEqual([{ by: "url", pattern: "https://images.example/reserved/*", kind: "prefix" }]);
    expect(byUrl["https://images.example/open/ballad.txt"].verdict).toBe("unknown");
    expect(byUrl["https://images.example/reserved/elsewhere.jpg"].verdict).toBe("excluded");
    expect(byUrl["not a url"]).toMatchObject({ verdict: "error", reason: expect.stringMatching(/url/i) });
    expect(byUrl["https://images.example/open/track.mp3"]).toMatchObject({ verdict: "excluded", identifiers: ["isrc:USRC17607839"] });
    expect(byUrl["https://images.example/open/track.mp3"].matches[0].matched).toEqual([{ by: "identifier", identifier: "isrc:USRC17607839" }]);
    const byIds = Object.fromEntries(rows.filter((l) => !l.url).map((l) => [l.identifiers?.[0] ?? l.reason, l]));
    expect(byIds["isrc:GBAYE0000001"]).toMatchObject({ verdict: "unknown", matches: [] });
    expect(byIds["isrc:USRC17607839"]).toMatchObject({ verdict: "excluded" });
    expect(byIds["isbn:978-0-306-40615-8: ISBN-13 check digit is 8, expected 7"]).toMatchObject({ verdict: "error" });
    expect((await readFile(join(dir, "manifest-exclude.txt"), "utf8")).trim().split("\n").sort()).toEqual([
      join(data, "img", "fractal.png"),
      "https://images.example/reserved/elsewhere.jpg",
      "https://images.example/open/track.mp3",
      "isrc:USRC17607839",
    ].sort());

    // the registry changes after a scan: a declaration of the ballad, the poem's declaration revoked. A re-scan
    // asks again only for the codes these touch, and answers exactly what a scan that keeps nothing answers.
    await declare([join(dir, "dataset", "txt", "ballad.txt")]);
    await register([await signDeclaration(buildRevoke(first.ids[1]!), first.keypair)]);
    const changed = await optout("--json", "scan", "dataset", "--report", "changed.jsonl", "--quiet");
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({ items: 11, requests: 1, answersReused: 8, counts: { excluded: 5, unknown: 6 } });
    const full = await optout("--json", "scan", "dataset", "--report", "full.jsonl", "--no-cache", "--quiet");
    expect(JSON.parse(full.stdout)).toMatchObject({ answersReused: 0, counts: { excluded: 5, unknown: 6 } });
    const report = async (f: string) => (await readFile(join(dir, f), "utf8")).trim().split("\n").map((l) => JSON.parse(l)).sort((a, b) => a.path.localeCompare(b.path));
    expect(await report("changed.jsonl")).toEqual(await report("full.jsonl"));
    const verdictOf = Object.fromEntries((await report("changed.jsonl")).map((l) => [l.path.slice(data.length + 1), l.verdict]));
    expect(verdictOf).toMatchObject({ "txt/ballad.txt": "excluded", "txt/poem.html": "unknown", "txt/poem-copy.txt": "unknown", "img/picture.webp": "excluded" });
    const still = await optout("--json", "scan", "dataset", "--report", "still.jsonl", "--quiet");
    expect(JSON.parse(still.stdout)).toMatchObject({ requests: 0, answersReused: 11, counts: { excluded: 5, unknown: 6 } });
  }, 240_000);
});

describe.skipIf(!media)("optout import against a local registry", () => {
  it("registers a catalog once, however often it runs, even when killed mid-import", async () => {
    const keyPath = join(dir, "label-key.json");
    const env = { ...process.env, OPTOUT_REGISTRY: cluster.registries[0]!.url, OPTOUT_KEY: keyPath, NO_COLOR: "1" };
    await run(process.execPath, [BIN, "keygen"], { cwd: dir, env });
    const pubkey = JSON.parse(await readFile(keyPath, "utf8")).pubkey as string;
    // 1,500 works (two batches): a few files (fingerprinted) and many tracks declared by URL (a few also by
    // ISRC), with a row repeated
    await mkdir(join(dir, "catalog"), { recursive: true });
    const rows = ["path,url,name,search,isrc"];
    const isrc = (i: number) => (i < 5 ? `QZ-ES8-00-0000${i}` : "");
    for (let i = 0; i < 1492; i++) rows.push(`,https://label.example/tracks/${i}/*,"Track ${i}, remastered",${i % 2 ? "y" : ""},${isrc(i)}`);
    rows.push(rows[rows.length - 1]!);
    // the files come last: the second batch waits for their fingerprints, so it is not registered together
    // with the first (two batches may be in flight at once)
    for (let i = 0; i < 8; i++) {
      await writeFile(join(dir, "catalog", `liner-notes-${i}.txt`), `Liner notes for album ${i}: ${TEXT_B.slice(i * 7)}`);
      rows.push(`liner-notes-${i}.txt,,Liner notes ${i},,`);
    }
    await writeFile(join(dir, "catalog", "catalog.csv"), rows.join("\n") + "\n");
    const journal = join(dir, "catalog", "catalog.journal.jsonl");

    // killed as soon as the first batch is registered: the journal shows it, the rest is not yet done. The
    // import reaches the registry through a gate that passes the first batch and holds every later one
    // unanswered, so the kill cannot come after both batches were registered (two may be in flight at once).
    const target = new URL(cluster.registries[0]!.url);
    let batchesSeen = 0;
    const gate = createServer((req, res) => {
      if (req.method === "POST" && req.url?.startsWith("/v1/declarations/batch") && batchesSeen++ > 0) return; // held until the kill
      const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((ok) => gate.listen(0, "127.0.0.1", ok));
    const gated = { ...env, OPTOUT_REGISTRY: `http://127.0.0.1:${(gate.address() as AddressInfo).port}` };
    const child = spawn(process.execPath, [BIN, "import", "catalog/catalog.csv", "--quiet"], { cwd: dir, env: gated, stdio: "ignore" });
    const exited = new Promise((ok) => child.once("exit", ok));
    let registeredAtKill = 0;
    for (;;) {
      const text = await readFile(journal, "utf8").catch(() => "");
      registeredAtKill = (text.match(/"state":"registered"/g) ?? []).length;
      if (registeredAtKill > 0 || child.exitCode !== null) break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    child.kill("SIGKILL");
    await exited;
    gate.closeAllConnections();
    await new Promise((ok) => gate.close(ok));
    expect(registeredAtKill).toBeGreaterThan(0);
    expect(registeredAtKill).toBeLessThan(1500);

    const second = await run(process.execPath, [BIN, "--json", "import", "catalog/catalog.csv", "--quiet"], { cwd: dir, env });
    const s2 = JSON.parse(second.stdout);
    expect(s2).toMatchObject({ rows: 1501, failed: 0 });
    expect(s2.created).toBeLessThan(1500);
    const third = await run(process.execPath, [BIN, "--json", "import", "catalog/catalog.csv", "--quiet"], { cwd: dir, env });
    expect(JSON.parse(third.stdout)).toMatchObject({ rows: 1501, created: 0, already: 1501, failed: 0, requests: 0 });

    // the registry holds each work exactly once
    const ids: string[] = [];
    for (let cursor: string | null = ""; cursor !== null; ) {
      const res = await fetch(`${cluster.registries[0]!.url}/v1/declarations?declarant=${pubkey}&limit=1000${cursor ? `&cursor=${cursor}` : ""}`);
      const page = (await res.json()) as { declarations: { id: string; declaration: { name?: string; urls?: string[]; iscc?: string } }[]; next_cursor: string | null };
      ids.push(...page.declarations.map((d) => d.id));
      cursor = page.next_cursor;
    }
    expect(ids).toHaveLength(1500);
    expect(new Set(ids).size).toBe(1500);
    const receipts = (await readFile(join(dir, "catalog", "catalog.receipts.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(new Set(receipts.map((r) => r.id))).toEqual(new Set(ids));
    // identifier columns become canonical identifier subjects
    const track = (await (await fetch(`${cluster.registries[0]!.url}/v1/lookup?isrc=QZES80000003`)).json()) as { declarations: { id: string }[] };
    expect(track.declarations).toHaveLength(1);
    expect(ids).toContain(track.declarations[0]!.id);
  }, 240_000);
});
