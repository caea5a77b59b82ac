import { inJson, jsonList } from "../store/bound-parameters";
import { leafHash, storedHashCount, storedHashesForRecord, treeHash, proveRecord, proveTree, type HashReader } from "../log/merkle";

/**
 * The transparency log's Merkle hashes, in the sequencer's own SQLite storage (synchronous, and
 * local to the single writer, so appends need no round trip). Stored hashes are append-only at
 * dense indexes (see src/log/merkle.ts); leaf n is the declaration with seq n + 1.
 */
export class LogStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS log_hashes (idx INTEGER PRIMARY KEY, hash BLOB NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS log_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  /** Number of leaves. */
  size(): number {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM log_state WHERE key = 'size'").toArray()[0];
    return row ? Number(row.value) : 0;
  }

  readonly read: HashReader = (indexes) => {
    if (!indexes.length) return [];
    const rows = this.sql
      .exec<{ idx: number; hash: ArrayBuffer }>(`SELECT idx, hash FROM log_hashes WHERE idx ${inJson()}`, jsonList(indexes))
      .toArray();
    const byIndex = new Map(rows.map((r) => [r.idx, new Uint8Array(r.hash)]));
    return indexes.map((i) => {
      const h = byIndex.get(i);
      if (!h) throw new Error(`log hash ${i} is missing`);
      return h;
    });
  };

  /** Appends entries as the next leaves, atomically with the new size. */
  append(entries: Uint8Array[], transaction: (fn: () => void) => void): number {
    transaction(() => {
      let n = this.size();
      // Hashes this append wrote are read back from here: most siblings a group's leaves need are its own.
      const written = new Map<number, Uint8Array>();
      const read: HashReader = (indexes) => {
        const stored = this.read(indexes.filter((i) => !written.has(i)));
        let next = 0;
        return indexes.map((i) => written.get(i) ?? stored[next++]!);
      };
      for (const entry of entries) {
        const start = storedHashCount(n);
        storedHashesForRecord(n, leafHash(entry), read).forEach((h, i) => {
          written.set(start + i, h);
          this.sql.exec("INSERT INTO log_hashes (idx, hash) VALUES (?, ?)", start + i, h);
        });
        n += 1;
      }
      this.sql.exec("INSERT OR REPLACE INTO log_state (key, value) VALUES ('size', ?)", String(n));
    });
    return this.size();
  }

  root(size = this.size()): Uint8Array {
    return treeHash(size, this.read);
  }

  inclusionProof(index: number, size: number): Uint8Array[] {
    return proveRecord(size, index, this.read);
  }

  consistencyProof(from: number, to: number): Uint8Array[] {
    return proveTree(to, from, this.read);
  }

  /** The stored hashes with the given indexes, for serving tiles. */
  hashes(indexes: number[]): Uint8Array[] {
    return this.read(indexes);
  }

  getState(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM log_state WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  setState(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO log_state (key, value) VALUES (?, ?)", key, value);
  }
}
