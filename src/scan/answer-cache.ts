/**
 * The answers to a scan's content matches, kept beside the fingerprint cache, so that a re-scan asks again only
 * for the codes whose answer may have changed since. Each cache is for one source: a registry URL at a distance
 * (the answers hold up to a registry version, whose record's id, the anchor, proves later that the registry still
 * has that history), or one units snapshot (cached-matcher.ts decides what is still valid).
 * JSONL: a header line, then `[iscc, matches]` per code. Rewritten whole after each scan (a temporary file,
 * then a rename), so it never mixes answers of two versions.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ItemMatch } from "./verdict";

const FORMAT = "optout-answer-cache";

export interface AnswerState {
  /** Every kept answer is what the source answers at this version. */
  version: number;
  /** The id of the registry's record at `version` ("" for version 0, or a snapshot). */
  anchor: string;
  max_distance: number;
}

interface Header extends AnswerState {
  format: typeof FORMAT;
  source: string;
}

export class AnswerCache {
  private answers = new Map<string, ItemMatch[]>();

  private constructor(
    readonly file: string,
    readonly source: string,
    /** What the loaded answers hold for (null: none loaded). */
    readonly loaded: AnswerState | null,
  ) {}

  /**
   * Beside the fingerprint cache FILE.jsonl: FILE.answers-KEY.jsonl, one per registry URL and one for snapshots,
   * so scans against several never overwrite each other's answers.
   */
  static fileFor(fingerprintCache: string, key: string): string {
    return fingerprintCache.replace(/(\.jsonl)?$/, `.answers-${key}.jsonl`);
  }

  /** The answers in `file` if they are of `source`; else none. */
  static async open(file: string, source: string): Promise<AnswerCache> {
    if (!existsSync(file)) return new AnswerCache(file, source, null);
    const lines = (await readFile(file, "utf8")).split("\n");
    let header: Header;
    try {
      header = JSON.parse(lines[0]!) as Header;
    } catch {
      return new AnswerCache(file, source, null);
    }
    if (header.format !== FORMAT || header.source !== source) return new AnswerCache(file, source, null);
    const cache = new AnswerCache(file, source, { version: header.version, anchor: header.anchor, max_distance: header.max_distance });
    try {
      for (let i = 1; i < lines.length; i++) {
        if (!lines[i]) continue;
        const [iscc, matches] = JSON.parse(lines[i]!) as [string, ItemMatch[]];
        cache.answers.set(iscc, matches);
      }
    } catch {
      return new AnswerCache(file, source, null); // not written by save(): vouch for none of it
    }
    return cache;
  }

  get size(): number {
    return this.answers.size;
  }

  get(iscc: string): ItemMatch[] | undefined {
    return this.answers.get(iscc);
  }

  put(iscc: string, matches: ItemMatch[]): void {
    this.answers.set(iscc, matches);
  }

  /** Forgets the answers `stale` picks; returns how many. */
  drop(stale: (iscc: string, matches: ItemMatch[]) => boolean): number {
    let n = 0;
    for (const [iscc, matches] of this.answers) if (stale(iscc, matches) && this.answers.delete(iscc)) n++;
    return n;
  }

  clear(): void {
    this.answers.clear();
  }

  /** Writes every answer as of `state`; null: the answers cannot be vouched for, so none are kept. */
  async save(state: AnswerState | null): Promise<void> {
    if (!state || !this.answers.size) {
      await rm(this.file, { force: true });
      return;
    }
    const header: Header = { format: FORMAT, source: this.source, ...state };
    const lines = [JSON.stringify(header)];
    for (const [iscc, matches] of this.answers) lines.push(JSON.stringify([iscc, matches]));
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, lines.join("\n") + "\n");
    await rename(tmp, this.file);
  }
}
