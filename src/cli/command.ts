/**
 * What a command is, and what it is given when it runs. A command is one file under
 * src/cli/commands/ whose default export is `defineCommand({...})`; see docs/cli.md,
 * "Adding a command".
 */
import type { Flags, FlagValues } from "./flags";
import { DEFAULT_REGISTRY, type RegistryClient } from "./registry-client";

/** Flags every optout command takes, before or after the command's name. */
export const GLOBAL_FLAGS = {
  registry: { type: "string", value: "URL", help: `registry base URL (env OPTOUT_REGISTRY; default ${DEFAULT_REGISTRY})` },
  key: { type: "string", value: "FILE", help: "key file (env OPTOUT_KEY; default ~/.config/optout/key.json)" },
  json: { type: "boolean", help: "print the registry's JSON answer instead of a summary" },
  help: { type: "boolean", short: "h", help: "show help" },
} as const satisfies Flags;

export interface Context<F extends Flags = Flags> {
  /** The command's flags and the global ones, as given (undefined when not given). */
  flags: FlagValues<F> & FlagValues<typeof GLOBAL_FLAGS>;
  json: boolean;
  /** Under --json prints `body` as JSON, else the human summary made from it. */
  print<T>(body: T, summary: (body: T) => string): void;
  out(text: string): void;
  err(text: string): void;
  /** The registry of --registry, $OPTOUT_REGISTRY or the local default; a bad URL is a usage error. */
  registry(): RegistryClient;
  /** The key file of --key, $OPTOUT_KEY or ~/.config/optout/key.json. */
  keyPath(): string;
}

export interface Command<F extends Flags = Flags> {
  name: string;
  /** The positional arguments, as help shows them; they also set how many are allowed (see positionalRange). */
  args: string;
  /** One line, lower case, no full stop: the command list shows it as is, the command's help as a sentence. */
  summary: string;
  flags: F;
  /** Returns the exit code; a CliError (or ProblemError) thrown here is printed and sets it instead. */
  run(ctx: Context<F>, args: string[]): Promise<number>;
}

/** Types `ctx.flags` from the flag declarations. */
export function defineCommand<const F extends Flags>(command: Command<F>): Command<F> {
  return command;
}
