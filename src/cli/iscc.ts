/**
 * `iscc <file>...`: prints the ISCC-CODE and its units for each file. Data and Instance always;
 * Text for UTF-8 plain text; Image for PNG and JPEG (see file-iscc.ts). Entry point for
 * bin/iscc.mjs: a program that is one command, run by the same dispatcher as `optout`.
 */
import { enableFastBlake3, parseIscc } from "../iscc/index";
import { defineCommand } from "./command";
import { CONSOLE, runSingle, type Io } from "./dispatch";
import { EXIT_FAILURE } from "./errors";
import { FileIsccError, isccOfFile } from "./file-iscc";

interface FileResult {
  file: string;
  iscc: string;
  units: { kind: string; iscc: string; type: string }[];
  datahash: string;
  filesize: number;
  characters?: number;
}

const unit = (kind: string, iscc: string) => ({ kind, iscc, type: parseIscc(iscc).typeName });

async function isccFile(path: string): Promise<FileResult> {
  const r = await isccOfFile(path);
  return {
    file: path,
    iscc: r.iscc,
    units: [...(r.units.content ? [unit("Content", r.units.content)] : []), unit("Data", r.units.data), unit("Instance", r.units.instance)],
    datahash: r.datahash,
    filesize: r.filesize,
    ...(r.characters !== undefined ? { characters: r.characters } : {}),
  };
}

function formatFileResult(r: FileResult): string {
  const lines = [r.file, `  ISCC-CODE  ${r.iscc}`];
  for (const u of r.units) lines.push(`  ${u.kind.padEnd(9)}  ${u.iscc.padEnd(24)}  ${u.type}`);
  lines.push(`  datahash   ${r.datahash}`, `  filesize   ${r.filesize}`);
  if (r.characters !== undefined) lines.push(`  characters ${r.characters}`);
  return lines.join("\n");
}

const ISCC = defineCommand({
  name: "iscc",
  args: "<file>...",
  summary: "print the ISCC-CODE and its units (Content for text/PNG/JPEG, Data, Instance) for each file",
  flags: {},
  async run(ctx, files) {
    // Native (or WebAssembly) BLAKE3 where Node can load it: far faster than pure JS (src/iscc/blake3.ts).
    await enableFastBlake3();
    let status = 0;
    const results: FileResult[] = [];
    // One file that cannot be read does not stop the others; it makes the exit code 1.
    for (const file of files) {
      try {
        const r = await isccFile(file);
        results.push(r);
        if (!ctx.json) ctx.out(formatFileResult(r));
      } catch (e) {
        status = EXIT_FAILURE;
        ctx.err(`iscc: ${e instanceof FileIsccError ? "" : `${file}: `}${(e as Error).message}`);
      }
    }
    if (ctx.json) ctx.out(JSON.stringify(results, null, 2));
    return status;
  },
});

const GLOBALS = {
  json: { type: "boolean", help: "print the results as one JSON array" },
  help: { type: "boolean", short: "h", help: "show help" },
} as const;

export function main(argv: string[], io: Io = CONSOLE): Promise<number> {
  return runSingle(ISCC, GLOBALS, argv, io);
}
