/**
 * `npm run bench:storage`: what the registry stores per declaration, measured on what it actually
 * wrote, and the figures docs/SCALING.md builds on, recomputed from them.
 *
 * Registers `--n=N` declarations (default 20,000) through the real write path (POST
 * /v1/declarations/batch: Worker checks, sequencer, group commit, transparency log), shaped like the
 * bench corpus (a URL prefix each, every 4th with an ISCC-CODE of 4 units), on a fresh registry in
 * Miniflare. Then it reads back from the registry's own storage:
 * - D1: rows per declaration per table, bytes per declaration (the database's page count, which
 *   is what D1 bills) and per table with its indexes (SQLite's dbstat on the database file);
 * - the transparency log: bytes per entry of the sequencer's SQLite file;
 * - the read indexes: bytes per unit of the unit index snapshot and per declaration of the URL
 *   filter snapshot, as published to index_snapshots by the isolate that built them;
 * and prints them with the projection to 2,000,000,000 declarations (prices and limits cited in
 * docs/SCALING.md).
 */
import { readdirSync, rmSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { freshDeclarations } from "./lib/corpus";
import { build, log, migrate, OUT, startRegistry } from "./lib/registry";

const N = Number(process.argv.find((a) => a.startsWith("--n="))?.slice(4) ?? 20_000);
const STATE = join(OUT, "storage-state");
const TARGET = 2_000_000_000;
/** Cited in docs/SCALING.md (Cloudflare's published limits and prices). */
const D1_MAX_BYTES = 10e9;
const D1_USABLE = 0.8;
const D1_STORAGE_PER_GB_MONTH = 0.75;
const D1_PER_MILLION_ROWS_WRITTEN = 1.0;
const DO_STORAGE_PER_GB_MONTH = 0.2;

const fmt = (n: number, digits = 0) => n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Sum of the sizes of the files under `dir` whose name matches `pattern`. */
function bytesUnder(dir: string, pattern: RegExp): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(p, pattern);
    else if (pattern.test(entry.name)) total += statSync(p).size;
  }
  return total;
}

/** Bytes of each table with its indexes, from SQLite's dbstat (node:sqlite), or null where it is missing. */
function bytesPerTable(dir: string): Record<string, number> | null {
  try {
    const sub = readdirSync(dir).map((d) => join(dir, d));
    const file = sub.flatMap((d) => readdirSync(d).filter((f) => /^[0-9a-f]{64}\.sqlite$/.test(f)).map((f) => join(d, f)))[0];
    if (!file) return null;
    const db = new DatabaseSync(file, { readOnly: true });
    const rows = db
      .prepare("SELECT coalesce(m.tbl_name, s.name) AS t, sum(s.pgsize) AS bytes FROM dbstat s LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1")
      .all() as { t: string; bytes: number }[];
    db.close();
    return Object.fromEntries(rows.map((r) => [r.t, r.bytes]));
  } catch (e) {
    log(`no per-table bytes (${(e as Error).message})`);
    return null;
  }
}

async function main(): Promise<void> {
  const script = build();
  rmSync(STATE, { recursive: true, force: true });
  const { mf, url } = await startRegistry(script, STATE);
  try {
    await migrate(mf);
    const db = await mf.getD1Database("DB");
    log(`registering ${fmt(N)} declarations through POST /v1/declarations/batch (1,000 a request)`);
    const bodies = freshDeclarations(N, 0x5707);
    for (let i = 0; i < bodies.length; i += 1000) {
      const res = await fetch(new URL("/v1/declarations/batch", url), { method: "POST", headers: { "content-type": "application/json" }, body: `[${bodies.slice(i, i + 1000).join(",")}]` });
      const out = (await res.json()) as { created?: number };
      if (res.status !== 200 || out.created !== Math.min(1000, N - i)) throw new Error(`batch at ${i}: ${res.status} ${JSON.stringify(out).slice(0, 300)}`);
    }
    // The first lookup and the first match build the isolate's read indexes, which it publishes.
    await (await fetch(new URL(`/v1/lookup?url=${encodeURIComponent("https://www.new1.example/x")}`, url))).arrayBuffer();
    const code = (JSON.parse(bodies[0]!) as { iscc: string }).iscc;
    const match = await fetch(new URL("/v1/match", url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ iscc: [code] }) });
    if (match.status !== 200) throw new Error(`POST /v1/match answered ${match.status}: ${(await match.text()).slice(0, 300)}`);
    await match.arrayBuffer();
    const checkpoint = await (await fetch(new URL("/log/checkpoint", url))).text();
    const logSize = Number(checkpoint.split("\n")[1]);
    if (logSize !== N) throw new Error(`the log holds ${logSize} entries, not ${N}`);

    const count = async (table: string) => (await db.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
    const tables = ["declarations", "url_rules", "iscc_units", "datahashes", "work_identifiers"];
    const rows = Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(t)] as const)));
    const rowsPerDecl = tables.reduce((n, t) => n + rows[t]!, 0) / N;
    // D1 counts a write to each index of a table as one more row written (its pricing page); a
    // partial index (CREATE INDEX … WHERE) holds, and is written for, only the rows its WHERE selects.
    const indexSql = Object.fromEntries(
      await Promise.all(
        tables.map(async (t) => [t, (await db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1").bind(t).all<{ sql: string | null }>()).results] as const),
      ),
    );
    const indexes = Object.fromEntries(tables.map((t) => [t, indexSql[t]!.length] as const));
    const indexEntries = async (t: string) => {
      let n = 0;
      for (const { sql } of indexSql[t]!) {
        const where = sql?.match(/\sWHERE\s(.+)$/is)?.[1];
        n += where ? (await db.prepare(`SELECT count(*) AS n FROM ${t} WHERE ${where}`).first<{ n: number }>())!.n : rows[t]!;
      }
      return n;
    };
    const entries = Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await indexEntries(t)] as const)));
    const billedRowsPerDecl = tables.reduce((n, t) => n + rows[t]! + entries[t]!, 0) / N;

    const sizes = (await db.prepare("SELECT avg(length(body)) AS body, avg(length(receipt)) AS receipt FROM declarations").first<{ body: number; receipt: number }>())!;
    const pages = await db.prepare("PRAGMA page_count").first<{ page_count: number }>().catch(() => null);
    const pageSize = await db.prepare("PRAGMA page_size").first<{ page_size: number }>().catch(() => null);
    const dbBytes = pages && pageSize ? pages.page_count * pageSize.page_size : bytesUnder(join(STATE, "d1"), /^[0-9a-f]{64}\.sqlite$/);
    const d1PerDecl = dbBytes / N;

    // The isolate publishes its snapshots after answering (in the request's background): wait for them.
    const readSnapshots = () =>
      db.prepare("SELECT kind, sum(length(data)) AS chars FROM index_snapshots WHERE part > 0 GROUP BY kind").all<{ kind: string; chars: number }>();
    let snap = await readSnapshots();
    for (let k = 0; k < 30 && snap.results.length < 2; k++) {
      await new Promise((r) => setTimeout(r, 500));
      snap = await readSnapshots();
    }
    const snapBytes = Object.fromEntries(snap.results.map((r) => [r.kind, (r.chars * 3) / 4]));
    const units = rows.iscc_units!;

    await mf.dispose();
    // Bytes of each table with its indexes: SQLite's dbstat on the database file, once workerd closed it.
    const perTable = bytesPerTable(join(STATE, "d1"));
    // The sequencer's SQLite files (its log's hashes and state), once workerd has closed them.
    const doBytes = bytesUnder(join(STATE, "do"), /^[0-9a-f]{64}\.sqlite(-wal)?$/);
    const shards = Math.ceil((TARGET * d1PerDecl) / (D1_MAX_BYTES * D1_USABLE));
    const perMillionStored = (1e6 * d1PerDecl) / 1e9;
    const lines = [
      `# npm run bench:storage — ${new Date().toISOString()}, ${fmt(N)} declarations through the real write path; load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`,
      "",
      "| measured here | value |",
      "|---|---|",
      ...tables.map((t) => `| D1 rows per declaration: ${t} (${indexes[t]} indexes) | ${fmt(rows[t]! / N, 2)}${perTable ? `; ${fmt((perTable[t] ?? 0) / N)} bytes with its indexes` : ""} |`),
      `| of which declarations.body and .receipt (canonical JSON, average) | ${fmt(sizes.body)} + ${fmt(sizes.receipt)} bytes |`,
      `| D1 rows per declaration, all tables | ${fmt(rowsPerDecl, 2)} |`,
      `| D1 rows written per declaration as billed (each row once, plus once per entry in each index of its table) | ${fmt(billedRowsPerDecl, 2)} |`,
      `| D1 bytes per declaration (the whole database: what D1 bills) | ${fmt(d1PerDecl)} |`,
      `| D1 database bytes (page count × page size) | ${fmt(dbBytes)} |`,
      `| transparency log (sequencer SQLite file) bytes per entry | ${fmt(doBytes / N)} |`,
      `| unit index snapshot bytes per unit (${fmt(units)} units) | ${snapBytes.units ? fmt(snapBytes.units / units, 1) : "not published (fewer units than the publishing threshold)"} |`,
      `| URL filter snapshot bytes per declaration | ${snapBytes.urls ? fmt(snapBytes.urls / N, 1) : "not published"} |`,
      "",
      `| projected to ${fmt(TARGET)} declarations (limits and prices cited in docs/SCALING.md) | value |`,
      "|---|---|",
      `| D1 bytes | ${fmt((TARGET * d1PerDecl) / 1e12, 2)} TB |`,
      `| D1 databases at ≤ ${D1_USABLE * 100}% of 10 GB | ${fmt(shards)} |`,
      `| D1 storage per month ($${D1_STORAGE_PER_GB_MONTH}/GB-month) | $${fmt((TARGET * d1PerDecl * D1_STORAGE_PER_GB_MONTH) / 1e9)} |`,
      `| per million stored declarations: D1 storage per month | $${fmt(perMillionStored * D1_STORAGE_PER_GB_MONTH, 2)} |`,
      `| per million stored declarations: D1 rows written, once ($${D1_PER_MILLION_ROWS_WRITTEN}/million rows written) | $${fmt(billedRowsPerDecl * D1_PER_MILLION_ROWS_WRITTEN, 2)} |`,
      `| per million stored declarations: transparency log storage per month ($${DO_STORAGE_PER_GB_MONTH}/GB-month) | $${fmt(((1e6 * doBytes) / N / 1e9) * DO_STORAGE_PER_GB_MONTH, 3)} |`,
    ];
    console.log(lines.join("\n"));
  } finally {
    await mf.dispose().catch(() => undefined);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
