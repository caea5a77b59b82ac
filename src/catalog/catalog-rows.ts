/**
 * A rightsholder's catalog for `optout import`: CSV (header row) or JSONL, one work per row. Columns:
 * `path` (a file to fingerprint: its ISCC-CODE and datahash become subjects), `iscc`, `datahash`, `url` or
 * `urls` (URL patterns; several separated by whitespace in CSV, an array in JSONL), work identifiers (an
 * `identifiers` column of `kind:value` tokens, or `isrc`, `iswc`, `isni`, `isbn`, `doi` columns: see
 * src/scan/identifier-columns.ts), `name`, `policy`, `member` (agent mode: whom the row is declared for), and
 * preferences by flag name (`all`, `train-ai`, `ai-use`, `search`: y or n) overriding the command's defaults.
 * Relative paths are relative to the catalog's directory. Each row also gets a key: the hash of its
 * canonical JSON, so the journal recognizes a row whatever its position.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { PREFERENCE_FLAGS } from "../cli/declaration";
import { canonicalize } from "../encoding/canonical-json";
import { identifierTokens } from "../scan/identifier-columns";
import { tableRows, TableError } from "../scan/table-rows";

export interface CatalogRow {
  /** 0-based position in the catalog. */
  index: number;
  /** Where it is, for messages: "catalog.csv:12". */
  where: string;
  key: string;
  path?: string;
  iscc?: string;
  datahash?: string;
  urls?: string[];
  /** Work identifiers as `kind:value`, as the row spells them (validated when the row is signed). */
  identifiers?: string[];
  name?: string;
  policy?: string;
  /** Agent mode: the member this row is declared for (`on_behalf_of`: its key or did:web). */
  member?: string;
  /** Preference flags the row sets (y/n), by flag name. */
  preferences: Partial<Record<(typeof PREFERENCE_FLAGS)[number], string>>;
}

export class CatalogError extends Error {}

const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

function toRow(raw: Record<string, unknown>, index: number, where: string, base: string): CatalogRow {
  const path = text(raw.path);
  const urlsRaw = raw.urls ?? raw.url;
  const urls = Array.isArray(urlsRaw) ? urlsRaw.map(String) : typeof urlsRaw === "string" && urlsRaw.trim() ? urlsRaw.trim().split(/\s+/) : undefined;
  const row: CatalogRow = { index, where, key: "", preferences: {} };
  if (path) row.path = isAbsolute(path) ? path : resolve(base, path);
  for (const k of ["iscc", "datahash", "name", "policy", "member"] as const) {
    const v = text(raw[k]);
    if (v !== undefined) row[k] = v;
  }
  if (urls?.length) row.urls = urls;
  const identifiers = identifierTokens(raw);
  if (identifiers.length) row.identifiers = identifiers;
  for (const f of PREFERENCE_FLAGS) {
    const v = text(raw[f]);
    if (v !== undefined) row.preferences[f] = v;
  }
  if (!row.path && !row.iscc && !row.datahash && !row.urls && !row.identifiers)
    throw new CatalogError(`${where}: the row has no subject (path, iscc, datahash, url or identifiers)`);
  // the key covers what the row says, not where it is: moving rows around changes nothing
  const { index: _i, where: _w, key: _k, ...content } = row;
  row.key = bytesToHex(sha256(new TextEncoder().encode(canonicalize(content)))).slice(0, 32);
  return row;
}

export async function* catalogRows(file: string): AsyncGenerator<CatalogRow> {
  const base = dirname(resolve(file));
  const lower = file.toLowerCase();
  const kind = lower.endsWith(".csv") ? "csv" : lower.endsWith(".jsonl") || lower.endsWith(".ndjson") ? "jsonl" : null;
  if (!kind) throw new CatalogError(`${file}: a catalog must be .csv, .jsonl or .ndjson`);
  let index = 0;
  try {
    for await (const { row, where } of tableRows(file, kind)) yield toRow(row, index++, where, base);
  } catch (e) {
    if (e instanceof TableError) throw new CatalogError(e.message);
    throw e;
  }
}
