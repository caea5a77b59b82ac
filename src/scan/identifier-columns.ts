/**
 * Work identifiers in a manifest or catalog row, as datasets and catalogs carry them: an
 * `identifiers` column of `kind:value` tokens (whitespace-separated in CSV, an array in JSONL and
 * Parquet, or an object of kinds in JSONL: `{"isrc": ["…"]}`), and columns named for a kind
 * (`isrc`, `iswc`, `isni`, `isbn`, `doi`) with one identifier per cell (or an array). Values keep
 * the row's spelling: the tokens are normalized where they are used, so one bad identifier is
 * that row's error, not the whole file's.
 */
import { IDENTIFIER_KINDS, IdentifierError, parseTypedIdentifier, type IdentifierKind } from "../domain/work-identifier";

/** The columns that can hold identifiers (for readers that select columns, such as Parquet). */
export const IDENTIFIER_COLUMNS = ["identifiers", ...IDENTIFIER_KINDS] as const;

const strings = (v: unknown): string[] =>
  (Array.isArray(v) ? v : [v]).filter((x): x is string | number => typeof x === "string" || typeof x === "number").map((x) => String(x).trim()).filter(Boolean);

/** Every identifier of the row as a `kind:value` token, in column order. */
export function identifierTokens(row: Record<string, unknown>): string[] {
  const out: string[] = [];
  const list = row.identifiers;
  if (typeof list === "string") out.push(...list.split(/\s+/).filter(Boolean));
  else if (Array.isArray(list)) out.push(...strings(list));
  else if (list && typeof list === "object") for (const [kind, v] of Object.entries(list)) for (const value of strings(v)) out.push(`${kind}:${value}`);
  for (const kind of IDENTIFIER_KINDS) for (const value of strings(row[kind])) out.push(`${kind}:${value}`);
  return out;
}

/**
 * The row's tokens as a declaration's `identifiers` member: canonical, by kind, each once. A bad
 * token throws an IdentifierError naming it.
 */
export function identifiersByKind(tokens: readonly string[]): Partial<Record<IdentifierKind, string[]>> {
  const out: Partial<Record<IdentifierKind, string[]>> = {};
  for (const token of tokens) {
    let id;
    try {
      id = parseTypedIdentifier(token);
    } catch (e) {
      if (e instanceof IdentifierError) throw new IdentifierError(`${token}: ${e.message}`);
      throw e;
    }
    const list = (out[id.kind] ??= []);
    if (!list.includes(id.value)) list.push(id.value);
  }
  return out;
}
