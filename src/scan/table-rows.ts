/**
 * Rows of a CSV (header row) or JSONL file as plain objects, each with where it is (`file:line`) for
 * messages: what scan manifests and import catalogs share. A bad line is an error naming it.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { parse as parseCsv } from "csv-parse";
import { jsonlObject, TableError } from "./table-line";

export { TableError } from "./table-line";

export async function* tableRows(file: string, kind: "csv" | "jsonl"): AsyncGenerator<{ row: Record<string, unknown>; where: string }> {
  if (kind === "csv") {
    let line = 1;
    const parser = createReadStream(file).pipe(parseCsv({ columns: true, skip_empty_lines: true, bom: true }));
    try {
      for await (const row of parser) yield { row: row as Record<string, unknown>, where: `${file}:${++line}` };
    } catch (e) {
      throw new TableError(`${file}: ${(e as Error).message}`);
    }
    return;
  }
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    line++;
    if (!text.trim()) continue;
    const where = `${file}:${line}`;
    yield { row: jsonlObject(text, where), where };
  }
}
