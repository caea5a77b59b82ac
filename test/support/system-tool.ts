/**
 * Tests that need a system tool (chromium, ffmpeg, fpcalc, go): under CI=true a missing tool fails the
 * test run, because .ci/run installs every tool in .ci/apt-packages; elsewhere the tests are skipped
 * with a loud line naming the install command.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export interface SystemTool {
  /** The command, or an absolute path. */
  command: string;
  /** The Debian package that provides it (listed in .ci/apt-packages). */
  apt: string;
}

/** Where the command is, or null. */
export function locate(command: string): string | null {
  if (command.startsWith("/")) return existsSync(command) ? command : null;
  try {
    return execFileSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * True when every tool is present. When one is missing: throws under CI=true, otherwise prints
 * which one and how to install it, and returns false (use it with `describe.skipIf(!…)`).
 */
export function haveTools(what: string, ...tools: SystemTool[]): boolean {
  const missing = tools.filter((t) => locate(t.command) === null);
  if (missing.length === 0) return true;
  const install = `apt-get install ${missing.map((t) => t.apt).join(" ")}`;
  const line = `${what}: ${missing.map((t) => t.command).join(", ")} not found; install with \`${install}\``;
  if (process.env.CI === "true" || process.env.CI === "1") throw new Error(`${line} (CI must run these tests)`);
  console.warn(`\n*** SKIPPED ${line} ***\n`);
  return false;
}
