/**
 * What `optout scan` reads: a directory tree (every regular file below it, in sorted order, symlinks not
 * followed), or a manifest of one item per row with a `path` and/or `url` column and/or work identifiers
 * (identifier-columns.ts) — JSONL, CSV (header row) or Parquet, as img2dataset and Hugging Face datasets write
 * them. Relative paths are relative to the manifest's directory. Parquet is read with hyparquet (pure JS, row group by row group; snappy and uncompressed files).
 */
import { opendir, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { IDENTIFIER_COLUMNS, identifierTokens } from "./identifier-columns";
import { tableRows, TableError } from "./table-rows";

export interface ScanItem {
  /** Position in the input (0-based row, or file order for a directory). */
  index: number;
  path?: string;
  url?: string;
  /** Work identifiers as `kind:value`, as the row spells them (identifier-columns.ts). */
  identifiers?: string[];
  /** The directory walk saw a regular file at `path` (so the scan need not stat it unless its cache knows the path). */
  file?: true;
}

export class ScanInputError extends Error {}

export type InputKind = "directory" | "jsonl" | "csv" | "parquet";

export async function inputKind(input: string): Promise<InputKind> {
  let s;
  try {
    s = await stat(input);
  } catch (e) {
    throw new ScanInputError(`cannot read ${input}: ${(e as Error).message}`);
  }
  if (s.isDirectory()) return "directory";
  const lower = input.toLowerCase();
  if (lower.endsWith(".parquet")) return "parquet";
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) return "jsonl";
  throw new ScanInputError(`${input}: a manifest must end in .jsonl, .ndjson, .csv or .parquet (or be a directory)`);
}

/**
 * Every regular file below `root`, in sorted order, depth first, as runs of a directory's files (a run ends where
 * a subdirectory comes in the order): a scan takes them an array at a time, not a promise per file. One generator
 * whatever the depth (a path passed up through one generator per level cost a promise per level per file), each
 * directory read whole.
 */
async function* walk(root: string): AsyncGenerator<string[]> {
  const stack: { dir: string; names: { name: string; dir: boolean; file: boolean }[]; at: number }[] = [];
  const open = async (dir: string) => {
    const names: { name: string; dir: boolean; file: boolean }[] = [];
    for await (const e of await opendir(dir)) names.push({ name: e.name, dir: e.isDirectory(), file: e.isFile() });
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    stack.push({ dir, names, at: 0 });
  };
  await open(root);
  let run: string[] = [];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.at === top.names.length) {
      stack.pop();
      continue;
    }
    const e = top.names[top.at++]!;
    if (e.file) run.push(join(top.dir, e.name));
    else if (e.dir) {
      if (run.length) yield run;
      run = [];
      await open(join(top.dir, e.name));
    }
  }
  if (run.length) yield run;
}

function rowItem(row: Record<string, unknown>, index: number, base: string, where: string): ScanItem {
  const path = row.path ?? row.file ?? row.filepath;
  const url = row.url ?? row.URL;
  const item: ScanItem = { index };
  if (typeof path === "string" && path !== "") item.path = isAbsolute(path) ? path : resolve(base, path);
  if (typeof url === "string" && url !== "") item.url = url;
  const identifiers = identifierTokens(row);
  if (identifiers.length) item.identifiers = identifiers;
  if (!item.path && !item.url && !item.identifiers) throw new ScanInputError(`${where}: the row has no path, url or identifier`);
  return item;
}

/**
 * The items of `input` in arrays: a directory's regular files a run at a time (each marked `file`), a manifest's
 * rows one by one (a bad row fails the scan where it stands, after the rows before it).
 */
export async function* scanBatches(input: string): AsyncGenerator<ScanItem[]> {
  if ((await inputKind(input)) === "directory") {
    let index = 0;
    for await (const paths of walk(resolve(input))) yield paths.map((path): ScanItem => ({ index: index++, path, file: true }));
    return;
  }
  for await (const item of scanItems(input)) yield [item];
}

/** The items of `input` one by one (scanBatches(), unbatched). */
export async function* scanItems(input: string): AsyncGenerator<ScanItem> {
  const kind = await inputKind(input);
  const base = dirname(resolve(input));
  let index = 0;
  if (kind === "directory") {
    for await (const batch of scanBatches(input)) yield* batch;
    return;
  }
  if (kind === "jsonl" || kind === "csv") {
    try {
      for await (const { row, where } of tableRows(input, kind)) yield rowItem(row, index++, base, where);
    } catch (e) {
      if (e instanceof TableError) throw new ScanInputError(e.message);
      throw e;
    }
    return;
  }
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } = await import("hyparquet");
  const file = await asyncBufferFromFile(input);
  const metadata = await parquetMetadataAsync(file);
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const columns = names.filter((n) => ["path", "file", "filepath", "url", "URL", ...IDENTIFIER_COLUMNS].includes(n));
  if (!columns.length) throw new ScanInputError(`${input}: the Parquet file has no path, url or identifier column (columns: ${names.join(", ")})`);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({ file, metadata, columns, rowStart, rowEnd });
    for (const row of rows) yield rowItem(row, index++, base, `${input} row ${index}`);
    rowStart = rowEnd;
  }
}
