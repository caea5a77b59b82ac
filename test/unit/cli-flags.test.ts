/** Flag parsing shared by every CLI command (src/cli/flags.ts). */
import { describe, expect, it } from "vitest";
import { CliError, EXIT_USAGE } from "../../src/cli/errors";
import { flagLabel, leadingFlags, parseFlags, positionalRange, wholeNumber, type Flags } from "../../src/cli/flags";

const FLAGS = {
  name: { type: "string", value: "TEXT", help: "a name" },
  url: { type: "string", multiple: true, value: "PATTERN", help: "repeatable" },
  json: { type: "boolean", help: "JSON" },
  help: { type: "boolean", short: "h", help: "show help" },
} as const satisfies Flags;

function usageError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(EXIT_USAGE);
    return (e as Error).message;
  }
  throw new Error("expected a usage error");
}

describe("parseFlags", () => {
  it("types values from the declarations: strings, repeated strings, booleans; positionals in order", () => {
    const p = parseFlags(["a", "--name", "x", "--url", "u1", "b", "--url=u2", "--json", "-h"], FLAGS);
    expect(p.values).toEqual({ name: "x", url: ["u1", "u2"], json: true, help: true });
    expect(p.positionals).toEqual(["a", "b"]);
  });

  it("an unknown flag, a missing value or a value on a boolean is a usage error", () => {
    expect(usageError(() => parseFlags(["--nmae", "x"], FLAGS))).toContain("--nmae");
    expect(usageError(() => parseFlags(["--name"], FLAGS))).toContain("--name");
    expect(usageError(() => parseFlags(["--json=yes"], FLAGS))).toContain("--json");
    expect(usageError(() => parseFlags(["-x"], FLAGS))).toContain("-x");
  });

  it("`--` ends the flags: what follows is positional, even if it starts with a dash", () => {
    expect(parseFlags(["--", "--name", "-h"], FLAGS)).toEqual({ values: {}, positionals: ["--name", "-h"] });
  });
});

describe("leadingFlags", () => {
  it("takes the global flags before the command, with or without =, and stops at the command", () => {
    expect(leadingFlags(["--name", "n", "--json", "-h", "cmd", "--other", "x"], FLAGS, "prog")).toEqual({
      before: ["--name", "n", "--json", "-h"],
      rest: ["cmd", "--other", "x"],
    });
    expect(leadingFlags(["--name=n", "cmd"], FLAGS, "prog")).toEqual({ before: ["--name=n"], rest: ["cmd"] });
    expect(leadingFlags(["cmd", "--json"], FLAGS, "prog")).toEqual({ before: [], rest: ["cmd", "--json"] });
  });

  it("an unknown flag before the command, or a missing value, is a usage error naming it", () => {
    expect(usageError(() => leadingFlags(["--snapshot", "f", "lookup"], FLAGS, "prog"))).toBe(
      "unknown option --snapshot (before the command); see `prog --help`",
    );
    expect(usageError(() => leadingFlags(["--json", "--name"], FLAGS, "prog"))).toBe("option --name needs a value");
  });
});

describe("positionalRange", () => {
  it("reads how many arguments a usage string allows", () => {
    expect(positionalRange("")).toEqual({ min: 0, max: 0 });
    expect(positionalRange("<id|digest>")).toEqual({ min: 1, max: 1 });
    expect(positionalRange("<url>...")).toEqual({ min: 1, max: Infinity });
    expect(positionalRange("[registry-url]")).toEqual({ min: 0, max: 1 });
    expect(positionalRange("<from> <to> [note]")).toEqual({ min: 2, max: 3 });
    expect(positionalRange("[file]...")).toEqual({ min: 0, max: Infinity });
  });
});

describe("flagLabel and wholeNumber", () => {
  it("labels flags as help shows them", () => {
    expect(flagLabel("help", FLAGS.help)).toBe("-h, --help");
    expect(flagLabel("url", FLAGS.url)).toBe("--url PATTERN");
    expect(flagLabel("json", FLAGS.json)).toBe("--json");
  });

  it("wholeNumber takes digits only", () => {
    expect(wholeNumber("0", "--count")).toBe(0);
    expect(wholeNumber("15", "--max-distance", "bits")).toBe(15);
    expect(usageError(() => wholeNumber("-1", "--count"))).toBe('--count takes a whole number, got "-1"');
    expect(usageError(() => wholeNumber("1.5", "--max-distance", "bits"))).toBe('--max-distance takes a whole number of bits, got "1.5"');
    expect(usageError(() => wholeNumber("", "--count"))).toContain("whole number");
  });
});
