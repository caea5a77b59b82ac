/**
 * Fingerprints many files on a small pool of Web Workers, in order, with progress and cancel. The
 * page stays responsive whatever the number of files; a cancelled run keeps what was finished.
 */
import type { FingerprintReply } from "./fingerprint-worker";

export interface FileResult {
  file: File;
  iscc?: string;
  datahash?: string;
  kind?: string;
  /** Why this file got no Content-Code here (the CLI computes it). */
  notComputed?: string;
  error?: string;
}

export interface FingerprintRun {
  done: Promise<FileResult[]>;
  cancel(): void;
}

const WORKER_URL = "/assets/fingerprint-worker.js";

export function poolSize(): number {
  return Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1));
}

export function fingerprintFiles(files: File[], onProgress: (done: number, total: number) => void): FingerprintRun {
  const results: FileResult[] = files.map((file) => ({ file }));
  const workers: Worker[] = [];
  let next = 0;
  let finished = 0;
  let cancelled = false;
  let settle!: (r: FileResult[]) => void;
  const done = new Promise<FileResult[]>((ok) => (settle = ok));
  const end = () => {
    for (const w of workers) w.terminate();
    settle(results.filter((r) => r.iscc || r.error));
  };
  const feed = (w: Worker) => {
    if (cancelled) return;
    if (next >= files.length) return;
    const id = next++;
    // The name helps only where bytes cannot tell (Markdown, audio in a container): as the CLI sniffs.
    w.postMessage({ id, file: files[id], name: files[id]!.name });
  };
  if (files.length === 0) settle([]);
  for (let i = 0; i < Math.min(poolSize(), files.length); i++) {
    const w = new Worker(WORKER_URL, { type: "module" });
    w.onmessage = (e: MessageEvent<FingerprintReply>) => {
      const r = e.data;
      const slot = results[r.id]!;
      if (r.ok) Object.assign(slot, { iscc: r.iscc, datahash: r.datahash, kind: r.kind, ...(r.notComputed ? { notComputed: r.notComputed } : {}) });
      else slot.error = r.error;
      finished++;
      onProgress(finished, files.length);
      if (finished === files.length) end();
      else feed(w);
    };
    w.onerror = (e) => {
      e.preventDefault();
      cancelled = true;
      for (const r of results) if (!r.iscc && !r.error) r.error = e.message || "worker failed";
      end();
    };
    workers.push(w);
    feed(w);
  }
  return {
    done,
    cancel() {
      if (cancelled || finished === files.length) return;
      cancelled = true;
      end();
    },
  };
}
