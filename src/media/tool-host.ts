/**
 * Starts fpcalc and ffmpeg from a small helper process instead of from the calling one. libuv starts a child
 * with fork(), which copies the page tables of the whole process in the calling thread, and every thread then
 * takes copy-on-write faults until the child has exec'd: for a scan's process (worker heaps, sharp's buffers)
 * each start blocked its worker 25–120 ms (BENCHMARKS.md, bench:scan). The helper is a bare Node process that
 * only runs execFile; forking it is cheap. A scan's fingerprinting thread starts one on its first audio or video
 * file and closes it before the thread ends (the helper also exits whenever its parent's channel closes).
 */
import { spawn, type ChildProcess } from "node:child_process";

/** What execFile's callback gets, as the helper sends it back. */
export interface ToolRun {
  /** null when the tool ran and exited 0. */
  error: { code?: number | string; message: string } | null;
  stdout: Buffer;
  stderr: Buffer;
}

// The helper's whole program: run each request with execFile and send the outcome back.
const HELPER = `
const { execFile } = require("node:child_process");
process.on("message", ({ id, file, args, options }) => {
  execFile(file, args, { ...options, encoding: "buffer" }, (err, stdout, stderr) => {
    process.send({ id, error: err ? { code: err.code, message: err.message } : null, stdout, stderr });
  });
});
process.on("disconnect", () => process.exit(0));
`;

export class ToolHost {
  private child: ChildProcess;
  private waiting = new Map<number, (r: ToolRun) => void>();
  private nextId = 0;

  constructor() {
    this.child = spawn(process.execPath, ["-e", HELPER], { stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "advanced" });
    this.child.on("message", (m: { id: number; error: ToolRun["error"]; stdout: Uint8Array; stderr: Uint8Array }) => {
      const done = this.waiting.get(m.id);
      if (!done) return; // already failed
      this.waiting.delete(m.id);
      this.idle();
      done({ error: m.error, stdout: Buffer.from(m.stdout.buffer, m.stdout.byteOffset, m.stdout.byteLength), stderr: Buffer.from(m.stderr.buffer, m.stderr.byteOffset, m.stderr.byteLength) });
    });
    // the helper died (killed, out of memory) or could not be reached: whatever it was running fails, and the
    // next run starts a new one
    const fail = (why: string) => {
      this.dead = true;
      for (const done of this.waiting.values()) done({ error: { message: why }, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
      this.waiting.clear();
    };
    this.child.on("exit", () => fail("the tool helper process exited"));
    this.child.on("error", (e) => fail(`the tool helper process failed: ${e.message}`));
    this.idle();
  }

  /** The helper exited: a new one is needed. */
  dead = false;

  /** Kept from ending the thread's event loop only while a tool runs. */
  private idle(): void {
    if (this.waiting.size > 0) return;
    this.child.unref();
    this.child.channel?.unref();
  }

  /** Ends the helper and waits until it has exited (and been reaped, so its tools' CPU counts as this process's children's). */
  close(): Promise<void> {
    if (this.dead) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.ref();
      this.child.disconnect();
    });
  }

  run(file: string, args: string[], options: { maxBuffer: number; timeout: number }): Promise<ToolRun> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.waiting.set(id, resolve);
      this.child.ref();
      this.child.channel?.ref();
      this.child.send({ id, file, args, options });
    });
  }
}
