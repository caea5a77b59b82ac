/**
 * A rightsholder's catalog for `optout import`, read from a file row by row (streamed: catalogs
 * may be large). What each column means is catalog-row.ts; relative paths are relative to the
 * catalog's directory.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { tableRows, TableError } from "../scan/table-rows";
import { catalogKind, catalogRow, CatalogError, type CatalogRow } from "./catalog-row";

export { CatalogError, type CatalogRow } from "./catalog-row";

export async function* catalogRows(file: string): AsyncGenerator<CatalogRow> {
  const base = dirname(resolve(file));
  const kind = catalogKind(file);
  if (!kind) throw new CatalogError(`${file}: a catalog must be .csv, .jsonl or .ndjson`);
  let index = 0;
  try {
    for await (const { row, where } of tableRows(file, kind)) yield catalogRow(row, index++, where, (p) => (isAbsolute(p) ? p : resolve(base, p)));
  } catch (e) {
    if (e instanceof TableError) throw new CatalogError(e.message);
    throw e;
  }
}
