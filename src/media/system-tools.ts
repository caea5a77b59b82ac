/**
 * The external programs the audio and video Content-Codes need, as iscc-sdk uses them: Chromaprint's
 * `fpcalc` and `ffmpeg`. Found on PATH (or at OPTOUT_FPCALC / OPTOUT_FFMPEG); when one is missing the
 * caller reports which unit could not be computed and how to install the tool, never a silent downgrade.
 */
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export interface ToolSpec {
  command: string;
  env: string;
  /** How to install it, for the message. */
  install: string;
}

export const FPCALC: ToolSpec = {
  command: "fpcalc",
  env: "OPTOUT_FPCALC",
  install: "Debian/Ubuntu: apt-get install libchromaprint-tools; macOS: brew install chromaprint",
};
export const FFMPEG: ToolSpec = {
  command: "ffmpeg",
  env: "OPTOUT_FFMPEG",
  install: "Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg",
};

/** A tool the file's Content-Code needs is not installed. */
export class MissingToolError extends Error {
  constructor(readonly tool: ToolSpec) {
    super(`${tool.command} not found (install it — ${tool.install} — or set ${tool.env} to its path)`);
  }
}

/** The tool ran and failed on this file (an unreadable or unsupported file, usually). */
export class ToolFailedError extends Error {}

const found = new Map<string, string | null>();

export function locateTool(tool: ToolSpec): string | null {
  const override = process.env[tool.env];
  if (override) return override;
  if (found.has(tool.command)) return found.get(tool.command)!;
  let hit: string | null = null;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, tool.command), constants.X_OK);
      hit = join(dir, tool.command);
      break;
    } catch {
      // not in this directory
    }
  }
  found.set(tool.command, hit);
  return hit;
}

/**
 * Runs the tool to completion; resolves with stdout, rejects with its stderr's last line. `acceptExit`: exit
 * codes that still mean a result (fpcalc's 3: "non-critical error, fingerprint computed" — Chromaprint 1.5.1 on
 * FFmpeg 5, as Debian bookworm ships it, exits 3 at the end of every file, acoustid/chromaprint#122, #137).
 */
export function runTool(tool: ToolSpec, args: string[], acceptExit: number[] = [], timeoutMs = 10 * 60_000): Promise<Buffer> {
  const path = locateTool(tool);
  if (!path) return Promise.reject(new MissingToolError(tool));
  return new Promise((resolve, reject) => {
    execFile(path, args, { encoding: "buffer", maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (!err || (typeof err.code === "number" && acceptExit.includes(err.code))) return resolve(stdout);
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return reject(new MissingToolError(tool));
      const last = stderr.toString("utf8").trim().split("\n").pop() ?? "";
      reject(new ToolFailedError(`${tool.command} failed: ${last || err.message}`));
    });
  });
}
