/**
 * The script each fingerprinting thread runs. Loading the worker's ~40 TypeScript modules through tsx costs every
 * thread about 0.9 s (each registers the loader and compiles them); so they are bundled once with esbuild (tsx's
 * own dependency) into node_modules/.cache/optout/, rebuilt when a source changes (each input's size and mtime
 * are kept beside the bundle and checked by stat), and every thread loads that. The decoders loaded on first use
 * stay separate chunks, so a run over text never loads them. When no bundle can be made (esbuild missing, a
 * read-only install), threads load the sources through tsx as before (fingerprint-worker-entry.mjs).
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ENTRY = fileURLToPath(new URL("./fingerprint-worker.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CACHE = join(ROOT, "node_modules", ".cache", "optout", "fingerprint-worker");
const CURRENT = join(CACHE, "current.json");
export const TSX_ENTRY = new URL("./fingerprint-worker-entry.mjs", import.meta.url);

interface Current {
  dir: string;
  /** Every source file bundled, with the size and mtime it had. */
  inputs: [path: string, size: number, mtimeMs: number][];
}

let script: Promise<URL> | undefined;

/** The bundled worker's URL, made or checked once per process; the tsx entry when it cannot be made. */
export function fingerprintWorkerScript(): Promise<URL> {
  return (script ??= bundled().catch(() => TSX_ENTRY));
}

function fresh(c: Current): boolean {
  if (!existsSync(join(CACHE, c.dir, "fingerprint-worker.mjs"))) return false;
  return c.inputs.every(([path, size, mtimeMs]) => {
    try {
      const s = statSync(join(ROOT, path));
      return s.size === size && s.mtimeMs === mtimeMs;
    } catch {
      return false;
    }
  });
}

async function bundled(): Promise<URL> {
  try {
    const current = JSON.parse(readFileSync(CURRENT, "utf8")) as Current;
    if (fresh(current)) return pathToFileURL(join(CACHE, current.dir, "fingerprint-worker.mjs"));
  } catch {
    // none yet, or unreadable: build
  }
  const { build, stop } = await import("esbuild");
  // a directory per build: a process still loading chunks of the previous one is not disturbed
  const dir = `${Date.now().toString(36)}-${process.pid}`;
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    outdir: join(CACHE, dir),
    outExtension: { ".js": ".mjs" },
    metafile: true,
    logLevel: "silent",
    absWorkingDir: ROOT,
  });
  await stop();
  const inputs = Object.keys(result.metafile.inputs).map((p): Current["inputs"][number] => {
    const s = statSync(join(ROOT, p));
    return [p, s.size, s.mtimeMs];
  });
  const tmp = `${CURRENT}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ dir, inputs } satisfies Current));
  renameSync(tmp, CURRENT);
  // earlier builds, once an hour old (a run that started on one has long loaded it)
  for (const old of readdirSync(CACHE)) {
    const path = join(CACHE, old);
    try {
      if (old !== dir && !old.startsWith("current.json") && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // another process pruned it first
    }
  }
  return pathToFileURL(join(CACHE, dir, "fingerprint-worker.mjs"));
}
