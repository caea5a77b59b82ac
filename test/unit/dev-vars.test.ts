/** How the start scripts choose a variable for `wrangler dev` (scripts/dev-vars.mjs). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { devVar, ensureDevVars, readVar } from "../../scripts/dev-vars.mjs";

const dir = mkdtempSync(join(tmpdir(), "dev-vars-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("devVar", () => {
  const none = file("none.vars", "REGISTRY_SECRET_KEY=z3u2x\nOPERATOR_TOKEN=t\n");
  const named = file("named.vars", 'OPERATOR_TOKEN=t\nREGISTRY_NAME="registry.example"\n');

  it("falls back to the served host and port, set with --var (it must replace wrangler.toml's default)", () => {
    expect(devVar("REGISTRY_NAME", "localhost:8790", [none], {})).toEqual({ value: "localhost:8790", args: ["--var", "REGISTRY_NAME:localhost:8790"] });
    expect(devVar("REGISTRY_NAME", "localhost:8790", [join(dir, "missing.vars")], {}).value).toBe("localhost:8790");
  });

  it("a name in the vars file is kept, and no --var is passed, since wrangler's --var would override the file", () => {
    expect(devVar("REGISTRY_NAME", "localhost:8790", [none, named], {})).toEqual({ value: "registry.example", args: [] });
  });

  it("the environment wins over the vars file and the fallback", () => {
    expect(devVar("REGISTRY_NAME", "localhost:8790", [named], { REGISTRY_NAME: "env.example" })).toEqual({
      value: "env.example",
      args: ["--var", "REGISTRY_NAME:env.example"],
    });
    expect(devVar("REGISTRY_NAME", "localhost:8790", [named], { REGISTRY_NAME: "" }).value).toBe("registry.example");
  });

  it("with no fallback, wrangler.toml's value stands unless something is configured", () => {
    expect(devVar("HUB_ID", undefined, [none], {})).toEqual({ value: undefined, args: [] });
    expect(devVar("HUB_ID", undefined, [none], { HUB_ID: "2" }).args).toEqual(["--var", "HUB_ID:2"]);
  });
});

describe("readVar and ensureDevVars", () => {
  it("reads dotenv lines, quoted or not; a missing file or variable is undefined", () => {
    const f = file("read.vars", "A=1\n B = 'two words' \nC=\"x=y\"\n");
    expect([readVar(f, "A"), readVar(f, "B"), readVar(f, "C"), readVar(f, "D"), readVar(join(dir, "nope"), "A")]).toEqual(["1", "two words", "x=y", undefined, undefined]);
  });

  it("adds a registry key and an operator token once, keeping what the file had", () => {
    const f = file("ensure.vars", "REGISTRY_NAME=kept.example");
    ensureDevVars(f);
    const key = readVar(f, "REGISTRY_SECRET_KEY");
    expect(key).toMatch(/^z3u2/);
    expect(readVar(f, "OPERATOR_TOKEN")).toMatch(/^[\w-]{32}$/);
    expect(readVar(f, "REGISTRY_NAME")).toBe("kept.example");
    ensureDevVars(f);
    expect(readVar(f, "REGISTRY_SECRET_KEY")).toBe(key);
  });
});
