/**
 * `optout lookup --snapshot FILE` against a stand-in registry (a Node HTTP server): URLs the snapshot
 * rules out are answered locally, the others by the API, and an altered snapshot is refused.
 */
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lookupWithSnapshot } from "../../src/cli/snapshot";
import { RegistryClient } from "../../src/cli/registry-client";
import { generateKeypair } from "../../src/domain/iscc-sig";
import { encodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { matchKey } from "../../src/domain/url-normalize";
import { parseUrlPattern } from "../../src/domain/url-pattern";
import { BinaryFuse16 } from "../../src/filter/binary-fuse";
import { encodeSnapshot } from "../../src/filter/snapshot-format";
import { hashKeyPair, PREFIX_PROBE_CHARS, ruleFilterKeys } from "../../src/filter/url-keys";

const key = generateKeypair();
const NAME = "registry.test";
let server: Server;
let base: string;
let snapshot: Uint8Array;
const asked: string[][] = [];

beforeAll(async () => {
  const keys = ["https://declared.example/art/*", "https://*.whole.example/*"].flatMap((u) => {
    const p = parseUrlPattern(u);
    return ruleFilterKeys({ kind: p.kind, key: p.kind === "prefix" ? matchKey(p.prefix!) : p.host });
  });
  const hashes = keys.map(hashKeyPair);
  const filter = BinaryFuse16.build(Uint32Array.from(hashes.map((h) => h[0])), Uint32Array.from(hashes.map((h) => h[1])));
  snapshot = await encodeSnapshot({ filter, probeChars: PREFIX_PROBE_CHARS, keyCount: keys.length, version: 7, createdAt: Date.now(), registry: NAME }, key.secretKey);
  server = createServer((req, res) => {
    if (req.url === "/.well-known/opt-out-registry") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ name: NAME, public_key: encodeEd25519PublicMultikey(key.publicKey) }));
    } else if (req.url === "/v1/snapshot/urls") {
      res.setHeader("content-type", "application/octet-stream");
      res.end(Buffer.from(snapshot));
    } else if (req.url === "/v1/lookup" && req.method === "POST") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const { urls } = JSON.parse(body) as { urls: string[] };
        asked.push(urls);
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ results: urls.map((url) => ({ url, normalized: url, opted_out: true, content_usage: "train-ai=n", declarations: [{ id: "ISCC:MAI", pattern: "p", verification: "self-asserted" }] })) }));
      });
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(() => server.close());

describe("optout lookup --snapshot", () => {
  it("downloads and verifies the snapshot, answers ruled-out URLs locally and asks the API for the rest", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "optout-snap-")), "urls.snap");
    const urls = ["https://declared.example/art/sun.jpg", "https://other.example/x", "http://cdn.whole.example/a", "not a url", "https://declared.example/blog/"];
    asked.length = 0;
    const { answers, version } = await lookupWithSnapshot(new RegistryClient(base), file, urls);
    expect(version).toBe(7);
    expect(answers.map((a) => a.url)).toEqual(urls);
    expect(asked).toEqual([["https://declared.example/art/sun.jpg", "http://cdn.whole.example/a"]]);
    expect(answers[0]).toMatchObject({ opted_out: true, source: "api" });
    expect(answers[1]).toMatchObject({ opted_out: false, declarations: [], source: "snapshot v7" });
    expect(answers[3]!.error).toBeDefined();
    expect(answers[4]).toMatchObject({ opted_out: false, source: "snapshot v7" });
    expect(new Uint8Array(readFileSync(file))).toEqual(snapshot); // kept for the next run
  });

  it("refuses a snapshot file altered on disk", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "optout-snap-")), "urls.snap");
    const bad = Uint8Array.from(snapshot);
    bad[100]! ^= 0xff;
    writeFileSync(file, bad);
    await expect(lookupWithSnapshot(new RegistryClient(base), file, ["https://a.example/"])).rejects.toThrow(/signature does not verify/);
  });
});
