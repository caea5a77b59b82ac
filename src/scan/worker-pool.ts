/**
 * Fingerprints files on every core: one worker thread per core (or `size`), each computing isccOfFile; the
 * tools they start (fpcalc, ffmpeg) run as their own processes, started from one small helper process per
 * worker (media/tool-host.ts), which close() ends. Each worker holds PER_WORKER files at
 * once, so it never idles waiting for the main thread to hand it the next path, and its CPU work goes on
 * while a file of its waits for sharp's threads (images sharp decodes: image-decode.ts keeps small PNGs and
 * JPEGs on the worker's own thread). Audio and video files (by name: sniff.ts's namedForTool) are
 * held apart, TOOL_PER_WORKER more per worker and sent before any other file: their time is mostly the tool's
 * process, which then runs beside the other files instead of forming a tail at the end of the scan (a corpus
 * walked in order reaches its audio and video last, or all at once). `size` 0 computes on the calling thread
 * (no workers). The threads run one bundled script (worker-script.ts), not the TypeScript sources through tsx.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { isccOfFile, type FileIscc } from "../media/file-iscc.js";
import { namedForTool } from "../media/sniff.js";
import { Fifo } from "./fifo.js";
import { fingerprintWorkerScript } from "./worker-script.js";

/**
 * Files sent to one worker and not yet answered, at most (audio and video apart). An image sharp decodes waits
 * twice for its threads (header, then pixels); when sharp decoded every image, a worker holding 2 idled between
 * them (10,000 small files, load ~5: one worker 13.1 s with 2, 11.9 s with 4; two workers 16.5 s and 10.0 s).
 * Twice ANSWER_BATCH, so that a worker still has files while its last answers travel and the next paths come back.
 */
export const PER_WORKER = 8;
/** Answers a worker gathers into one message (fingerprint-worker.ts). */
export const ANSWER_BATCH = 4;
/** Audio and video files sent to one worker and not yet answered, at most. */
export const TOOL_PER_WORKER = 2;

interface Settle {
  resolve: (r: FileIscc) => void;
  reject: (e: Error) => void;
}

const promised: FingerprintDone<Settle> = (tag, result, error) => (error ? tag.reject(error) : tag.resolve(result!));

/** A file waiting for a worker, with the caller's tag for its answer (no promise or closure per file). */
interface Job<T> {
  path: string;
  tag: T;
}

/**
 * Called once per file submitted, with its result or the error's message, in the order the worker answers.
 * `size` and `mtimeMs` are the file's as it was read (the worker's fstat), for a cache keyed by them.
 */
export type FingerprintDone<T> = (tag: T, result: FileIscc | undefined, error: Error | undefined, size: number, mtimeMs: number) => void;

interface Slot {
  worker: Worker;
  /** Jobs given to this worker and not yet posted: posted together once the current task is over. */
  outbox: [id: number, path: string][];
  /** Files sent and not yet answered (PER_WORKER until the worker says it is ready). */
  pending: number;
  /** Audio and video files sent and not yet answered. */
  toolPending: number;
  /** Called when the worker has closed its tool helper (close()). */
  closed?: () => void;
}

/** A worker's answer for one file (fingerprint-worker.ts): its result and stat, or the error's message. */
export type Answer = { id: number; result: FileIscc; stat: [size: number, mtimeMs: number] } | { id: number; error: string };

export class FingerprintPool<T = Settle> {
  private slots: Slot[] = [];
  private queue = new Fifo<Job<T>>();
  /** Audio and video files waiting, sent first. */
  private toolQueue = new Fifo<Job<T>>();
  private callbacks = new Map<number, { job: Job<T>; slot: Slot; tool: boolean }>();
  private nextId = 0;
  private ready: Promise<unknown>;

  /** `done`: where every answer goes (submit()); fingerprint() wraps it in a promise per file. */
  constructor(
    readonly size = availableParallelism(),
    private readonly done: FingerprintDone<T> = promised as FingerprintDone<T>,
  ) {
    this.ready = size === 0 ? Promise.resolve() : fingerprintWorkerScript().then((entry) => Promise.all(Array.from({ length: size }, () => this.start(entry))));
    // workers that cannot start: every file waiting, and every file submitted later, gets the error
    this.ready.catch((e: unknown) => {
      this.failed = e as Error;
      for (const q of [this.toolQueue, this.queue]) while (q.length) this.done(q.take().tag, undefined, this.failed, 0, 0);
    });
  }

  private failed: Error | undefined;

  private start(entry: URL): Promise<void> {
    // None of this process's Node options: the script is plain JavaScript (worker-script.ts). A process run through
    // tsx's CLI (npm run bench:scan) has tsx's loader in them, which every thread then loaded again (~0.45 s of CPU
    // a thread, measured); `npx optout` (bin/optout.mjs registers tsx in-process) has none.
    const worker = new Worker(entry, { workerData: { batch: ANSWER_BATCH }, execArgv: [] });
    const slot: Slot = { worker, outbox: [], pending: PER_WORKER, toolPending: TOOL_PER_WORKER };
    this.slots.push(slot);
    return new Promise((resolve, reject) => {
      worker.once("error", reject);
      worker.on("message", (m: { ready?: true; closed?: true; answers?: Answer[] }) => {
        if (m.closed) return slot.closed?.();
        if (m.ready) {
          slot.pending = 0;
          slot.toolPending = 0;
          resolve();
          this.pump();
          return;
        }
        // the next files go out before this batch's answers are handled, so the worker is not left waiting
        for (const a of m.answers!) {
          const cb = this.callbacks.get(a.id)!;
          if (cb.tool) slot.toolPending--;
          else slot.pending--;
        }
        this.pump();
        this.post();
        for (const a of m.answers!) {
          const { job } = this.callbacks.get(a.id)!;
          this.callbacks.delete(a.id);
          if ("error" in a) this.done(job.tag, undefined, new Error(a.error), 0, 0);
          else this.done(job.tag, a.result, undefined, a.stat[0], a.stat[1]);
        }
      });
    });
  }

  private inThread: Promise<unknown> = Promise.resolve();

  /** Queues `path`; its answer goes to `done` with `tag`. */
  submit(path: string, tag: T): void {
    if (this.size === 0) {
      // one file at a time, as one worker would
      let stat: [number, number] = [0, 0];
      this.inThread = this.inThread
        .then(() => isccOfFile(path, (size, mtimeMs) => (stat = [size, mtimeMs])))
        .then(
          (r) => this.done(tag, r, undefined, stat[0], stat[1]),
          (e: unknown) => this.done(tag, undefined, e as Error, 0, 0),
        );
      return;
    }
    if (this.failed) {
      const e = this.failed;
      queueMicrotask(() => this.done(tag, undefined, e, 0, 0));
      return;
    }
    (namedForTool(path) ? this.toolQueue : this.queue).push({ path, tag });
    this.pump();
  }

  /** The file's result, as a promise (for callers with few files: optout import). */
  fingerprint(this: FingerprintPool<Settle>, path: string): Promise<FileIscc> {
    return new Promise((resolve, reject) => this.submit(path, { resolve, reject }));
  }

  private posting = false;

  private send(slot: Slot, job: Job<T>, tool: boolean): void {
    const id = this.nextId++;
    this.callbacks.set(id, { job, slot, tool });
    slot.outbox.push([id, job.path]);
    if (this.posting) return;
    this.posting = true;
    // every job given out by the end of this task (a walk queues many at once) in one message per worker
    queueMicrotask(() => this.post());
  }

  /** Posts what each worker has been given since the last post. */
  private post(): void {
    this.posting = false;
    for (const s of this.slots) {
      if (s.outbox.length) s.worker.postMessage({ jobs: s.outbox });
      s.outbox = [];
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      for (; slot.toolPending < TOOL_PER_WORKER && this.toolQueue.length; slot.toolPending++) this.send(slot, this.toolQueue.take(), true);
      for (; slot.pending < PER_WORKER && this.queue.length; slot.pending++) this.send(slot, this.queue.take(), false);
    }
  }

  async close(): Promise<void> {
    await this.ready.catch(() => {});
    // each worker first ends its tool helper (tool-host.ts): a thread ended under it could not reap it
    await Promise.all(
      this.slots.map(async (s) => {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((done) => {
          s.closed = done;
          timer = setTimeout(done, 5_000);
          s.worker.once("exit", done); // a worker that already ended has nothing to close
          s.worker.postMessage({ close: true });
        });
        clearTimeout(timer);
        await s.worker.terminate();
      }),
    );
  }
}
