/**
 * One JSONL line of a table (a scan manifest, an import catalog) as a row object, wherever the table
 * is read: streamed from a file (table-rows.ts) or from text in the browser (catalog/catalog-text.ts).
 * Pure.
 */
export class TableError extends Error {}

/** A line that is not a JSON object is an error naming where it is (`file:line`). */
export function jsonlObject(text: string, where: string): Record<string, unknown> {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch (e) {
    throw new TableError(`${where}: not JSON (${(e as Error).message})`);
  }
  if (typeof row !== "object" || row === null || Array.isArray(row)) throw new TableError(`${where}: a row must be a JSON object`);
  return row as Record<string, unknown>;
}
