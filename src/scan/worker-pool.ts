/**
 * Fingerprints files on every core: one worker thread per core (or `size`), each computing isccOfFile; the
 * tools they start (fpcalc, ffmpeg) run as their own processes. Each worker holds PER_WORKER files at
 * once, so it never idles waiting for the main thread to hand it the next path, and its CPU work goes on
 * while a file of its waits for fpcalc or ffmpeg. `size` 0 computes on the calling thread (no workers). The
 * threads run one bundled script (worker-script.ts), not the TypeScript sources through tsx.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { isccOfFile, type FileIscc } from "../media/file-iscc.js";
import { fingerprintWorkerScript } from "./worker-script.js";

/** Files sent to one worker and not yet answered, at most. */
export const PER_WORKER = 2;

interface Slot {
  worker: Worker;
  /** Files sent and not yet answered (PER_WORKER until the worker says it is ready). */
  pending: number;
}

export class FingerprintPool {
  private slots: Slot[] = [];
  private queue: { path: string; resolve: (r: FileIscc) => void; reject: (e: Error) => void }[] = [];
  private callbacks = new Map<number, { resolve: (r: FileIscc) => void; reject: (e: Error) => void; slot: Slot }>();
  private nextId = 0;
  private ready: Promise<unknown>;

  constructor(readonly size = availableParallelism()) {
    this.ready = size === 0 ? Promise.resolve() : fingerprintWorkerScript().then((entry) => Promise.all(Array.from({ length: size }, () => this.start(entry))));
  }

  private start(entry: URL): Promise<void> {
    const worker = new Worker(entry);
    const slot: Slot = { worker, pending: PER_WORKER };
    this.slots.push(slot);
    return new Promise((resolve, reject) => {
      worker.once("error", reject);
      worker.on("message", (m: { ready?: true; id?: number; result?: FileIscc; error?: string }) => {
        if (m.ready) {
          slot.pending = 0;
          resolve();
          this.pump();
          return;
        }
        const cb = this.callbacks.get(m.id!)!;
        this.callbacks.delete(m.id!);
        slot.pending--;
        if (m.error !== undefined) cb.reject(new Error(m.error));
        else cb.resolve(m.result!);
        this.pump();
      });
    });
  }

  /** Files waiting for a worker (for back-pressure: callers keep this bounded). */
  get backlog(): number {
    return this.queue.length;
  }

  private inThread: Promise<unknown> = Promise.resolve();

  async fingerprint(path: string): Promise<FileIscc> {
    if (this.size === 0) {
      // one file at a time, as one worker would
      const r = this.inThread.then(() => isccOfFile(path));
      this.inThread = r.catch(() => {});
      return r;
    }
    await this.ready;
    return new Promise((resolve, reject) => {
      this.queue.push({ path, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      for (; slot.pending < PER_WORKER && this.queue.length; slot.pending++) {
        const job = this.queue.shift()!;
        const id = this.nextId++;
        this.callbacks.set(id, { resolve: job.resolve, reject: job.reject, slot });
        slot.worker.postMessage({ id, path: job.path });
      }
    }
  }

  async close(): Promise<void> {
    await this.ready.catch(() => {});
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
