/**
 * The report `optout scan` writes: one record per item, JSONL (one object a line) or CSV (matches as a
 * JSON column), and the exclude list (one path or URL per line, of every item whose verdict is `excluded`).
 */
import { createWriteStream, type WriteStream } from "node:fs";
import type { ItemMatch, Verdict } from "./verdict";

export interface ScanRecord {
  path?: string;
  url?: string;
  /** The item's work identifiers, `kind:value` in canonical form. */
  identifiers?: string[];
  iscc?: string;
  datahash?: string;
  verdict: Verdict;
  /** The effective preference for the scanned use (`--use`). */
  preference?: "y" | "n" | "unknown";
  /** Why the verdict is `error`, or which unit could not be computed (the rest was still matched). */
  reason?: string;
  matches: ItemMatch[];
}

export type ReportFormat = "jsonl" | "csv";

const CSV_COLUMNS = ["path", "url", "identifiers", "iscc", "datahash", "verdict", "preference", "reason", "matches"] as const;

function csvField(column: (typeof CSV_COLUMNS)[number], v: unknown): string {
  if (v === undefined) return "";
  // identifiers space-separated, as a manifest's own identifiers column takes them
  const s = typeof v === "string" ? v : column === "identifiers" ? (v as string[]).join(" ") : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Lines are handed to the file streams this many characters at a time, not one write (a libuv request) per item. */
const CHUNK = 64 * 1024;

export class ReportWriter {
  private out: WriteStream;
  private excludes: WriteStream | null;
  private outLines = "";
  private excludeLines = "";
  counts: Record<Verdict, number> = { excluded: 0, allowed: 0, unknown: 0, error: 0 };

  constructor(file: string, readonly format: ReportFormat, excludeList: string | null) {
    this.out = createWriteStream(file);
    this.excludes = excludeList ? createWriteStream(excludeList) : null;
    if (format === "csv") this.out.write(CSV_COLUMNS.join(",") + "\n");
  }

  write(r: ScanRecord): void {
    this.counts[r.verdict]++;
    const line = this.format === "jsonl" ? JSON.stringify(r) : CSV_COLUMNS.map((c) => csvField(c, r[c])).join(",");
    this.outLines += line + "\n";
    if (this.outLines.length >= CHUNK) {
      this.out.write(this.outLines);
      this.outLines = "";
    }
    // what names the item to the next step of a pipeline: its path, else its URL, else its identifiers
    if (r.verdict === "excluded" && this.excludes) {
      this.excludeLines += `${r.path ?? r.url ?? r.identifiers?.join(" ")}\n`;
      if (this.excludeLines.length >= CHUNK) {
        this.excludes.write(this.excludeLines);
        this.excludeLines = "";
      }
    }
  }

  async close(): Promise<void> {
    if (this.outLines) this.out.write(this.outLines);
    if (this.excludeLines) this.excludes?.write(this.excludeLines);
    this.outLines = this.excludeLines = "";
    const end = (s: WriteStream) => new Promise<void>((resolve, reject) => s.end((e?: Error | null) => (e ? reject(e) : resolve())));
    await Promise.all([end(this.out), ...(this.excludes ? [end(this.excludes)] : [])]);
  }
}
