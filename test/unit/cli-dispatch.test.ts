/**
 * The dispatcher every CLI command runs through (src/cli/dispatch.ts): a toy program shows the
 * rules (help, usage errors and their exit codes, errors, --json), then the real `optout` and
 * `iscc` programs are checked for what a newly added command must get right.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defineCommand, GLOBAL_FLAGS, type Context } from "../../src/cli/command";
import { runProgram, runSingle, type Program } from "../../src/cli/dispatch";
import { CliError, EXIT_FAILURE, EXIT_USAGE, ProblemError } from "../../src/cli/errors";
import { main as iscc } from "../../src/cli/iscc";
import { main as optout, OPTOUT } from "../../src/cli/optout";

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function capture(run: (argv: string[], io: { out(s: string): void; err(s: string): void }) => Promise<number>, argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

let ran: { args: string[]; ctx: Context }[] = [];

const greet = defineCommand({
  name: "greet",
  args: "<who>...",
  summary: "say hello",
  flags: { loud: { type: "boolean", help: "shout" }, times: { type: "string", value: "N", help: "how often" } },
  async run(ctx, args) {
    ran.push({ args, ctx });
    ctx.print({ hello: args }, (b) => `hello ${b.hello.join(" and ")}${ctx.flags.loud ? "!" : ""}`);
    return ctx.flags.times === "0" ? 3 : 0;
  },
});

const fail = defineCommand({
  name: "fail",
  args: "[how]",
  summary: "fail as told",
  flags: {},
  async run(_ctx, [how]) {
    if (how === "problem") throw new ProblemError({ title: "The request is not valid", status: 422, errors: [{ pointer: "/iscc", detail: "bad" }] }, 422);
    if (how === "usage") throw new CliError("wrong words", EXIT_USAGE);
    if (how === "bug") throw new TypeError("a bug");
    throw new CliError("refused");
  },
});

const TOY: Program = { name: "toy", globals: GLOBAL_FLAGS, about: ["A toy."], footer: ["The end."], commands: [greet, fail] };
const toy = (...argv: string[]) => {
  ran = [];
  return capture((a, io) => runProgram(TOY, a, io), argv);
};

describe("dispatcher rules (a toy program)", () => {
  it("runs the command with its arguments and flags, globals before or after its name", async () => {
    expect(await toy("greet", "ann", "bob", "--loud")).toEqual({ code: 0, out: "hello ann and bob!", err: "" });
    expect(ran[0]!.args).toEqual(["ann", "bob"]);
    const r = await toy("--registry", "http://r.example", "greet", "ann", "--key", "/k.json");
    expect(r.code).toBe(0);
    expect(ran[0]!.ctx.registry().base.href).toBe("http://r.example/");
    expect(ran[0]!.ctx.keyPath()).toBe("/k.json");
  });

  it("--json prints the body as JSON instead of the summary, given before or after the command", async () => {
    for (const argv of [["--json", "greet", "ann"], ["greet", "ann", "--json"]]) {
      const r = await toy(...argv);
      expect(JSON.parse(r.out)).toEqual({ hello: ["ann"] });
      expect(ran[0]!.ctx.json).toBe(true);
    }
  });

  it("the command's exit code is the program's", async () => {
    expect((await toy("greet", "ann", "--times", "0")).code).toBe(3);
  });

  it("help: --help or -h anywhere, and `help <command>`, on stdout with exit 0; bare invocation on stderr with exit 2", async () => {
    const main = await toy("--help");
    expect(main.code).toBe(0);
    expect(main.out).toContain("Usage: toy <command> [options]");
    expect(main.out).toMatch(/^ {2}greet <who>\.\.\. {2}say hello$/m);
    expect(main.out).toMatch(/^ {2}fail \[how\] {6}fail as told$/m);
    expect(main.out).toMatch(/The end\.$/);
    for (const argv of [["greet", "--help"], ["greet", "-h"], ["--help", "greet"], ["help", "greet"]]) {
      const r = await toy(...argv);
      expect(r).toMatchObject({ code: 0, err: "" });
      expect(r.out).toContain("Usage: toy greet <who>... [options]\n\nSay hello.");
      expect(r.out).toMatch(/Options:\n {2}--loud {5}shout\n {2}--times N {2}how often/);
      expect(r.out).toContain("Global options:\n  --registry URL");
    }
    expect(ran).toEqual([]);
    const bare = await toy();
    expect(bare).toMatchObject({ code: EXIT_USAGE, out: "" });
    expect(bare.err).toContain("Commands:");
  });

  it("usage mistakes exit 2 with one line naming the mistake, and the command never runs", async () => {
    const cases: [string[], string | RegExp][] = [
      [["grete", "ann"], 'toy: unknown command "grete"; commands: greet, fail'],
      [["greet", "ann", "--lould"], /^toy: Unknown option '--lould'/],
      [["greet", "ann", "--times"], /^toy: Option '--times <value>' argument missing/],
      [["greet"], "toy: toy greet takes <who>...; see `toy greet --help`"],
      [["fail", "a", "b"], "toy: toy fail takes [how]; see `toy fail --help`"],
      [["--times", "1", "greet", "ann"], "toy: unknown option --times (before the command); see `toy --help`"],
      [["--registry"], "toy: option --registry needs a value"],
    ];
    for (const [argv, message] of cases) {
      const r = await toy(...argv);
      expect(r.code, argv.join(" ")).toBe(EXIT_USAGE);
      expect(r.out).toBe("");
      if (typeof message === "string") expect(r.err).toBe(message);
      else expect(r.err).toMatch(message);
      expect(ran, argv.join(" ")).toEqual([]);
    }
  });

  it("a refusal exits 1 with the program's name; a problem prints its fields, and its JSON under --json; a bug propagates", async () => {
    expect(await toy("fail")).toEqual({ code: EXIT_FAILURE, out: "", err: "toy: refused" });
    expect(await toy("fail", "usage")).toEqual({ code: EXIT_USAGE, out: "", err: "toy: wrong words" });
    const problem = await toy("fail", "problem");
    expect(problem).toEqual({ code: EXIT_FAILURE, out: "", err: "toy: The request is not valid (HTTP 422)\n  /iscc: bad" });
    const json = await toy("fail", "problem", "--json");
    expect(JSON.parse(json.out)).toMatchObject({ status: 422, errors: [{ pointer: "/iscc" }] });
    expect(json.code).toBe(EXIT_FAILURE);
    await expect(toy("fail", "bug")).rejects.toThrow("a bug");
  });
});

describe("the optout program", () => {
  const files = readdirSync(new URL("../../src/cli/commands/", import.meta.url)).filter((f) => f !== "index.ts");

  it("registers every file in src/cli/commands/, each under its file's name, once", () => {
    expect(OPTOUT.commands.map((c) => `${c.name}.ts`).sort()).toEqual(files.sort());
  });

  it("main help lists every command; each command's help shows each of its flags and the global ones", async () => {
    const main = await capture(optout, ["--help"]);
    for (const c of OPTOUT.commands) {
      expect(main.out).toMatch(new RegExp(`^  ${c.name}\\b.*${c.summary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
      const help = await capture(optout, [c.name, "--help"]);
      expect(help.code).toBe(0);
      for (const flag of Object.keys(c.flags)) expect(help.out).toContain(`--${flag}`);
      expect(help.out).toContain("--registry URL");
      // Help never depends on a registry or a key file.
      expect(help.err).toBe("");
    }
  });

  it("checks usage before any I/O: exit 2 for missing or extra arguments, unknown flags, bad values", async () => {
    // The registry is unreachable and the key file absent: reaching either would exit 1, not 2.
    const env = ["--registry", "http://127.0.0.1:1", "--key", "/nonexistent/key.json"];
    for (const argv of [
      ["resolve"],
      ["resolve", "a", "b"],
      ["info", "x"],
      ["lookup"],
      ["declare", "--bogus"],
      ["declare", "--train-ai", "maybe", "--url", "https://e.example/*"],
      ["declare", "--iscc", "ISCC:X", "--file", "f"],
      ["match", "ISCC:X", "--max-distance", "a"],
      ["audit", "--count", "x"],
      ["keygen", "--controller", "example.com"],
      ["info", "--registry", "ftp://x"],
    ]) {
      const r = await capture(optout, [...env, ...argv]);
      expect(r.code, argv.join(" ")).toBe(EXIT_USAGE);
      expect(r.err, argv.join(" ")).toMatch(/^optout: /);
    }
  });
});

describe("the iscc program (one command)", () => {
  it("help on stdout with exit 0; bare or unknown flag exit 2", async () => {
    const help = await capture(iscc, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: iscc <file>\.\.\. \[options\]/);
    expect(help.out).toContain("--json");
    const bare = await capture(iscc, []);
    expect(bare.code).toBe(EXIT_USAGE);
    expect(bare.err).toContain("Usage: iscc");
    expect((await capture(iscc, ["--bogus", "x"])).code).toBe(EXIT_USAGE);
    expect((await capture((a, io) => runSingle(greet, {}, a, io), ["ann"])).out).toBe("hello ann");
  });
});
