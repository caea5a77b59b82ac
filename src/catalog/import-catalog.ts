/**
 * `optout import`: a catalog (catalog-rows.ts, catalog-row.ts) becomes one signed declaration per work, registered through
 * POST /v1/declarations/batch in batches of 1,000, with every receipt written to a receipts file and every step
 * in the journal (import-journal.ts) so that a rerun — after a crash or on the same catalog — registers
 * nothing twice. Files are fingerprinted on every core while the previous batches (two at most) are being registered.
 */
import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { buildActivateOrUpdate, preferencesFromFlags, signDeclaration, PREFERENCE_FLAGS } from "../cli/declaration";
import type { Declaration } from "../domain/declaration-schema";
import { prepareDeclaration } from "../domain/declaration";
import type { Keypair } from "../domain/iscc-sig";
import { Progress, type ProgressMode } from "../scan/progress";
import { postJson, requestJson, RegistryRequestError, type RetryPolicy } from "../scan/retrying-fetch";
import { FingerprintPool } from "../scan/worker-pool";
import { rowTerms } from "./catalog-row";
import { catalogRows, type CatalogRow } from "./catalog-rows";
import { ImportJournal, type JournalEntry } from "./import-journal";

export const IMPORT_BATCH = 1_000;
/** Batches being registered at once. */
export const IN_FLIGHT = 2;

export interface ImportOptions {
  catalog: string;
  journal: string;
  receipts: string;
  registry: URL;
  keypair: Keypair;
  /** Agent mode: the member rows without a `member` column are declared for (README, Mandates). */
  member?: string;
  /** Preference flags applied to rows that do not set them (as `optout declare` takes them). */
  defaults: Partial<Record<(typeof PREFERENCE_FLAGS)[number], string>>;
  workers: number;
  progress: ProgressMode;
  retry: RetryPolicy;
}

export interface ImportSummary {
  rows: number;
  created: number;
  /** Registered by an earlier run (journal) or already known to the registry. */
  already: number;
  failed: number;
  fingerprinted: number;
  requests: number;
  seconds: number;
  /**
   * Of `seconds`, how long the import stood still waiting for the registry: the next batch was ready
   * but the previous one was still being registered (and the last batch's registration). Near 0:
   * fingerprinting and signing, not registration, set the pace.
   */
  registryWaitSeconds: number;
  failures: { where: string; reason: string }[];
}

interface Ready {
  row: CatalogRow;
  declaration: Declaration;
  digest: string;
  /** Sent before, by a run that did not live to record the answer. */
  resent: boolean;
}

interface BatchAnswer {
  results: { index: number; outcome: "created" | "exists" | "invalid" | "rejected"; id?: string; digest?: string; status?: string; receipt?: unknown; problem?: { detail?: string; errors?: { pointer: string; detail: string }[] } }[];
}

export class RowError extends Error {}

export async function runImport(o: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const journal = await ImportJournal.open(o.journal);
  const receipts = createWriteStream(o.receipts, { flags: "a" });
  const progress = new Progress(o.progress, "import");
  let pool: FingerprintPool | undefined;
  const s: ImportSummary = { rows: 0, created: 0, already: 0, failed: 0, fingerprinted: 0, requests: 0, seconds: 0, registryWaitSeconds: 0, failures: [] };

  const fail = (row: CatalogRow, reason: string): JournalEntry => {
    s.failed++;
    s.failures.push({ where: row.where, reason });
    return { row: row.key, state: "failed", reason };
  };

  async function sign(row: CatalogRow): Promise<Ready> {
    const terms = rowTerms(row, preferencesFromFlags({ ...o.defaults, ...row.preferences }), o.member);
    if (row.path) {
      const size = (await stat(row.path)).size;
      pool ??= new FingerprintPool(o.workers);
      const fp = await pool.fingerprint(row.path);
      s.fingerprinted++;
      progress.bytes += size;
      if (terms.datahash !== undefined && terms.datahash !== fp.datahash) throw new RowError(`datahash ${terms.datahash} is not the datahash of ${row.path} (${fp.datahash})`);
      terms.iscc = fp.iscc;
      terms.datahash = fp.datahash;
    }
    const declaration = await signDeclaration(buildActivateOrUpdate(terms), o.keypair);
    return { row, declaration, digest: prepareDeclaration(declaration, null).digest, resent: false };
  }

  /** A journaled-but-unanswered declaration the registry refused as stale: registered after all, or to be signed anew. */
  async function knownByDigest(digest: string): Promise<string | null> {
    try {
      const body = await requestJson<{ id: string }>(new URL(`v1/declarations/${digest}`, o.registry), { headers: { accept: "application/json" } }, o.retry);
      return body.id;
    } catch (e) {
      if (e instanceof RegistryRequestError && e.status === 404) return null;
      throw e;
    }
  }

  async function register(batch: Ready[]): Promise<void> {
    if (!batch.length) return;
    // on disk before it is sent: a crash after this point is repaired by sending the same bytes again
    await journal.record(batch.filter((b) => !b.resent).map((b) => ({ row: b.row.key, state: "signed", digest: b.digest, declaration: b.declaration })));
    s.requests++;
    const answer = await postJson<BatchAnswer>(o.registry, "v1/declarations/batch", batch.map((b) => b.declaration), o.retry);
    const entries: JournalEntry[] = [];
    const again: Ready[] = [];
    for (const r of answer.results) {
      const b = batch[r.index]!;
      if (r.outcome === "created" || r.outcome === "exists") {
        if (r.outcome === "created") s.created++;
        else s.already++;
        entries.push({ row: b.row.key, state: "registered", digest: b.digest, id: r.id! });
        receipts.write(JSON.stringify({ row: b.row.index, key: b.row.key, outcome: r.outcome, id: r.id, digest: r.digest, status: r.status, receipt: r.receipt }) + "\n");
        continue;
      }
      const stale = b.resent && r.problem?.errors?.some((e) => e.pointer.endsWith("/timestamp"));
      if (stale) {
        const id = await knownByDigest(b.digest);
        if (id) {
          s.already++;
          entries.push({ row: b.row.key, state: "registered", digest: b.digest, id });
        } else {
          again.push(await sign(b.row)); // never reached the registry: sign anew, with a current timestamp
        }
        continue;
      }
      const detail = r.problem?.errors?.map((e) => `${e.pointer}: ${e.detail}`).join("; ") || r.problem?.detail || r.outcome;
      entries.push(fail(b.row, `refused by the registry: ${detail}`));
    }
    await journal.record(entries);
    progress.done += batch.length - again.length;
    progress.tick();
    await register(again);
  }

  // Batches being registered: up to IN_FLIGHT at once, so the registry works on one while it receives the
  // next, and fingerprinting the batch after them goes on meanwhile. The journal writes their steps in order.
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const post = (ready: Ready[]) => {
    const p: Promise<void> = register(ready)
      .catch((error: unknown) => void (failure ??= { error }))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  /** Waits until at most `room` batches are being registered; how long counts as waiting for the registry. */
  const waitForRegistry = async (room: number) => {
    const t = performance.now();
    while (inFlight.size > room) await Promise.race(inFlight);
    s.registryWaitSeconds += (performance.now() - t) / 1000;
    if (failure) throw failure.error;
  };
  try {
    let chunk: CatalogRow[] = [];
    const flushChunk = async () => {
      const rows = chunk;
      chunk = [];
      const ready: Ready[] = [];
      const settled = await Promise.allSettled(
        rows.map(async (row): Promise<Ready | null> => {
          const seen = journal.rows.get(row.key);
          if (seen?.state === "signed") return { row, declaration: seen.declaration, digest: seen.digest, resent: true };
          return sign(row);
        }),
      );
      const failed: JournalEntry[] = [];
      settled.forEach((r, i) => {
        if (r.status === "fulfilled") ready.push(r.value!);
        else failed.push(fail(rows[i]!, (r.reason as Error).message));
      });
      await journal.record(failed);
      progress.done += failed.length;
      await waitForRegistry(IN_FLIGHT - 1);
      post(ready);
    };
    const thisRun = new Set<string>();
    for await (const row of catalogRows(o.catalog)) {
      s.rows++;
      // a row repeated in the catalog is the same work: declared once
      if (journal.rows.get(row.key)?.state === "registered" || thisRun.has(row.key)) {
        s.already++;
        progress.done++;
        progress.tick();
        continue;
      }
      thisRun.add(row.key);
      chunk.push(row);
      if (chunk.length === IMPORT_BATCH) await flushChunk();
    }
    if (chunk.length) await flushChunk();
    await waitForRegistry(0);
  } finally {
    await Promise.all(inFlight);
    await pool?.close();
    await journal.close();
    await new Promise<void>((r) => receipts.end(r));
    progress.finish();
  }
  s.seconds = (performance.now() - started) / 1000;
  return s;
}
