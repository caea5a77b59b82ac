/**
 * `iscc <file>...`: prints the ISCC-CODE and its units for each file. Data and Instance always; the
 * Content-Code of every medium src/media/file-iscc.ts handles, or which unit is missing and why. Entry point for
 * bin/iscc.mjs: a program that is one command, run by the same dispatcher as `optout`.
 */
import { enableFastBlake3, parseIscc } from "../iscc/index";
import { defineCommand } from "./command";
import { CONSOLE, runSingle, type Io } from "./dispatch";
import { EXIT_FAILURE } from "./errors";
import { FileIsccError, isccOfFile, type NotComputed } from "../media/file-iscc";

interface FileResult {
  file: string;
  iscc: string;
  units: { kind: string; iscc: string; type: string }[];
  datahash: string;
  filesize: number;
  mediatype: string;
  characters?: number;
  not_computed?: NotComputed;
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
    mediatype: r.mediatype,
    ...(r.characters !== undefined ? { characters: r.characters } : {}),
    ...(r.notComputed ? { not_computed: r.notComputed } : {}),
  };
}

function formatFileResult(r: FileResult): string {
  const lines = [r.file, `  ISCC-CODE  ${r.iscc}`];
  for (const u of r.units) lines.push(`  ${u.kind.padEnd(9)}  ${u.iscc.padEnd(24)}  ${u.type}`);
  lines.push(`  datahash   ${r.datahash}`, `  filesize   ${r.filesize}`);
  if (r.characters !== undefined) lines.push(`  characters ${r.characters}`);
  if (r.not_computed) lines.push(`  not computed: ${r.not_computed.unit} (${r.not_computed.reason})`);
  return lines.join("\n");
}

const ISCC = defineCommand({
  name: "iscc",
  args: "<file>...",
  summary:
    "print the ISCC-CODE and its units for each file: Data and Instance always; Content for images (JPEG, PNG, WebP, GIF, TIFF, BMP, AVIF), audio (needs fpcalc), video (needs ffmpeg) and text (plain, Markdown, HTML, PDF, EPUB), or which unit is missing and why",
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
        const n = r.not_computed;
        if (n) ctx.err(`iscc: ${file}: ${n.unit} not computed: ${n.reason}${n.install ? ` — install: ${n.install}` : ""}`);
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
