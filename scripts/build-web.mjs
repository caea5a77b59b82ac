#!/usr/bin/env node
// Builds the web app's client code and static files into dist/web (served by Workers static assets,
// [assets] in wrangler.toml). Run by wrangler's [build] (npm start, wrangler dev and deploy), by the
// vitest config (npm test) and by the web benchmark. Pages themselves are rendered by the Worker.
//
// Idempotent: a file is written only when its bytes change, and only stale files are removed. Several
// `wrangler dev` processes (the e2e tests start a few at once) each run this on start while others
// already serve dist/web; rewriting identical files would make their asset watchers reload them.
import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const WEB_OUT = join(ROOT, "dist/web");
export const WEB_METAFILE = join(ROOT, "dist/web-meta.json");
const STATIC = join(ROOT, "src/web/static");

/** One entry per page island, plus the Web Worker that fingerprints files. */
const ENTRIES = ["check", "declare", "mine", "evidence", "fingerprint-worker"];

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function writeIfChanged(path, bytes) {
  if (existsSync(path) && Buffer.compare(readFileSync(path), Buffer.from(bytes)) === 0) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/**
 * The last build's metafile when no input (every source and package file esbuild read) changed since,
 * and every output is still there: then there is nothing to do. Each `wrangler dev` runs the build on
 * start, and a test may start several at once on a busy machine.
 */
function unchanged() {
  if (!existsSync(WEB_METAFILE)) return null;
  const builtAt = statSync(WEB_METAFILE).mtimeMs;
  const meta = JSON.parse(readFileSync(WEB_METAFILE, "utf8"));
  for (const input of [...Object.keys(meta.inputs), ...filesUnder(STATIC).map((f) => relative(ROOT, f))]) {
    const p = join(ROOT, input);
    if (!existsSync(p) || statSync(p).mtimeMs > builtAt) return null;
  }
  for (const output of Object.keys(meta.outputs)) if (!existsSync(join(ROOT, output))) return null;
  return meta;
}

export async function buildWeb({ quiet = false, force = false } = {}) {
  const fresh = force ? null : unchanged();
  if (fresh) return fresh;
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(ENTRIES.map((e) => [e, `src/web/client/${e}.ts`])),
    outdir: join(WEB_OUT, "assets"),
    write: false,
    bundle: true,
    splitting: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    minify: true,
    sourcemap: false,
    metafile: true,
    chunkNames: "chunk-[hash]",
    // Backends the browser never uses: the native addon is Node only, and WebAssembly would need
    // 'wasm-unsafe-eval' in the CSP (the pure-JS BLAKE3 is the default everywhere).
    external: ["hash-wasm", "@napi-rs/blake-hash"],
    logLevel: quiet ? "silent" : "warning",
  });
  const wanted = new Map(result.outputFiles.map((f) => [f.path, f.contents]));
  for (const file of filesUnder(STATIC)) wanted.set(join(WEB_OUT, relative(STATIC, file)), readFileSync(file));
  for (const [path, bytes] of wanted) writeIfChanged(path, bytes);
  for (const old of filesUnder(WEB_OUT)) if (!wanted.has(old)) rmSync(old);
  writeIfChanged(WEB_METAFILE, JSON.stringify(result.metafile));
  // Its time says when the outputs were last checked against the inputs (see unchanged()).
  const now = new Date();
  utimesSync(WEB_METAFILE, now, now);
  return result.metafile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildWeb({ force: process.argv.includes("--force") });
}
