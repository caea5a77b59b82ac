/** Failures the CLI reports to the user and turns into an exit code; anything else is a bug and shows its stack. */

/** Exit codes: 1 when the registry or the environment says no, 2 when the command line itself is wrong. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** An RFC 9457 problem as the registry sends it. */
export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: { pointer: string; detail: string }[];
  [extra: string]: unknown;
}

export class ProblemError extends CliError {
  constructor(
    readonly problem: ProblemBody,
    readonly httpStatus: number,
  ) {
    super(problem.title ?? `HTTP ${httpStatus}`);
    this.name = "ProblemError";
  }
}
