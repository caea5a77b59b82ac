/**
 * Fingerprints remembered by path, size and modification time, so a re-scan computes only what changed.
 * A JSONL file: a header line naming the format and the media pipeline's version (a new pipeline version
 * starts an empty cache, since codes may differ), then one line per file; later lines win. Results with a
 * unit not computed (a tool missing, say) are not kept, so installing the tool and scanning again fills them.
 */
import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { FileIscc } from "../media/file-iscc.js";

/** Bump when a pipeline change can change a code for the same bytes. */
export const PIPELINE_VERSION = 1;
const HEADER = { format: "optout-fingerprint-cache", pipeline: PIPELINE_VERSION };

interface Line {
  p: string;
  s: number;
  m: number;
  r: FileIscc;
}

/**
 * Keyed by path alone (a re-scan of 100,000 files looks each up once: no key string to build), the
 * size and mtime checked on lookup.
 */
export class FingerprintCache {
  private entries = new Map<string, { s: number; m: number; r: FileIscc }>();
  private added: string[] = [];
  hits = 0;

  private constructor(readonly file: string | null) {}

  /** Loads `file` (missing or of another pipeline version: empty). `null`: a cache that keeps nothing. */
  static async open(file: string | null): Promise<FingerprintCache> {
    const cache = new FingerprintCache(file);
    if (!file || !existsSync(file)) return cache;
    let first = true;
    // One read and one split: a line reader's per-line events cost more than the parsing itself.
    for (const text of (await readFile(file, "utf8")).split("\n")) {
      if (!text) continue;
      let line: unknown;
      try {
        line = JSON.parse(text);
      } catch {
        continue; // a line cut by a crash: the file is only appended to, the rest is intact
      }
      if (first) {
        first = false;
        const h = line as typeof HEADER;
        if (h.format !== HEADER.format || h.pipeline !== PIPELINE_VERSION) return new FingerprintCache(file).reset();
        continue;
      }
      const l = line as Line;
      cache.entries.set(l.p, l);
    }
    if (first) await cache.reset();
    return cache;
  }

  private async reset(): Promise<this> {
    if (this.file) {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(this.file, JSON.stringify(HEADER) + "\n");
    }
    return this;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether a result for `path` was loaded (at whatever size and mtime). */
  has(path: string): boolean {
    return this.entries.has(path);
  }

  get(path: string, size: number, mtimeMs: number): FileIscc | undefined {
    const e = this.entries.get(path);
    if (!e || e.s !== size || e.m !== mtimeMs) return undefined;
    this.hits++;
    return e.r;
  }

  /**
   * Keeps `r` for the next scan (written by flush()). Not kept in memory: a scan meets each path once (a manifest
   * naming a path twice fingerprints it twice), and 100,000 results held to the end cost the main thread's
   * collector more than they could save.
   */
  put(path: string, size: number, mtimeMs: number, r: FileIscc): void {
    if (r.notComputed || !this.file) return;
    this.added.push(JSON.stringify({ p: path, s: size, m: mtimeMs, r } satisfies Line));
  }

  /** Appends what was added since the last flush. */
  async flush(): Promise<void> {
    if (!this.file || !this.added.length) return;
    const lines = this.added.join("\n") + "\n";
    this.added = [];
    if (!existsSync(this.file)) await this.reset();
    await appendFile(this.file, lines);
  }
}
