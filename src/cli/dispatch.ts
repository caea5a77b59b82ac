/**
 * The dispatcher: picks the command, parses its flags, answers --help, checks the positional
 * arguments, runs it, and turns a CliError into its message on stderr and its exit code. A
 * program with subcommands (`optout`) and a program that is one command (`iscc`) share it.
 */
import type { Command, Context } from "./command";
import { CliError, EXIT_USAGE, ProblemError } from "./errors";
import { flagLabel, leadingFlags, parseFlags, positionalRange, type Flags } from "./flags";
import { defaultKeyPath } from "./key-file";
import { DEFAULT_REGISTRY, RegistryClient } from "./registry-client";
import { formatProblem } from "./render";

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const CONSOLE: Io = { out: (s) => console.log(s), err: (s) => console.error(s) };

export interface Program {
  name: string;
  /** Flags any command takes, before or after its name; `json` and `help` are read by the dispatcher. */
  globals: Flags;
  /** Main help: the lines under the usage line, and the lines at its end. */
  about: string[];
  footer: string[];
  commands: Command[];
}

type Values = Context["flags"];

function optionLines(flags: Flags): string[] {
  const entries = Object.entries(flags);
  const width = Math.max(...entries.map(([name, f]) => flagLabel(name, f).length));
  return entries.map(([name, f]) => `  ${flagLabel(name, f).padEnd(width)}  ${f.help}`);
}

function section(title: string, flags: Flags): string[] {
  return Object.keys(flags).length ? ["", `${title}:`, ...optionLines(flags)] : [];
}

export function mainHelp(p: Program): string {
  const usage = (c: Command) => `${c.name} ${c.args}`.trimEnd();
  const width = Math.max(...p.commands.map((c) => usage(c).length));
  return [
    `Usage: ${p.name} <command> [options]`,
    "",
    ...p.about,
    "",
    "Commands:",
    ...p.commands.map((c) => `  ${usage(c).padEnd(width)}  ${c.summary}`),
    ...section("Global options", p.globals),
    "",
    ...p.footer,
  ].join("\n");
}

/** `invocation` is how the command is called: `optout declare`, or `iscc` for a one-command program. */
export function commandHelp(invocation: string, c: Command, sections: [string, Flags][]): string {
  return [
    `Usage: ${invocation}${c.args ? " " + c.args : ""} [options]`,
    "",
    `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`,
    ...sections.flatMap(([title, flags]) => section(title, flags)),
  ].join("\n");
}

function context(values: Values, io: Io): Context {
  let client: RegistryClient | undefined;
  return {
    flags: values,
    json: values.json === true,
    print: (body, summary) => io.out(values.json === true ? JSON.stringify(body, null, 2) : summary(body)),
    out: io.out,
    err: io.err,
    registry: () => (client ??= new RegistryClient(values.registry ?? process.env.OPTOUT_REGISTRY ?? DEFAULT_REGISTRY)),
    keyPath: () => values.key ?? process.env.OPTOUT_KEY ?? defaultKeyPath(),
  };
}

/** What the error report needs to know: under --json a problem goes to stdout as JSON too. */
interface RunState {
  json: boolean;
}

/** Parses the command's flags (globals included, `before` holds those given ahead of its name), answers --help, runs it. */
async function runCommand(
  command: Command,
  how: { invocation: string; globals: Flags; help: string },
  before: Values,
  args: string[],
  io: Io,
  state: RunState,
): Promise<number> {
  const parsed = parseFlags(args, { ...how.globals, ...command.flags });
  const values = { ...before, ...parsed.values } as Values;
  if (values.help) {
    io.out(how.help);
    return 0;
  }
  state.json = values.json === true;
  const { min, max } = positionalRange(command.args);
  const n = parsed.positionals.length;
  if (n < min || n > max) throw new CliError(`${how.invocation} takes ${command.args || "no arguments"}; see \`${how.invocation} --help\``, EXIT_USAGE);
  return command.run(context(values, io), parsed.positionals);
}

/** A CliError becomes its message (and, under --json, a problem on stdout); anything else is a bug and propagates. */
async function reporting(program: string, io: Io, state: RunState, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof ProblemError) {
      if (state.json) io.out(JSON.stringify(e.problem, null, 2));
      io.err(`${program}: ${formatProblem(e.problem, e.httpStatus)}`);
      return e.exitCode;
    }
    if (e instanceof CliError) {
      io.err(`${program}: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}

/** `optout [global options] <command> [arguments and options]`, and `optout help <command>`. */
export function runProgram(p: Program, argv: string[], io: Io = CONSOLE): Promise<number> {
  const state: RunState = { json: false };
  return reporting(p.name, io, state, async () => {
    const { before, rest } = leadingFlags(argv, p.globals, p.name);
    const globals = parseFlags(before, p.globals).values as Values;
    state.json = globals.json === true;
    const [name, ...after] = rest;
    const help = (c: Command) => commandHelp(`${p.name} ${c.name}`, c, [["Options", c.flags], ["Global options", p.globals]]);
    if (name === undefined || name === "help") {
      // Bare `optout` is a usage mistake: help goes to stderr so a pipeline does not take it for output.
      if (name === undefined && !globals.help) {
        io.err(mainHelp(p));
        return EXIT_USAGE;
      }
      const topic = name === "help" ? p.commands.find((c) => c.name === after[0]) : undefined;
      io.out(topic ? help(topic) : mainHelp(p));
      return 0;
    }
    const command = p.commands.find((c) => c.name === name);
    if (!command) throw new CliError(`unknown command ${JSON.stringify(name)}; commands: ${p.commands.map((c) => c.name).join(", ")}`, EXIT_USAGE);
    if (globals.help) {
      io.out(help(command));
      return 0;
    }
    return runCommand(command, { invocation: `${p.name} ${command.name}`, globals: p.globals, help: help(command) }, globals, after, io, state);
  });
}

/** A program that is one command (`iscc [options] <file>...`): its name is the command's. */
export function runSingle(command: Command, globals: Flags, argv: string[], io: Io = CONSOLE): Promise<number> {
  const state: RunState = { json: false };
  const help = commandHelp(command.name, command, [["Options", { ...command.flags, ...globals }]]);
  return reporting(command.name, io, state, async () => {
    if (argv.length === 0 && positionalRange(command.args).min > 0) {
      io.err(help);
      return EXIT_USAGE;
    }
    return runCommand(command, { invocation: command.name, globals, help }, {}, argv, io, state);
  });
}
