/**
 * The external programs the audio and video Content-Codes need, as iscc-sdk uses them: Chromaprint's
 * `fpcalc` and `ffmpeg`. Found on PATH (or at OPTOUT_FPCALC / OPTOUT_FFMPEG); when one is missing the
 * caller reports which unit could not be computed and how to install the tool, never a silent downgrade.
 */
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { ToolHost, type ToolRun } from "./tool-host.js";

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
export async function runTool(tool: ToolSpec, args: string[], acceptExit: number[] = [], timeoutMs = 10 * 60_000): Promise<Buffer> {
  const path = locateTool(tool);
  if (!path) throw new MissingToolError(tool);
  const options = { maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs };
  const { error, stdout, stderr } = await (useHost ? helper().run(path, args, options) : execFileRun(path, args, options));
  if (!error || (typeof error.code === "number" && acceptExit.includes(error.code))) return stdout;
  if (error.code === "ENOENT") throw new MissingToolError(tool);
  const last = stderr.toString("utf8").trim().split("\n").pop() ?? "";
  throw new ToolFailedError(`${tool.command} failed: ${last || error.message}`);
}

function execFileRun(path: string, args: string[], options: { maxBuffer: number; timeout: number }): Promise<ToolRun> {
  return new Promise((resolve) =>
    execFile(path, args, { ...options, encoding: "buffer" }, (err, stdout, stderr) =>
      resolve({ error: err ? { code: err.code as number | string | undefined, message: err.message } : null, stdout, stderr }),
    ),
  );
}

let useHost = false;
let host: ToolHost | undefined;

/** The thread's helper, started on first use and again if it died. */
function helper(): ToolHost {
  if (!host || host.dead) host = new ToolHost();
  return host;
}

/**
 * From now on this thread starts its tools from a helper process (tool-host.ts): for a scan's fingerprinting
 * threads, where a fork() of the whole process is costly. A single `npx iscc` starts its one tool directly.
 */
export function startToolsFromHelper(): void {
  useHost = true;
}

/** Ends this thread's helper, if it started one. */
export async function closeToolHelper(): Promise<void> {
  await host?.close();
  host = undefined;
}
