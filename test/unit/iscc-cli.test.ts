import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import {
  genDataCodeV0,
  genImageCodeV0,
  genInstanceCodeV0,
  genIsccCodeV0,
  genTextCodeV0,
  imagePixelsFromRgba,
} from "../../src/iscc/index.js";

const bin = new URL("../../bin/iscc.mjs", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "iscc-cli-"));

function run(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 });
}

function picture(w: number, h: number): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data.set([(x * 4) & 255, (y * 6) & 255, (x * y) & 255, 255], (y * w + x) * 4);
  }
  return data;
}

describe("iscc CLI", { timeout: 30_000 }, () => {
  it("prints Text, Data and Instance units and the ISCC-CODE for a text file", () => {
    const text = "Die Unendliche Geschichte\nvon Michael Ende\n";
    const file = join(dir, "story.txt");
    writeFileSync(file, text);
    const bytes = new TextEncoder().encode(text);
    const units = [genTextCodeV0(text).iscc, genDataCodeV0(bytes).iscc, genInstanceCodeV0(bytes).iscc];
    const r = run("--json", file);
    expect(r.status, r.stderr).toBe(0);
    const [out] = JSON.parse(r.stdout);
    expect(out.units.map((u: { iscc: string }) => u.iscc)).toEqual(units);
    expect(out.iscc).toBe(genIsccCodeV0(units).iscc);
    expect(out.filesize).toBe(bytes.length);
  });

  it("prints an Image-Code for a PNG, matching the library on the same pixels", () => {
    const w = 70;
    const h = 45;
    const png = new PNG({ width: w, height: h });
    png.data.set(picture(w, h));
    const file = join(dir, "pic.png");
    const bytes = PNG.sync.write(png);
    writeFileSync(file, bytes);
    const expected = genImageCodeV0(imagePixelsFromRgba({ data: picture(w, h), width: w, height: h })).iscc;
    const r = run(file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Content    ${expected}`);
    expect(r.stdout).toContain("CONTENT-IMAGE-V0");
    expect(r.stdout).toContain(`Instance   ${genInstanceCodeV0(new Uint8Array(bytes)).iscc}`);
    expect(r.stdout).toMatch(/ISCC-CODE  ISCC:KE[A-Z2-7]+/);
  });

  it("prints an Image-Code for a JPEG and only Data + Instance for binary data", () => {
    const w = 40;
    const h = 30;
    const jpg = jpeg.encode({ data: picture(w, h), width: w, height: h }, 90).data;
    const jfile = join(dir, "pic.jpg");
    writeFileSync(jfile, jpg);
    const decoded = jpeg.decode(jpg, { useTArray: true, formatAsRGBA: true });
    const expected = genImageCodeV0(imagePixelsFromRgba({ data: decoded.data, width: w, height: h })).iscc;
    const bfile = join(dir, "blob.bin");
    writeFileSync(bfile, Uint8Array.from([0, 1, 2, 255, 0]));
    const r = run("--json", jfile, bfile);
    expect(r.status, r.stderr).toBe(0);
    const [j, b] = JSON.parse(r.stdout);
    expect(j.units[0].iscc).toBe(expected);
    expect(b.units.map((u: { kind: string }) => u.kind)).toEqual(["Data", "Instance"]);
    expect(b.iscc).toMatch(/^ISCC:KU/);
  });

  it("exits non-zero with a message for a missing file", () => {
    const r = run(join(dir, "missing"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/iscc: .*missing: ENOENT/);
  });
});
