/**
 * The outside judge of the transparency log (issue 9): Go's golang.org/x/mod/sumdb/tlog and
 * sumdb/note, the reference implementation of tiled logs, read a `wrangler dev` registry of more than
 * 256 entries over HTTP through tiles only (tlog.TileHashReader, full tiles and level-1 tiles
 * included), prove every record (ProveRecord/CheckRecord) and the consistency of an earlier signed
 * checkpoint (ProveTree/CheckTree), and verify the checkpoint signatures with the descriptor's note
 * verifier key. The program is test/e2e/tlog-go/main.go; it needs Debian's golang-go and
 * golang-golang-x-mod-dev (listed in .ci/apt-packages).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeypair, signJson } from "../../src/domain/iscc-sig";
import { generateNoteKey } from "../../src/log/note";
import { haveTools } from "../support/system-tool";
import { startCluster, type Cluster } from "./federation-cluster";

const GOPATH = "/usr/share/gocode";
const run = promisify(execFile);
const have = haveTools(
  "the Go sumdb/tlog judge",
  { command: "go", apt: "golang-go" },
  { command: `${GOPATH}/src/golang.org/x/mod/sumdb/tlog/tile.go`, apt: "golang-golang-x-mod-dev" },
);

describe.skipIf(!have)("Go's sumdb/tlog reads the log through tiles", () => {
  let cluster: Cluster;
  let dir: string;
  let judge: string;
  let verifierKey: string;
  const earlier = () => join(dir, "earlier-checkpoint");

  async function registerBatch(n: number, tag: string): Promise<void> {
    const key = generateKeypair();
    const items = [];
    for (let i = 0; i < n; i++)
      items.push(
        await signJson(
          { type: "OptOutDeclaration", version: 1, urls: [`https://tlog-go.example/${tag}/${i}`], preferences: { "train-ai": "n" }, intent: "activate", timestamp: new Date().toISOString(), nonce: randomBytes(16).toString("hex") },
          key,
        ),
      );
    const res = await fetch(`${cluster.registries[0]!.url}/v1/declarations/batch`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(items) });
    const body = (await res.json()) as { created: number };
    expect([res.status, body.created]).toEqual([200, n]);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "optout-tlog-go-"));
    judge = join(dir, "tlog-go");
    const goEnv = { ...process.env, GOPATH, GO111MODULE: "off" };
    // Build while the registry starts.
    const [, started] = await Promise.all([
      run("go", ["build", "-o", judge, "main.go"], { cwd: join(import.meta.dirname, "tlog-go"), env: goEnv }),
      startCluster(1),
    ]);
    cluster = started;
    const registry = cluster.registries[0]!;
    verifierKey = ((await (await fetch(`${registry.url}/.well-known/opt-out-registry`)).json()) as { log: { verifier_key: string } }).log.verifier_key;
    await registerBatch(300, "a");
    await writeFile(earlier(), await (await fetch(`${registry.url}/log/checkpoint`)).text());
    await registerBatch(260, "b");
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("verifies the checkpoints, every record's inclusion and the consistency of the earlier tree", async () => {
    const { stdout } = await run(judge, [cluster.registries[0]!.url, verifierKey, earlier()]);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ size: 560, earlier_size: 300, records_proven: 560, tree_consistent: true });
    expect(summary.origin).toBe(`${cluster.registries[0]!.name}/log`);
    // Full level-0 tiles and the level-1 tile above them were read.
    expect(summary.tiles_read).toEqual(expect.arrayContaining(["tile/0/000", "tile/0/001", "tile/0/002.p/48", "tile/1/000.p/2"]));
  });

  it("fails on a checkpoint signed by another key", async () => {
    const origin = verifierKey.split("+")[0]!;
    const other = generateNoteKey(origin).verifierKey;
    await expect(run(judge, [cluster.registries[0]!.url, other, earlier()])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("checkpoint signature") });
  });
});
