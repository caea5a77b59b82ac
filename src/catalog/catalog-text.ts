/**
 * A catalog held as text (a file dropped on the web app's declare page), read with the same parser
 * and the same column meanings as `optout import` (catalog-row.ts): CSV through csv-parse (its
 * browser build, with the options table-rows.ts streams files with), JSONL a line at a time.
 */
import { parse as parseCsv } from "csv-parse/browser/esm/sync";
import { jsonlObject, TableError } from "../scan/table-line";
import { catalogKind, catalogRow, CatalogError, type CatalogRow } from "./catalog-row";

/** Every row of the catalog, in order; the first bad line or row is an error naming it (`name:line`). */
export function catalogTextRows(text: string, name: string): CatalogRow[] {
  const kind = catalogKind(name);
  if (!kind) throw new CatalogError(`${name}: a catalog must be .csv, .jsonl or .ndjson`);
  try {
    if (kind === "csv") {
      let records: Record<string, unknown>[];
      try {
        records = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<string, unknown>[];
      } catch (e) {
        throw new TableError(`${name}: ${(e as Error).message}`);
      }
      // Line numbers as table-rows.ts gives them: the header is line 1.
      return records.map((raw, i) => catalogRow(raw, i, `${name}:${i + 2}`));
    }
    const rows: CatalogRow[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim()) rows.push(catalogRow(jsonlObject(line, `${name}:${i + 1}`), rows.length, `${name}:${i + 1}`));
    });
    return rows;
  } catch (e) {
    if (e instanceof TableError) throw new CatalogError(e.message);
    throw e;
  }
}
