/**
 * `optout`: declare, update and revoke AI-training opt-outs in a registry, and look them up,
 * without writing any crypto. Entry point for bin/optout.mjs; the commands are in ./commands/,
 * one file each. See docs/cli.md.
 */
import { GLOBAL_FLAGS } from "./command";
import { COMMANDS } from "./commands/index";
import { CONSOLE, runProgram, type Io, type Program } from "./dispatch";

export const OPTOUT: Program = {
  name: "optout",
  globals: GLOBAL_FLAGS,
  about: [
    "Declare that your works are not to be used for AI training, in an open opt-out registry,",
    "and look declarations up. Signing is done for you with the key from `optout keygen`.",
  ],
  footer: [
    "Run `optout <command> --help` for a command's options.",
    "Example: optout keygen && optout declare --url 'https://example.com/art/*' --train-ai n",
  ],
  commands: COMMANDS,
};

export function main(argv: string[], io: Io = CONSOLE): Promise<number> {
  return runProgram(OPTOUT, argv, io);
}
