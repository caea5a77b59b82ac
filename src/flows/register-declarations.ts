import { verificationAtOrigin, type ControllerVerification } from "../domain/controller-verification";
import {
  checkDeclarationRules,
  checkTimestamp,
  parseDeclaration,
  prepareDeclaration,
  verifyDeclarationSignature,
  type PreparedDeclaration,
} from "../domain/declaration";
import type { Declaration } from "../domain/declaration-schema";
import { jsonPointer, ValidationError } from "../domain/field-error";
import { AuthorityError } from "../domain/mandate";
import type { PreparedRecord } from "../domain/record";
import type { RegisterOutcome, RegisterRequest } from "../durable/sequencer";
import type { Env } from "../env";
import { controllerListsKey, didWebOptions } from "../http/did-resolver";
import { LIMITS } from "../http/limits";
import { Problem } from "../http/problem";

export type ItemResult = RegisterOutcome | { outcome: "invalid"; problem: Problem };

/**
 * Checks one submitted declaration completely (shape, subjects, signature, time, controller) and
 * returns it ready for the sequencer. `at` is where it sits in the request, for error pointers.
 * This is first registration: the controller is resolved here, and the result is what the
 * receipt will carry for every other registry.
 */
export function checkSubmitted(env: Env, input: unknown, at: (string | number)[], nowMs: number): Promise<PreparedDeclaration> {
  return checkDeclaration(() => parseDeclaration(input), at, nowMs, atOrigin(env));
}

/** checkSubmitted for a value DeclarationSchema already returned (the single POST route's validated body). */
export function checkSubmittedShaped(env: Env, d: Declaration, at: (string | number)[], nowMs: number): Promise<PreparedDeclaration> {
  return checkDeclaration(() => checkDeclarationRules(d), at, nowMs, atOrigin(env));
}

function atOrigin(env: Env): (d: Declaration) => Promise<ControllerVerification | null> {
  const opts = didWebOptions(env);
  return async (d) => verificationAtOrigin(d, d.signature.controller !== undefined && (await controllerListsKey(d.signature.controller, d.signature.pubkey, opts)));
}

/**
 * The same checks for a declaration a partner registry delivers, except two: the timestamp window
 * (SPEC applies it at first registration only, and a peer may deliver it hours later), and the
 * controller, which is not resolved again: `verification` is what the origin's receipt says.
 */
export function checkDelivered(input: unknown, at: (string | number)[], verification: (d: Declaration) => ControllerVerification | null): Promise<PreparedDeclaration> {
  return checkDeclaration(() => parseDeclaration(input), at, null, async (d) => verification(d));
}

async function checkDeclaration(
  parse: () => Declaration,
  at: (string | number)[],
  nowMs: number | null,
  verification: (d: Declaration) => Promise<ControllerVerification | null>,
): Promise<PreparedDeclaration> {
  try {
    const d = parse();
    const canonical = await verifyDeclarationSignature(d);
    if (nowMs !== null) checkTimestamp(d, nowMs, LIMITS.timestampSkewMs);
    const prepared = prepareDeclaration(d, await verification(d), canonical);
    checkRecordSize(prepared);
    return prepared;
  } catch (e) {
    throw asProblem(e, at);
  }
}

/** One limit wherever a record comes from (a single POST, a batch, a peer), so that what one registry accepts, every peer accepts too. */
export function checkRecordSize(p: PreparedRecord): void {
  const bytes = new TextEncoder().encode(p.canonical).byteLength;
  if (bytes > LIMITS.declarationBytes) throw new ValidationError([{ pointer: "", detail: `is ${bytes} bytes as canonical JSON; at most ${LIMITS.declarationBytes}` }]);
}

/** A pure module's error as the problem it means, its pointers prefixed with `at`. */
export function asProblem(e: unknown, at: (string | number)[]): unknown {
  if (!(e instanceof ValidationError)) return e;
  const errors = e.errors.map((f) => ({ ...f, pointer: jsonPointer(at) + f.pointer }));
  if (e instanceof AuthorityError) return new Problem("not-the-member", errors[0]!.detail, errors);
  return Problem.invalid(errors);
}

/** Registers local submissions: every item is checked in parallel, then sequenced in one call. */
export async function registerSubmitted<I = unknown>(
  env: Env,
  inputs: I[],
  at: (i: number) => (string | number)[],
  check: (env: Env, input: I, at: (string | number)[], nowMs: number) => Promise<PreparedRecord> = checkSubmitted,
): Promise<ItemResult[]> {
  const now = Date.now();
  const checked = await Promise.all(
    inputs.map((input, i) =>
      check(env, input, at(i), now).then(
        (prepared): RegisterRequest => ({ prepared }),
        (e: unknown) => {
          if (e instanceof Problem) return e;
          throw e;
        },
      ),
    ),
  );
  const valid = checked.filter((c): c is RegisterRequest => !(c instanceof Problem));
  const outcomes = valid.length ? await sequencer(env).register(valid) : [];
  let next = 0;
  return checked.map((c) => (c instanceof Problem ? { outcome: "invalid", problem: c } : outcomes[next++]!));
}

export function sequencer(env: Env) {
  return env.SEQUENCER.get(env.SEQUENCER.idFromName("sequencer"));
}

/** A sequencer refusal as a problem. */
export function rejectionProblem(o: Extract<RegisterOutcome, { outcome: "rejected" }>): Problem {
  return new Problem(o.type, o.detail, o.errors ?? []);
}
