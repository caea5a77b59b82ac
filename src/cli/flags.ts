/**
 * Command-line flags: each is declared once, with its help text, and parsed strictly by Node's
 * own parseArgs, so an unknown flag or a missing value is a usage error (exit 2), never a guess.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError, EXIT_USAGE } from "./errors";

export interface Flag {
  type: "string" | "boolean";
  /** Repeatable: the values come as a list, in order. */
  multiple?: boolean;
  short?: string;
  /** The value's name in help, as in `--max-distance N`. */
  value?: string;
  help: string;
}

export type Flags = Record<string, Flag>;

type ValueOf<F extends Flag> = F["type"] extends "boolean" ? boolean : F["multiple"] extends true ? string[] : string;

/** What parsing gives, typed from the declarations: a flag not given is undefined. */
export type FlagValues<F extends Flags> = { [K in keyof F]?: ValueOf<F[K]> };

export interface Parsed<F extends Flags> {
  values: FlagValues<F>;
  positionals: string[];
}

function parseArgsOptions(flags: Flags): NonNullable<ParseArgsConfig["options"]> {
  return Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) }]),
  );
}

export function parseFlags<F extends Flags>(args: string[], flags: F): Parsed<F> {
  try {
    const { values, positionals } = parseArgs({ args, options: parseArgsOptions(flags), allowPositionals: true, strict: true });
    return { values: values as FlagValues<F>, positionals };
  } catch (e) {
    throw new CliError((e as Error).message, EXIT_USAGE);
  }
}

/**
 * Options that may come before the command (`optout --json info`): consumes them and stops at the
 * first word that is not one, the command.
 */
export function leadingFlags(argv: string[], flags: Flags, program: string): { before: string[]; rest: string[] } {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith("-") && argv[i] !== "--") {
    const arg = argv[i]!;
    const name = arg.startsWith("--") ? arg.slice(2).split("=")[0]! : Object.entries(flags).find(([, f]) => f.short === arg.slice(1))?.[0];
    const flag = name !== undefined ? flags[name] : undefined;
    if (!flag) throw new CliError(`unknown option ${arg} (before the command); see \`${program} --help\``, EXIT_USAGE);
    i += flag.type === "string" && !arg.includes("=") ? 2 : 1;
  }
  if (i > argv.length) throw new CliError(`option ${argv[argv.length - 1]} needs a value`, EXIT_USAGE);
  return { before: argv.slice(0, i), rest: argv.slice(i) };
}

/** `-h, --help`, `--max-distance N`: how a flag is shown in help. */
export function flagLabel(name: string, f: Flag): string {
  return `${f.short ? `-${f.short}, ` : ""}--${name}${f.value ? ` ${f.value}` : ""}`;
}

/**
 * How many positional arguments a usage string allows: `<id>` is one, `[url]` an optional one,
 * `<url>...` one or more.
 */
export function positionalRange(usage: string): { min: number; max: number } {
  const words = usage.split(/\s+/).filter(Boolean);
  return {
    min: words.filter((w) => w.startsWith("<")).length,
    max: words.some((w) => w.endsWith("...")) ? Infinity : words.length,
  };
}

export function wholeNumber(text: string, flag: string, unit?: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`${flag} takes a whole number${unit ? ` of ${unit}` : ""}, got ${JSON.stringify(text)}`, EXIT_USAGE);
  return Number(text);
}
