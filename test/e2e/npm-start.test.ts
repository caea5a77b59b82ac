/**
 * `PORT=N npm start` serves a registry named for its port: its name, log origin and DID follow the
 * port, so two registries started that way are two identities and can peer. The real `npm start`
 * runs (key generation, migrations, `wrangler dev` on the sources), with --persist-to and
 * --env-file pointing into a temp directory, so the developer's .wrangler/state and .dev.vars are
 * never read or written. Which name wins when one is configured: test/unit/dev-vars.test.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port";

const ROOT = resolve(import.meta.dirname, "../..");
const started: { child: ChildProcess; log: string[] }[] = [];
/** Every start's output, for a failure message. */
const output = () => started.map(({ log }) => log.join("")).join("\n----\n");
let dir: string | undefined;

interface Descriptor {
  name: string;
  controller: string;
  log: { origin: string };
}

/** `PORT=port npm start` on its own state and vars file; resolves with its descriptor once it serves. */
async function npmStart(port: number, varsFile: string, state: string): Promise<Descriptor> {
  const child = spawn(
    "npm",
    ["start", "--", "--persist-to", state, "--env-file", varsFile, "--inspector-port", String(await freePort()), "--show-interactive-dev-session=false"],
    {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), REGISTRY_NAME: "", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" },
      // Its own process group: npm, the script, wrangler and workerd are stopped together.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const log: string[] = [];
  started.push({ child, log });
  const keep = (b: Buffer) => log.push(b.toString());
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${log.join("")}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/.well-known/opt-out-registry`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return (await res.json()) as Descriptor;
    } catch {
      /* not serving yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`npm start on port ${port} did not serve within 120 s:\n${log.join("")}`);
}

afterAll(async () => {
  await Promise.all(
    started.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((ok) => child.once("exit", ok));
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
      await exited;
    }),
  );
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("PORT=N npm start", () => {
  it("names the registry, its log and its DID for the port", { timeout: 180_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), "optout-npm-start-"));
    const port = await freePort();
    const vars = join(dir, "registry.vars");
    const d = await npmStart(port, vars, join(dir, "state"));

    expect(d.name).toBe(`localhost:${port}`);
    expect(d.controller).toBe(`did:web:localhost%3A${port}`);
    expect(d.log.origin).toBe(`localhost:${port}/log`);
    // The signed checkpoint names the same origin: the log really is this registry's.
    const res = await fetch(`http://127.0.0.1:${port}/log/checkpoint`, { signal: AbortSignal.timeout(30_000) }).catch((e: Error) => {
      throw new Error(`GET /log/checkpoint: ${e.message}\n${output()}`);
    });
    expect((await res.text()).split("\n")[0]).toBe(`localhost:${port}/log`);
    // npm start made a key and a token for it, in its own vars file.
    expect(await readFile(vars, "utf8")).toMatch(/^REGISTRY_SECRET_KEY=z3u2\w+\nOPERATOR_TOKEN=\S+\n$/);
  });
});
