/**
 * The journal that makes `optout import` resumable and idempotent: an append-only JSONL file, synced to disk
 * before each step it records is taken. A row's declaration is journaled as `signed` (the exact signed
 * bytes and their digest) before it is sent; `registered` once the registry answered with its id; `failed`
 * when the registry refused it. On a rerun a registered row is skipped; a signed row is sent again with the
 * same signed declaration, which the registry answers with the same id if it already has it (SPEC:
 * "Posting the same signed declaration again returns the same id"), so a crash anywhere registers nothing
 * twice. A line cut short by a crash is ignored.
 */
import { existsSync } from "node:fs";
import { open, readFile, type FileHandle } from "node:fs/promises";
import type { Declaration } from "../domain/declaration-schema";

export type JournalEntry =
  | { row: string; state: "signed"; digest: string; declaration: Declaration }
  | { row: string; state: "registered"; digest: string; id: string }
  | { row: string; state: "failed"; reason: string };

export class ImportJournal {
  private constructor(
    readonly file: string,
    private handle: FileHandle,
    readonly rows: Map<string, JournalEntry>,
  ) {}

  static async open(file: string): Promise<ImportJournal> {
    const rows = new Map<string, JournalEntry>();
    if (existsSync(file)) {
      for (const line of (await readFile(file, "utf8")).split("\n")) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as JournalEntry;
          if (e && typeof e.row === "string") rows.set(e.row, e);
        } catch {
          // the last line of a crashed run may be cut short: what it recorded did not happen yet
        }
      }
    }
    return new ImportJournal(file, await open(file, "a"), rows);
  }

  private last: Promise<void> = Promise.resolve();

  /**
   * Appends the entries and waits until they are on disk. Calls are written one after the other, in the
   * order they were made (two batches being registered at once never interleave their lines).
   */
  record(entries: JournalEntry[]): Promise<void> {
    if (!entries.length) return Promise.resolve();
    const done = this.last.then(async () => {
      await this.handle.appendFile(entries.map((e) => JSON.stringify(e)).join("\n") + "\n");
      await this.handle.sync();
      for (const e of entries) this.rows.set(e.row, e);
    });
    this.last = done.catch(() => {});
    return done;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
