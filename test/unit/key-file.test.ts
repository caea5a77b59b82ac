/** The web app's key file and the CLI's are one format: each reads what the other writes. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signJson, verifyJson } from "../../src/domain/iscc-sig";
import { KeyFileError, newKeyFile, parseKeyFile, serializeKeyFile } from "../../src/domain/key-file";
import { readKeyFile, writeNewKeyFile } from "../../src/cli/key-file";

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), "keyfile-"))));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("key file round trip with the CLI", () => {
  it("the page imports what `optout keygen` writes, and signs with the same key", async () => {
    const path = join(dir, "cli.json");
    const written = await writeNewKeyFile(path, "did:web:example.com");
    const text = await readFile(path, "utf8");
    const { file, keypair } = parseKeyFile(text);
    expect(file).toEqual(written);
    expect(keypair.controller).toBe("did:web:example.com");
    // The page's backup is byte-identical to the CLI's file.
    expect(serializeKeyFile(file)).toBe(text);
    const signed = await signJson({ hello: "world" }, keypair);
    expect((await verifyJson(signed)).pubkeyMultikey).toBe(written.pubkey);
    expect(signed.signature.controller).toBe("did:web:example.com");
  });

  it("the CLI reads the page's backup, with and without a controller", async () => {
    for (const controller of [undefined, "did:web:example.org:users:alice"]) {
      const { file } = newKeyFile(controller);
      const path = join(dir, `web-${controller ? "c" : "n"}.json`);
      await writeFile(path, serializeKeyFile(file), { mode: 0o600 });
      const read = await readKeyFile(path);
      expect(read.file).toEqual(file);
      expect(read.keypair.controller).toBe(controller);
      expect(read.warning).toBeUndefined();
    }
  });

  it("refuses what is not a key file, saying why", () => {
    const { file } = newKeyFile();
    const other = newKeyFile().file;
    const cases: [string, RegExp][] = [
      ["not json", /not JSON/],
      ["[]", /no "secret"/],
      [JSON.stringify({ pubkey: file.pubkey }), /no "secret"/],
      [JSON.stringify({ secret: "z3u2nope" }), /bad secret/],
      [JSON.stringify({ ...file, pubkey: other.pubkey }), /does not belong/],
      [JSON.stringify({ ...file, controller: "https://example.com" }), /did:web/],
    ];
    for (const [text, why] of cases) expect(() => parseKeyFile(text), text).toThrow(why);
    expect(() => newKeyFile("example.com")).toThrow(KeyFileError);
  });
});
