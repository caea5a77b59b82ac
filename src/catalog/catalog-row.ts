/**
 * What a row of a rightsholder's catalog means, wherever the catalog is read: by `optout import`
 * from a file (catalog-rows.ts) or by the web app's declare page from a dropped file
 * (catalog-text.ts). CSV (header row) or JSONL, one work per row. Columns: `path` (a file to
 * fingerprint: its ISCC-CODE and datahash become subjects), `iscc`, `datahash`, `url` or `urls`
 * (URL patterns; several separated by whitespace in CSV, an array in JSONL), work identifiers (an
 * `identifiers` column of `kind:value` tokens, or `isrc`, `iswc`, `isni`, `isbn`, `doi` columns:
 * see src/scan/identifier-columns.ts), `name`, `policy`, `member` (agent mode: whom the row is
 * declared for), and preferences by flag name (`all`, `train-ai`, `ai-use`, `search`: y or n)
 * overriding the defaults. Each row also gets a key: the hash of its canonical JSON, so the
 * journal recognizes a row whatever its position. Pure: no I/O.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { PreferenceMap } from "../domain/declaration-schema";
import { PREFERENCE_FLAGS, type PreferenceFlag } from "../domain/preference-flags";
import type { IdentifierKind } from "../domain/work-identifier";
import { canonicalize } from "../encoding/canonical-json";
import { identifiersByKind, identifierTokens } from "../scan/identifier-columns";

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
  preferences: Partial<Record<PreferenceFlag, string>>;
}

export class CatalogError extends Error {}

/** The two formats, by the file's name. */
export function catalogKind(name: string): "csv" | "jsonl" | null {
  const lower = name.toLowerCase();
  return lower.endsWith(".csv") ? "csv" : lower.endsWith(".jsonl") || lower.endsWith(".ndjson") ? "jsonl" : null;
}

const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

/**
 * A raw row (CSV columns or a JSONL object) as a catalog row. `resolvePath` makes a `path` absolute
 * (the CLI: relative to the catalog's directory); the key covers what the row says after it, not
 * where the row is, so moving rows around changes nothing.
 */
export function catalogRow(raw: Record<string, unknown>, index: number, where: string, resolvePath: (path: string) => string = (p) => p): CatalogRow {
  const path = text(raw.path);
  const urlsRaw = raw.urls ?? raw.url;
  const urls = Array.isArray(urlsRaw) ? urlsRaw.map(String) : typeof urlsRaw === "string" && urlsRaw.trim() ? urlsRaw.trim().split(/\s+/) : undefined;
  const row: CatalogRow = { index, where, key: "", preferences: {} };
  if (path) row.path = resolvePath(path);
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
  const { index: _i, where: _w, key: _k, ...content } = row;
  row.key = bytesToHex(sha256(new TextEncoder().encode(canonicalize(content)))).slice(0, 32);
  return row;
}

/** What a row declares besides its preferences and a file's codes: subjects as given, details, and the member. */
export interface RowTerms {
  iscc?: string;
  datahash?: string;
  urls?: string[];
  identifiers?: Partial<Record<IdentifierKind, string[]>>;
  name?: string;
  policy?: string;
  on_behalf_of?: string;
  preferences: PreferenceMap;
}

/**
 * A row's declaration terms: its subjects, name and policy, `on_behalf_of` its `member` (else
 * `member`, the one the whole import is for), and `preferences` as the caller derives them from the
 * row's flags. A bad work identifier throws an IdentifierError naming it (that row's error).
 */
export function rowTerms(row: CatalogRow, preferences: PreferenceMap, member?: string): RowTerms {
  const onBehalfOf = row.member ?? member;
  return {
    ...(row.iscc ? { iscc: row.iscc } : {}),
    ...(row.datahash ? { datahash: row.datahash } : {}),
    ...(row.urls ? { urls: row.urls } : {}),
    ...(row.identifiers ? { identifiers: identifiersByKind(row.identifiers) } : {}),
    ...(row.name ? { name: row.name } : {}),
    ...(row.policy ? { policy: row.policy } : {}),
    ...(onBehalfOf ? { on_behalf_of: onBehalfOf } : {}),
    preferences,
  };
}
