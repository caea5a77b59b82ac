/**
 * Starts a throwaway local registry (the Worker on workerd through wrangler's dev server) with its
 * own state directory, secrets and vars: what `npm start` runs, without touching .wrangler/state or
 * .dev.vars. Used by benchmarks and end-to-end tests.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const ROOT = resolve(import.meta.dirname, "..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

export interface LocalRegistry {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startLocalRegistry(opts: { vars?: Record<string, string>; secretKey: string; operatorToken?: string }): Promise<LocalRegistry> {
  process.env.WRANGLER_SEND_METRICS = "false";
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_LOG ??= "warn";
  const dir = await mkdtemp(join(tmpdir(), "optout-registry-"));
  const state = join(dir, "state");
  const envFile = join(dir, "registry.env");
  await writeFile(envFile, `REGISTRY_SECRET_KEY=${opts.secretKey}\nOPERATOR_TOKEN=${opts.operatorToken ?? "local-operator-token"}\n`, { mode: 0o600 });
  await promisify(execFile)(process.execPath, [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    cwd: ROOT,
    env: { ...process.env, CI: "true" },
  });
  const { unstable_startWorker } = await import("wrangler");
  const worker = await unstable_startWorker({
    config: join(ROOT, "wrangler.toml"),
    envFiles: [envFile],
    ...(opts.vars ? { bindings: Object.fromEntries(Object.entries(opts.vars).map(([k, v]) => [k, { type: "plain_text", value: v }])) } : {}),
    dev: { server: { hostname: "127.0.0.1", port: 0 }, persist: state, inspector: false, watch: false },
  });
  await worker.ready;
  const url = (await worker.url).origin;
  return {
    url,
    dir,
    async stop() {
      await worker.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
