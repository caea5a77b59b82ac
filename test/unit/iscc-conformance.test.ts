import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as iscc from "../../src/iscc/index.js";
import { fromHex } from "../../src/iscc/hex.js";

// Official ISO 24138 vectors from iscc-core 1.3.0 (see test/fixtures/README.md).
const data = JSON.parse(readFileSync(new URL("../fixtures/iscc-core-data.json", import.meta.url), "utf8")) as Record<
  string,
  Record<string, { inputs: unknown[]; outputs: Record<string, unknown> }>
>;

const generators: Record<string, (...args: any[]) => unknown> = {
  gen_meta_code_v0: iscc.genMetaCodeV0,
  gen_text_code_v0: iscc.genTextCodeV0,
  gen_image_code_v0: iscc.genImageCodeV0,
  gen_audio_code_v0: iscc.genAudioCodeV0,
  gen_video_code_v0: iscc.genVideoCodeV0,
  gen_mixed_code_v0: iscc.genMixedCodeV0,
  gen_data_code_v0: iscc.genDataCodeV0,
  gen_instance_code_v0: iscc.genInstanceCodeV0,
  gen_iscc_code_v0: iscc.genIsccCodeV0,
};

const decode = (v: unknown): unknown =>
  typeof v === "string" && v.startsWith("stream:") ? fromHex(v.slice("stream:".length)) : v;

const suites = Object.entries(data).filter(([name]) => name !== "_metadata");

describe("iscc-core conformance vectors", () => {
  it("covers every generator and all 50 vectors", () => {
    expect(suites.map(([n]) => n).sort()).toEqual(Object.keys(generators).sort());
    expect(suites.reduce((n, [, cases]) => n + Object.keys(cases).length, 0)).toBe(50);
  });

  for (const [fn, cases] of suites) {
    describe(fn, () => {
      for (const [name, { inputs, outputs }] of Object.entries(cases)) {
        it(name, () => {
          const result = generators[fn]!(...inputs.map(decode));
          // same keys and values, in the same order as iscc-core's dict
          expect(JSON.stringify(result)).toBe(JSON.stringify(outputs));
        });
      }
    });
  }
});
