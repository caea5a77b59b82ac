/**
 * Several registries on loopback ports, each a separate `wrangler dev` process (workerd, its own
 * local D1 and Durable Objects in its own state directory, its own key), started the way the README
 * tells a new user to, and peered through the operator API. Processes are killed from outside
 * (SIGKILL to the whole process group) and restarted on the same state to inject faults.
 * Used by test/e2e/federation*.test.ts and bench/sync.bench.ts.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { generateKeypair } from "../../src/domain/iscc-sig";
import { encodeEd25519PublicMultikey, encodeEd25519SecretMultikey } from "../../src/domain/multikey";
import { freePort } from "../support/free-port";

const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
export const OPERATOR_TOKEN = "federation-e2e-operator-token";

const childEnv = () => ({
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  // no fetch of Cloudflare's Request.cf template: the tests run offline
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  CI: "true",
  NO_COLOR: "1",
});

export interface Registry {
  name: string;
  url: string;
  port: number;
  hubId: number;
  secretKey: Uint8Array;
  publicKey: string;
  running: boolean;
  /** Last lines the process printed (for failure messages). */
  log: string[];
  start(): Promise<void>;
  /** SIGKILL of wrangler and workerd: the registry dies as a crashed machine would. */
  kill(): Promise<void>;
}

export interface Cluster {
  dir: string;
  registries: Registry[];
  stop(): Promise<void>;
}

async function waitUntilUp(url: string, child: ChildProcess, log: string[], timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log.join("\n")}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up within ${timeoutMs} ms:\n${log.join("\n")}`);
}

/** `vars` are given to every registry; `varsOf(i)` adds some to registry i only. */
export async function startCluster(n: number, vars: Record<string, string> = {}, varsOf: (i: number) => Record<string, string> = () => ({})): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), "optout-federation-"));
  // Bundle once and serve that file: `wrangler dev` on the sources would reload every instance
  // whenever someone edits a file, dropping requests mid-test; a restart must be ours alone. One
  // exception remains: wrangler.toml's [build] (the web app's assets) still runs, and watches src/web,
  // so an edit there during a run rebuilds the assets and restarts the instances.
  const bundle = join(dir, "worker");
  const wrangler = (args: string[]) => promisify(execFile)(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: childEnv() });
  const state = (i: number) => join(dir, `r${i}`, "state");
  // What `npm start` does: migrations first, on each registry's own state directory. They do not
  // need the bundle, so both run at once (each is a wrangler start-up of several seconds).
  await Promise.all([
    wrangler(["deploy", "--dry-run", "--outdir", bundle]),
    ...Array.from({ length: n }, (_, i) => wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state(i)])),
  ]);
  const registries: Registry[] = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    const kp = generateKeypair();
    const envFile = join(dir, `r${i}.env`);
    await writeFile(envFile, `REGISTRY_SECRET_KEY=${encodeEd25519SecretMultikey(kp.secretKey)}\nOPERATOR_TOKEN=${OPERATOR_TOKEN}\n`, { mode: 0o600 });
    const name = `127.0.0.1:${port}`;
    const allVars = { REGISTRY_NAME: name, HUB_ID: String(100 + i), RATE_LIMITS: "off", ...vars, ...varsOf(i) };
    let child: ChildProcess | undefined;
    const r: Registry = {
      name,
      url: `http://${name}`,
      port,
      hubId: 100 + i,
      secretKey: kp.secretKey,
      publicKey: encodeEd25519PublicMultikey(kp.publicKey),
      running: false,
      log: [],
      async start() {
        const args = [WRANGLER, "dev", join(bundle, "index.js"), "--config", join(ROOT, "wrangler.toml"), "--no-bundle", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state(i), "--env-file", envFile];
        args.push("--inspector-port", String(await freePort()), "--show-interactive-dev-session=false", "--log-level", "warn");
        for (const [k, v] of Object.entries(allVars)) args.push("--var", `${k}:${v}`);
        child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
        const keep = (b: Buffer) => {
          r.log.push(...b.toString().split("\n").filter(Boolean));
          if (r.log.length > 200) r.log.splice(0, r.log.length - 200);
        };
        child.stdout!.on("data", keep);
        child.stderr!.on("data", keep);
        await waitUntilUp(r.url, child, r.log);
        r.running = true;
      },
      async kill() {
        if (!child || child.exitCode !== null) return;
        const exited = new Promise((ok) => child!.once("exit", ok));
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          /* already gone */
        }
        await exited;
        r.running = false;
        // workerd may outlive wrangler for a moment; wait for the port to be free again
        for (let i = 0; i < 50; i++) {
          try {
            await fetch(`${r.url}/healthz`, { signal: AbortSignal.timeout(500) });
            await new Promise((ok) => setTimeout(ok, 100));
          } catch {
            break;
          }
        }
      },
    };
    registries.push(r);
  }
  await Promise.all(registries.map((r) => r.start()));
  return {
    dir,
    registries,
    async stop() {
      await Promise.all(registries.map((r) => r.kill()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function operator(r: Registry, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(r.url + path, {
    method,
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Peers every registry with every other one, as an operator would: only the peer's URL, the rest from its descriptor. */
export async function peerMesh(registries: Registry[]): Promise<void> {
  for (const a of registries)
    for (const b of registries) {
      if (a === b) continue;
      const res = await operator(a, "POST", "/v1/peers", { url: b.url });
      if (res.status !== 201 && res.status !== 200) throw new Error(`peering ${a.name} → ${b.name}: ${res.status} ${JSON.stringify(res.body)}`);
    }
}

/** Every (id → status) a registry holds, read through its public feed and declaration routes. */
export async function snapshot(r: Registry): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let after = 0;
  for (;;) {
    const res = await fetch(`${r.url}/v1/feed?after=${after}&limit=1000`);
    if (!res.ok) throw new Error(`${r.name} feed: ${res.status}`);
    const page = (await res.json()) as { items: { receipt: { id: string } }[]; next_after: number };
    for (const it of page.items) out.set(it.receipt.id, "?");
    if (page.items.length < 1000) break;
    after = page.next_after;
  }
  return out;
}

/** The status of each id at `r` (404 as "missing"). */
export async function statuses(r: Registry, ids: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(
    ids.map(async (id) => {
      const res = await fetch(`${r.url}/v1/declarations/${encodeURIComponent(id)}`);
      out[id] = res.status === 200 ? ((await res.json()) as { status: string }).status : res.status === 404 ? "missing" : `HTTP ${res.status}`;
    }),
  );
  return out;
}

export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last, (_k, v) => (v instanceof Map ? [...v.entries()].slice(0, 20) : v))}`);
    await new Promise((r) => setTimeout(r, everyMs));
    last = await probe();
  }
  return last;
}
