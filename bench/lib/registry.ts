/**
 * The registry as the benchmarks run it: the bundle `wrangler deploy` would upload, on workerd
 * through Miniflare, with local D1 and Durable Objects persisted under a directory of .bench/.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { encodeEd25519SecretMultikey } from "../../src/domain/multikey";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const OUT = join(ROOT, ".bench");
const BUILD = join(OUT, "build");
export const REGISTRY_SEED = new Uint8Array(32).fill(0x5e);
export const REGISTRY_NAME = "bench.registry.local";
export const OPERATOR_TOKEN = "bench-operator-token";

export function log(msg: string) {
  process.stderr.write(`[bench] ${msg}\n`);
}

export function build(): string {
  log("building the worker as it deploys: wrangler deploy --dry-run --outdir .bench/build");
  rmSync(BUILD, { recursive: true, force: true });
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", BUILD], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const script = join(BUILD, "index.js");
  if (!existsSync(script)) throw new Error(`wrangler produced no ${script}`);
  return script;
}

/**
 * Requests carrying this header go to the harness worker (`startRegistry`'s `harness` option), which
 * Miniflare's entry worker routes by name: they never reach the registry's isolate.
 */
export const HARNESS_ROUTE = { "MF-Route-Override": "harness" };

/**
 * A registry on 127.0.0.1 whose D1 and Durable Object storage live under `state`. With `harness`,
 * the same workerd also runs a worker that answers every request with a small constant JSON body
 * (`HARNESS_ROUTE` reaches it), so the bench can run requests through the harness — Node's fetch,
 * its connection, Miniflare's entry worker, workerd's HTTP path and compression — without
 * touching the registry's isolate.
 */
export async function startRegistry(script: string, state: string, vars: Record<string, string> = {}, opts: { harness?: boolean } = {}): Promise<{ mf: Miniflare; url: URL }> {
  // Miniflare 5 takes a new worker-config shape; the classic (v4) options convert to it.
  const mf = new Miniflare(convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: 0,
    resourcePersistencePath: state,
    workers: [
      {
        name: "optout-registry",
        modules: true,
        scriptPath: script,
        compatibilityDate: "2026-11-01",
        compatibilityFlags: ["nodejs_compat"],
        d1Databases: { DB: "optout-registry" },
        // The Durable Objects of wrangler.toml, all of them: the sequencer wakes peer links and the notifier.
        durableObjects: { SEQUENCER: { className: "Sequencer", useSQLite: true }, PEER_LINK: { className: "PeerLink", useSQLite: true }, NOTIFIER: { className: "Notifier", useSQLite: true } },
        bindings: {
          REGISTRY_NAME,
          HUB_ID: "1",
          SIMILARITY_BACKEND: "d1",
          REGISTRY_SECRET_KEY: encodeEd25519SecretMultikey(REGISTRY_SEED),
          OPERATOR_TOKEN,
          // The load generators are one client each, far over any per-client limit: limits off.
          RATE_LIMITS: "off",
          ...vars,
        },
      },
      ...(opts.harness ? [HARNESS_WORKER] : []),
    ],
  }));
  const url = await mf.ready;
  return { mf, url };
}

const HARNESS_WORKER = {
  name: "harness",
  modules: true,
  compatibilityDate: "2026-11-01",
  script: `export default { fetch() { return new Response(JSON.stringify({ harness: true, note: "answered by the bench's harness worker, not the registry" }), { headers: { "content-type": "application/json" } }); } };`,
};

/** Applies migrations/ in journal order, as `wrangler d1 migrations apply` would. */
export async function migrate(mf: Miniflare): Promise<void> {
  const db = await mf.getD1Database("DB");
  const dir = join(ROOT, "migrations");
  const journal = JSON.parse(readFileSync(join(dir, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
  for (const { tag } of journal.entries) {
    const sql = readFileSync(join(dir, `${tag}.sql`), "utf8");
    for (const stmt of sql.split("--> statement-breakpoint").map((s) => s.trim()).filter(Boolean)) await db.prepare(stmt).run();
  }
}
