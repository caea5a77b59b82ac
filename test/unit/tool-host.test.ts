// The tools started from a helper process (src/media/tool-host.ts, as the scan's worker threads start them)
// give what starting them directly gives, say when one is missing, and the helper is gone once closed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isccOfFile } from "../../src/media/file-iscc.js";
import { closeToolHelper, startToolsFromHelper } from "../../src/media/system-tools.js";
import { haveTools } from "../support/system-tool.js";

const media = haveTools("tools through the helper process", { command: "ffmpeg", apt: "ffmpeg" }, { command: "fpcalc", apt: "libchromaprint-tools" });

/** Live node processes whose parent is this one (the helper is one), from /proc. */
const childNodes = () =>
  readdirSync("/proc").filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(ppid) === process.pid && state !== "Z" && stat.includes("(node)");
    } catch {
      return false; // not a process, or gone
    }
  }).length;

describe.skipIf(!media || process.platform !== "linux")("tools through the helper process", () => {
  it("compute the same audio and video codes as tools started directly, report a missing tool, and end the helper on close", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tool-host-"));
    const ff = (...a: string[]) => execFileSync("ffmpeg", ["-nostdin", "-v", "error", "-y", ...a]);
    ff("-f", "lavfi", "-i", "sine=frequency=440:duration=3", join(dir, "a.wav"));
    ff("-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10:duration=1", "-pix_fmt", "yuv420p", join(dir, "v.mp4"));
    const files = [join(dir, "a.wav"), join(dir, "v.mp4")];
    const direct = await Promise.all(files.map((f) => isccOfFile(f)));
    expect(direct.map((r) => r.units.content)).toEqual([expect.stringMatching(/^ISCC:EI/), expect.stringMatching(/^ISCC:EM/)]);
    const before = childNodes();
    startToolsFromHelper();
    try {
      expect(await Promise.all(files.map((f) => isccOfFile(f)))).toEqual(direct);
      expect(childNodes()).toBe(before + 1);
      const saved = process.env.OPTOUT_FFMPEG;
      process.env.OPTOUT_FFMPEG = join(dir, "no-such-ffmpeg");
      try {
        const r = await isccOfFile(files[1]!);
        expect(r.units.content).toBeUndefined();
        expect(r.notComputed).toMatchObject({ unit: "Content-Code Video", reason: "ffmpeg is not installed" });
      } finally {
        if (saved === undefined) delete process.env.OPTOUT_FFMPEG;
        else process.env.OPTOUT_FFMPEG = saved;
      }
    } finally {
      await closeToolHelper();
    }
    expect(childNodes()).toBe(before);
  }, 30_000);
});
