/**
 * The `optout` CLI against a real local registry, as a new user would use it (issue 3, "Judged by"):
 * keygen → declare an ISCC and a URL prefix → resolve → match a code 3 bits away → look up a URL
 * under the prefix → revoke → the same lookup says not opted out.
 *
 * The registry is the project's Worker under wrangler's own dev server (workerd, local D1 and
 * Durable Objects), with its state and secrets in a temp directory so the developer's
 * .wrangler/state and .dev.vars are never read or written. The CLI runs as a child process through
 * bin/optout.mjs, exactly as `npx optout` does.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeypair } from "../../src/domain/iscc-sig";
import { encodeEd25519PublicMultikey, encodeEd25519SecretMultikey } from "../../src/domain/multikey";
import { DataHasher, decompose, encodeUnit, genIsccCodeV0, genTextCodeV0, InstanceHasher } from "../../src/iscc/index";

const run = promisify(execFile);
const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/optout.mjs");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

// Set before wrangler loads: no metrics, no fetch of Cloudflare's `Request.cf` template (tests run offline).
process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_LOG ??= "warn";

let dir: string;
let registry: string;
let keyPath: string;
let worker: { dispose(): Promise<void> } | undefined;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function optout(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { ...process.env, OPTOUT_REGISTRY: registry, OPTOUT_KEY: keyPath, NO_COLOR: "1" },
      // Killed well inside the test timeout, so a stuck registry fails with the CLI's output, not a bare timeout.
      timeout: 40_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number | null; killed?: boolean; stdout?: string; stderr?: string };
    if (x.killed) throw new Error(`optout ${args.join(" ")} did not finish in 40 s\n${x.stderr ?? ""}${x.stdout ?? ""}`);
    if (typeof x.code !== "number") throw e;
    return { code: x.code, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

/** Runs a command that must succeed; on failure the CLI's own words make the test message. */
async function ok(...args: string[]): Promise<string> {
  const r = await optout(...args);
  if (r.code !== 0) throw new Error(`optout ${args.join(" ")} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function okJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await ok("--json", ...args)) as T;
}

/** The same unit with `positions` of its body's bits inverted: a near-duplicate at a known distance. */
function flipBits(unitCode: string, positions: number[]): string {
  const [unit] = decompose(unitCode);
  const body = Uint8Array.from(unit!.body);
  for (const p of positions) body[p >> 3]! ^= 0x80 >> (p & 7);
  return encodeUnit(unit!.maintype, unit!.subtype, unit!.version, unit!.bits, body);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "optout-e2e-"));
  keyPath = join(dir, "config", "key.json");
  const state = join(dir, "state");
  const envFile = join(dir, "registry.env");
  await writeFile(
    envFile,
    // RATE_LIMITS=off: the test registers faster than the registration limit allows one client.
    // OBSERVE_ALLOW_LOOPBACK: the sites it observes are fixture servers on this machine.
    `REGISTRY_SECRET_KEY=${encodeEd25519SecretMultikey(generateKeypair().secretKey)}\nOPERATOR_TOKEN=e2e-operator-token\nRATE_LIMITS=off\nOBSERVE_ALLOW_LOOPBACK=true\n`,
    { mode: 0o600 },
  );
  // The same command `npm start` runs, pointed at the temp state directory the server will use.
  await run(process.execPath, [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    cwd: ROOT,
    env: process.env,
  });
  const { unstable_startWorker } = await import("wrangler");
  const w = await unstable_startWorker({
    config: join(ROOT, "wrangler.toml"),
    // An explicit env file replaces .dev.vars entirely (wrangler reads .dev.vars only when none is given).
    envFiles: [envFile],
    dev: { server: { hostname: "127.0.0.1", port: 0 }, persist: state, inspector: false, watch: false },
  });
  worker = w;
  await w.ready;
  registry = (await w.url).origin;
});

afterAll(async () => {
  await worker?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("optout CLI against a local registry", () => {
  it("--help lists every command, and each command has its own help", async () => {
    const help = await ok("--help");
    for (const cmd of ["keygen", "declare", "update", "revoke", "resolve", "lookup", "match", "info"]) {
      expect(help).toMatch(new RegExp(`^  ${cmd}\\b`, "m"));
    }
    const declareHelp = await ok("declare", "--help");
    for (const flag of ["--iscc", "--url", "--datahash", "--file", "--isrc", "--iswc", "--isni", "--isbn", "--doi", "--train-ai", "--ai-use", "--search", "--all", "--name", "--policy", "--controller"]) {
      expect(declareHelp).toContain(flag);
    }
    expect(await ok("match", "--help")).toContain("--max-distance");
    const bare = await optout();
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("Commands:");
  });

  it("keygen writes a 0600 key file and refuses to overwrite it", async () => {
    const out = await ok("keygen");
    expect(out).toMatch(/pubkey\s+z6Mk/);
    const first = await readFile(keyPath, "utf8");
    const key = JSON.parse(first) as { secret: string; pubkey: string };
    expect(key.secret).toMatch(/^z3u2/);
    expect(key.pubkey).toMatch(/^z6Mk/);
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);

    const again = await optout("keygen");
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("already exists");
    expect(await readFile(keyPath, "utf8")).toBe(first);
  });

  it("declare → resolve → match 3 bits away → lookup → revoke → lookup", async () => {
    const registryInfo = await ok("info");
    expect(registryInfo).toContain("hub 1");

    // A text work's ISCC-CODE, built with the project's ISCC library as any ISCC tool would.
    const text = "Sunset over Lisbon: the light on the river, the trams climbing to the castle, and the long evening.";
    const bytes = new TextEncoder().encode(text);
    const content = genTextCodeV0(text).iscc;
    const iscc = genIsccCodeV0([content, new DataHasher(bytes).code(), new InstanceHasher(bytes).code()]).iscc;

    const declared = await ok("declare", "--iscc", iscc, "--url", "https://example.com/art/*", "--train-ai", "n", "--name", "Sunset over Lisbon");
    const id = /^Registered (ISCC:MAI[A-Z2-7]+)/m.exec(declared)?.[1];
    expect(id, declared).toBeDefined();

    const resolved = await ok("resolve", id!);
    expect(resolved).toContain(`${id}  ACTIVE`);
    expect(resolved).toContain(iscc);
    expect(resolved).toContain("https://example.com/art/*");
    expect(resolved).toMatch(/preferences\s+train-ai=n/);

    const near = flipBits(content, [3, 29, 60]);
    expect(near).not.toBe(content);
    const matched = await okJson<{
      results: { opted_out: boolean; matches: { declaration: { id: string }; units: { unit_type: string; distance: number }[] }[] }[];
    }>("match", near);
    const hit = matched.results[0]!.matches.find((m) => m.declaration.id === id);
    expect(hit?.units).toContainEqual(expect.objectContaining({ unit_type: "CONTENT-TEXT-V0", distance: 3 }));
    expect(matched.results[0]!.opted_out).toBe(true);
    expect(await ok("match", near)).toMatch(/OPTED OUT .*train-ai=n[\s\S]*CONTENT-TEXT-V0 distance 3/);
    // Just outside a tight threshold, the same code no longer matches.
    expect(await ok("match", near, "--max-distance", "2")).toContain("no match");

    const url = "https://example.com/art/x.jpg";
    const before = await ok("lookup", url);
    expect(before).toMatch(/^https:\/\/example\.com\/art\/x\.jpg\s+OPTED OUT\s+Content-Usage: [^(]*train-ai=n.*\(1 declaration, self-asserted\)/);
    const batch = await ok("lookup", url, "https://example.com/elsewhere.jpg");
    expect(batch.trim().split("\n")).toEqual([expect.stringContaining("OPTED OUT"), expect.stringContaining("not opted out")]);

    const revoked = await ok("revoke", id!);
    expect(revoked).toContain(`Revoked ${id}`);
    expect(await ok("resolve", id!)).toContain(`${id}  REVOKED`);

    const after = await okJson<{ opted_out: boolean; declarations: unknown[] }>("lookup", url);
    expect(after.opted_out).toBe(false);
    expect(after.declarations).toEqual([]);
    expect(await ok("lookup", url)).toMatch(/not opted out/);
  });

  it("declare --file computes the same ISCC-CODE and datahash as the iscc CLI; update replaces the declaration", async () => {
    const story = join(dir, "story.txt");
    await writeFile(story, "A short story about a lighthouse keeper who counts ships, written for this test and nothing else.\n");
    const image = join(dir, "gradient.png");
    const png = new PNG({ width: 64, height: 48 });
    for (let y = 0; y < 48; y++)
      for (let x = 0; x < 64; x++) png.data.set([x * 4, y * 5, (x * y) & 255, 255], (y * 64 + x) * 4);
    await writeFile(image, PNG.sync.write(png));

    const { stdout } = await run(process.execPath, [join(ROOT, "bin/iscc.mjs"), "--json", story, image], { cwd: dir });
    const reference = JSON.parse(stdout) as { iscc: string; datahash: string }[];

    const ids: string[] = [];
    for (const [i, file] of [story, image].entries()) {
      const receipt = await okJson<{ id: string; status: string }>("declare", "--file", file, "--ai-use", "n");
      expect(receipt.status).toBe("active");
      const stored = await okJson<{ declaration: { iscc: string; datahash: string; vocabulary: number; preferences: Record<string, string> } }>("resolve", receipt.id);
      expect(stored.declaration.iscc).toBe(reference[i]!.iscc);
      expect(stored.declaration.datahash).toBe(reference[i]!.datahash);
      expect(stored.declaration.vocabulary).toBe(2);
      expect(stored.declaration.preferences).toEqual({ "draft-ai-use": "n" });
      ids.push(receipt.id);
    }
    expect(decompose((await okJson<{ declaration: { iscc: string } }>("resolve", ids[1]!)).declaration.iscc)[0]!.typeName).toBe("CONTENT-IMAGE-V0");

    const updated = await okJson<{ id: string }>("update", ids[0]!, "--file", story, "--all", "n");
    expect((await okJson<{ status: string }>("resolve", ids[0]!)).status).toBe("superseded");
    const replacement = await okJson<{ supersedes: string; declaration: { preferences: unknown } }>("resolve", updated.id);
    expect(replacement.supersedes).toBe(ids[0]);
    // --all sets every category of the current vocabulary, which has no umbrella key.
    expect(replacement.declaration.preferences).toEqual({ "train-ai": "n", "draft-ai-use": "n", search: "n" });
  });

  it("declare --isrc --isbn in printed spellings → canonical in the declaration → lookup by identifier, mixed with URLs", async () => {
    const receipt = await okJson<{ id: string }>("declare", "--isrc", "ISRC US-RC1-76-07839", "--isbn", "0-306-40615-2", "--train-ai", "n");
    const stored = await okJson<{ declaration: { identifiers: unknown } }>("resolve", receipt.id);
    expect(stored.declaration.identifiers).toEqual({ isrc: ["USRC17607839"], isbn: ["9780306406157"] });
    expect(await ok("resolve", receipt.id)).toMatch(/identifiers\s+isrc:USRC17607839\n\s+isbn:9780306406157\n/);
    expect(await ok("lookup", "isbn:978-0-306-40615-7")).toMatch(/^isbn:978-0-306-40615-7\s+OPTED OUT\s+Content-Usage: train-ai=n\s+\(1 declaration, self-asserted\)/);
    const mixed = await ok("lookup", "https://example.com/nothing.jpg", "isrc:usrc17607839", "doi:10.1000/182");
    expect(mixed.trim().split("\n")).toEqual([
      expect.stringMatching(/^https:\/\/example\.com\/nothing\.jpg\s+not opted out/),
      expect.stringMatching(/^isrc:usrc17607839\s+OPTED OUT/),
      expect.stringMatching(/^doi:10\.1000\/182\s+not opted out/),
    ]);
    const bad = await optout("declare", "--isbn", "978-0-306-40615-8");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--isbn 978-0-306-40615-8: ISBN-13 check digit is 8, expected 7");
  });

  it("a bad ISCC is refused with the problem's pointer, and a non-zero exit", async () => {
    const r = await optout("declare", "--iscc", "ISCC:NOT-A-CODE", "--url", "https://example.com/bad/*");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("The request is not valid");
    expect(r.stderr).toMatch(/^\s+\/iscc: /m);
    // Nothing was registered for the URL of the refused declaration.
    expect(await ok("lookup", "https://example.com/bad/x")).toMatch(/not opted out/);
  });

  it("usage mistakes exit 2 without contacting the registry", async () => {
    const r = await optout("declare", "--train-ai", "maybe", "--url", "https://example.com/*");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--train-ai takes y or n");
    expect((await optout("frobnicate")).code).toBe(2);
    expect((await optout("resolve")).code).toBe(2);
  });
});

describe("optout verify and audit (an auditor's view)", () => {
  it("verify checks signature, receipt and inclusion in the signed checkpoint", async () => {
    const declared = await okJson<{ id: string }>("declare", "--url", "https://verify.example/works/*", "--train-ai", "n");
    const out = await ok("verify", declared.id);
    expect(out).toMatch(/^ok\s+declarant signature/m);
    expect(out).toMatch(/^ok\s+registry receipt/m);
    expect(out).toMatch(/^ok\s+signed checkpoint/m);
    expect(out).toMatch(/^ok\s+log inclusion/m);
    expect(out).toContain("VERIFIED");
    const info = await okJson<{ public_key: string }>("info");
    const pinned = await optout("verify", declared.id, "--registry-key", info.public_key);
    expect(pinned.code).toBe(0);
    const wrong = await optout("verify", declared.id, "--registry-key", generateKeypairMultikey());
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("not the pinned");
  });

  it("audit keeps checkpoints and proves each new one extends the last; a rewritten history fails", async () => {
    const state = join(dir, "audit.json");
    expect(await ok("audit", registry, "--state", state)).toContain("first checkpoint kept");
    await ok("declare", "--url", "https://audit.example/a", "--train-ai", "n");
    await ok("declare", "--url", "https://audit.example/b", "--train-ai", "n");
    expect(await ok("audit", registry, "--state", state)).toMatch(/\(\+2\); consistent with the \d+-entry checkpoint/);
    const kept = JSON.parse(await readFile(state, "utf8")) as { checkpoints: { size: number; root: string }[] };
    expect(kept.checkpoints).toHaveLength(2);
    // Pretend the registry once showed a different history: the next round must refuse.
    kept.checkpoints[1]!.root = kept.checkpoints[0]!.root;
    await writeFile(state, JSON.stringify(kept));
    await ok("declare", "--url", "https://audit.example/c", "--train-ai", "n");
    const r = await optout("audit", registry, "--state", state);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("LOG INCONSISTENT");
  });
});

describe("optout check and declare --from (what sites publish)", () => {
  it("declare --from robots.txt and an image; check combines the site's signals with the registry", async () => {
    const { startFixtureSites } = await import("../support/fixture-sites");
    const { embedInPng } = await import("../../src/dialects/image-metadata");
    const { PLUS_VOCAB, writeXmp } = await import("../../src/dialects/xmp");
    const site = await startFixtureSites({
      default: {
        "/robots.txt": { headers: { "content-type": "text/plain" }, body: "User-agent: *\nAllow: /\nContent-Usage: /open/ train-ai=y\n" },
        "/open/page": { headers: { "content-type": "text/html", "content-usage": "search=y" }, body: "<html><head></head><body></body></html>" },
        "/declared/page": { headers: { "content-type": "text/html" }, body: "<html></html>" },
      },
    });
    try {
      await stat(keyPath).catch(() => ok("keygen"));
      const host = `127.0.0.1:${site.port}`;
      // declare --from a robots.txt file: one declaration per distinct statement.
      await writeFile(join(dir, "robots.txt"), "User-agent: *\nContent-Usage: /declared/ train-ai=n, search=y\nContent-Signal: /declared/ ai-input=no\n");
      const receipts = await okJson<{ id: string }[]>("declare", "--from", join(dir, "robots.txt"), "--host", host);
      expect(receipts).toHaveLength(1);
      const stored = await okJson<{ declaration: { urls: string[]; vocabulary: number; preferences: Record<string, string> } }>("resolve", receipts[0]!.id);
      expect(stored.declaration).toMatchObject({ urls: [`https://${host}/declared/*`], vocabulary: 2, preferences: { "train-ai": "n", "draft-ai-use": "n", search: "y" } });
      // publish: the same statements back, for the site to serve.
      const published = await ok("publish", host, "robots.txt");
      expect(published).toContain("Content-Usage: /declared/ train-ai=n, search=y\nContent-Signal: /declared/ search=yes, ai-input=no, ai-train=no");

      const lines = (await ok("check", "--json", `http://${host}/open/page`, `http://${host}/declared/page`)).trim().split("\n");
      const [open, declared] = lines.map((l) => JSON.parse(l) as { url: string; verdict: string; sources: { kind: string; status: string; statement: string | null }[] });
      expect(open!).toMatchObject({ url: `http://${host}/open/page`, verdict: "allowed" });
      expect(open!.sources.map((s) => [s.kind, s.status])).toEqual(
        expect.arrayContaining([["robots-txt", "stated"], ["content-usage-robots", "stated"], ["content-usage-header", "stated"], ["registry", "absent"]]),
      );
      expect(declared!.verdict).toBe("disallowed");
      // The declarant is self-asserted for 127.0.0.1: its n counts, its search=y does not (src/domain/consent.ts).
      expect(declared!.sources.find((s) => s.kind === "registry")).toMatchObject({ status: "stated", statement: "Content-Usage: train-ai=n" });
      expect(await ok("check", `http://${host}/declared/page`, "--use", "search")).toMatch(/^UNKNOWN +http:\/\/127\.0\.0\.1:\d+\/declared\/page/);
      expect((await optout("check", "--use", "everything", `http://${host}/x`)).code).toBe(2);

      // observe: the registry reads the same site itself, logs it, and the CLI verifies the answer.
      const notarized = await okJson<{ ok: boolean; steps: { step: string; ok: boolean }[]; digest: string; observation: { sources: { kind: string; status: string; statement: string | null }[] } }>(
        "observe",
        `http://${host}/open/page`,
      );
      expect(notarized.ok).toBe(true);
      expect(notarized.steps.map((s) => s.step)).toEqual(["registry signature", "registry receipt", "signed checkpoint", "log inclusion"]);
      expect(notarized.observation.sources).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: "content-usage-robots", status: "stated", statement: "Content-Usage: /open/ train-ai=y" })]),
      );
      const history = (await (await fetch(`${registry}/v1/observations?host=${host}`)).json()) as { observations: { digest: string }[] };
      expect(history.observations.map((o) => o.digest)).toEqual([notarized.digest]);
      const refused = await optout("observe", "http://10.0.0.1/");
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("/url");

      // declare --from an image with IPTC Data Mining metadata: its ISCC is the subject.
      const { PNG } = await import("pngjs");
      const img = new PNG({ width: 32, height: 32 });
      for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 7) & 255;
      const file = join(dir, "reserved.png");
      await writeFile(file, embedInPng(new Uint8Array(PNG.sync.write(img)), { xmp: writeXmp({ dataMining: { value: PLUS_VOCAB + "DMI-PROHIBITED-AIMLTRAINING", term: "DMI-PROHIBITED-AIMLTRAINING" } }) }));
      const [fromImage] = await okJson<{ id: string }[]>("declare", "--from", file);
      const image = await okJson<{ declaration: { iscc: string; datahash: string; preferences: Record<string, string> } }>("resolve", fromImage!.id);
      expect(image.declaration.preferences).toEqual({ "train-ai": "n" });
      expect(image.declaration.iscc).toMatch(/^ISCC:/);
    } finally {
      await site.close();
    }
  });
});

function generateKeypairMultikey(): string {
  return encodeEd25519PublicMultikey(generateKeypair().publicKey);
}
