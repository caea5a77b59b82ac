// `iscc <file…>`: prints the ISCC-CODE and its units for each file. Data and Instance always; Text
// for UTF-8 plain text; Image for PNG and JPEG (see file-iscc.ts). Entry point for bin/iscc.mjs.
import { enableFastBlake3, parseIscc } from "../iscc/index.js";
import { isccOfFile, type FileIscc } from "./file-iscc.js";

interface FileResult {
  file: string;
  iscc: string;
  units: { kind: string; iscc: string; type: string }[];
  datahash: string;
  filesize: number;
  characters?: number;
}

function unit(kind: string, iscc: string): FileResult["units"][number] {
  return { kind, iscc, type: parseIscc(iscc).typeName };
}

export async function isccFile(path: string): Promise<FileResult> {
  const r: FileIscc = await isccOfFile(path);
  const units = [
    ...(r.units.content ? [unit("Content", r.units.content)] : []),
    unit("Data", r.units.data),
    unit("Instance", r.units.instance),
  ];
  return {
    file: path,
    iscc: r.iscc,
    units,
    datahash: r.datahash,
    filesize: r.filesize,
    ...(r.characters !== undefined ? { characters: r.characters } : {}),
  };
}

function usage(): string {
  return "usage: iscc [--json] <file…>\nPrints the ISCC-CODE and its units (Content for text/PNG/JPEG, Data, Instance) for each file.";
}

export async function main(argv: string[]): Promise<number> {
  // Native (or WebAssembly) BLAKE3 where Node can load it: far faster than pure JS (src/iscc/blake3.ts).
  await enableFastBlake3();
  const json = argv.includes("--json");
  const files = argv.filter((a) => a !== "--json");
  if (files.length === 0 || files.includes("-h") || files.includes("--help")) {
    process.stderr.write(usage() + "\n");
    return files.length === 0 ? 2 : 0;
  }
  let status = 0;
  const results: FileResult[] = [];
  for (const file of files) {
    try {
      const r = await isccFile(file);
      results.push(r);
      if (!json) {
        const lines = [`${r.file}`, `  ISCC-CODE  ${r.iscc}`];
        for (const u of r.units) lines.push(`  ${u.kind.padEnd(9)}  ${u.iscc.padEnd(24)}  ${u.type}`);
        lines.push(`  datahash   ${r.datahash}`, `  filesize   ${r.filesize}`);
        if (r.characters !== undefined) lines.push(`  characters ${r.characters}`);
        process.stdout.write(lines.join("\n") + "\n");
      }
    } catch (e) {
      status = 1;
      process.stderr.write(`iscc: ${file}: ${(e as Error).message}\n`);
    }
  }
  if (json) process.stdout.write(JSON.stringify(results, null, 2) + "\n");
  return status;
}
