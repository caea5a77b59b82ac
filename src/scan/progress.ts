/**
 * Progress of a long run on stderr: a bar redrawn in place on a terminal (files/s, MB/s, ETA), a plain line
 * every few seconds otherwise (logs, CI), nothing under --quiet. `total` may be unknown until the input is
 * read to the end (a directory walk, a manifest).
 */
export type ProgressMode = "bar" | "lines" | "quiet";

export interface ProgressSink {
  write(text: string): void;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function duration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.round(s)}s`;
}

export class Progress {
  done = 0;
  bytes = 0;
  total: number | undefined;
  private readonly start = performance.now();
  private last = 0;

  constructor(
    readonly mode: ProgressMode,
    private readonly label: string,
    private readonly sink: ProgressSink = process.stderr,
    private readonly intervalMs = mode === "bar" ? 200 : 5_000,
  ) {}

  /** The current figures as one line. */
  line(): string {
    const secs = (performance.now() - this.start) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const mbs = secs > 0 ? this.bytes / 1e6 / secs : 0;
    const of = this.total !== undefined ? `/${fmt(this.total)}` : "";
    const eta = this.total !== undefined && rate > 0 ? ` ETA ${duration((this.total - this.done) / rate)}` : "";
    return `${this.label}: ${fmt(this.done)}${of} files, ${fmt(rate)} files/s, ${mbs.toFixed(1)} MB/s${eta}`;
  }

  tick(force = false): void {
    if (this.mode === "quiet") return;
    const now = performance.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    if (this.mode === "lines") {
      this.sink.write(this.line() + "\n");
      return;
    }
    const width = 30;
    const filled = this.total ? Math.min(width, Math.round((this.done / this.total) * width)) : 0;
    const bar = this.total ? `[${"#".repeat(filled)}${".".repeat(width - filled)}] ` : "";
    this.sink.write(`\r\x1b[2K${bar}${this.line()}`);
  }

  finish(): void {
    if (this.mode === "quiet") return;
    this.tick(true);
    if (this.mode === "bar") this.sink.write("\n");
  }
}
