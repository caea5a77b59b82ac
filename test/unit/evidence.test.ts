/**
 * The evidence file verifier (src/log/evidence.ts), on a file a local registry produced
 * (test/fixtures/evidence-example.json: leaf 1 of a 3-entry log). Every part that is changed —
 * declaration, receipt, proof, checkpoint, key — makes it fail, and says where.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newKeyFile } from "../../src/domain/key-file";
import { verifyEvidence, type EvidenceFile } from "../../src/log/evidence";

const TEXT = readFileSync(join(__dirname, "../fixtures/evidence-example.json"), "utf8");
const FILE = JSON.parse(TEXT) as EvidenceFile;
const edit = (f: (e: EvidenceFile) => void): EvidenceFile => {
  const copy = structuredClone(FILE);
  f(copy);
  return copy;
};
const failed = async (e: EvidenceFile | string) => (await verifyEvidence(e)).steps.filter((s) => !s.ok).map((s) => s.step);

describe("verifyEvidence", () => {
  it("a registry's evidence file verifies offline, every step", async () => {
    const r = await verifyEvidence(TEXT);
    expect(r.steps.map((s) => [s.step, s.ok])).toEqual([
      ["registry key", true],
      ["declarant signature", true],
      ["registry receipt", true],
      ["signed checkpoint", true],
      ["log inclusion", true],
    ]);
    expect(r).toMatchObject({ ok: true, id: FILE.id, registry: FILE.registry.name, keySource: "file", registryKey: FILE.registry.public_key });
    expect(FILE.inclusion.tree_size).toBe(3);
    expect((await verifyEvidence(TEXT, { registryKey: FILE.registry.public_key })).keySource).toBe("pinned");
  });

  it("fails when any part is altered", async () => {
    expect(await failed(edit((e) => ((e.declaration.preferences as Record<string, string>)["train-ai"] = "y")))).toEqual(["declarant signature", "registry receipt", "log inclusion"]);
    expect(await failed(edit((e) => (e.receipt.registered_at = "2020-01-01T00:00:00.000Z")))).toEqual(["registry receipt", "log inclusion"]);
    expect(await failed(edit((e) => (e.id = "ISCC:MAIGMH2DFZ2GEAAB")))).toEqual(["registry receipt"]);
    expect(await failed(edit((e) => (e.inclusion.proof[0] = e.inclusion.proof[0]!.replace(/^./, (c) => (c === "A" ? "B" : "A")))))).toEqual(["log inclusion"]);
    expect(await failed(edit((e) => (e.inclusion.leaf_index = 0)))).toEqual(["log inclusion"]);
    expect(await failed(edit((e) => (e.inclusion.checkpoint = e.inclusion.checkpoint.replace("\n3\n", "\n4\n"))))).toEqual(["signed checkpoint"]);
    // A forger's own key: the receipt and checkpoint signatures no longer verify.
    expect(await failed(edit((e) => (e.registry.public_key = newKeyFile().file.pubkey)))).toEqual(["registry receipt", "signed checkpoint"]);
  });

  it("a pinned key that is not the file's fails at once", async () => {
    const r = await verifyEvidence(TEXT, { registryKey: newKeyFile().file.pubkey });
    expect(r.ok).toBe(false);
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]!.detail).toMatch(/not the pinned/);
  });

  it("a file that is not evidence is named as such, field by field", async () => {
    expect((await verifyEvidence("{")).steps[0]).toMatchObject({ step: "evidence file", ok: false });
    const r = await verifyEvidence(JSON.stringify({ type: "OptOutEvidence", version: 1, inclusion: { proof: "x" } }));
    expect(r.ok).toBe(false);
    expect(r.steps[0]!.detail).toMatch(/\/id: must be a string.*\/inclusion\/proof/);
  });
});

describe("optout verify --evidence FILE", () => {
  const bin = join(__dirname, "../../bin/optout.mjs");
  const dir = mkdtempSync(join(tmpdir(), "evidence-cli-"));
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, "verify", ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, OPTOUT_REGISTRY: "http://127.0.0.1:9" } });

  it("verifies the file offline (the registry URL points nowhere) and exits 1 on a tampered copy", () => {
    const good = join(dir, "good.json");
    writeFileSync(good, TEXT);
    const ok = run("--evidence", good);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok +log inclusion +leaf 1 of 3$/m);
    expect(ok.stdout).toContain("VERIFIED (registry key");
    expect(run("--evidence", good, "--registry-key", FILE.registry.public_key).stdout).toContain("(pinned)");

    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(edit((e) => (e.receipt.seq = 99))));
    const r = run("--evidence", bad);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +registry receipt/m);
    expect(r.stdout).toContain("NOT VERIFIED");
    expect(run("--evidence", good, "--registry-key", newKeyFile().file.pubkey).status).toBe(1);
  }, 60_000);

  it("says what is wrong with the invocation", () => {
    expect(run("--evidence", join(dir, "missing.json")).stderr).toContain("cannot read");
    expect(run("--evidence", join(dir, "x.json"), "ISCC:MAIGMH2DHC3FYAAB").status).toBe(2);
    expect(run().status).toBe(2);
  }, 60_000);
});
