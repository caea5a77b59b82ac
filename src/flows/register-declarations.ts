import {
  checkTimestamp,
  parseDeclaration,
  prepareDeclaration,
  verifyDeclarationSignature,
  type PreparedDeclaration,
} from "../domain/declaration";
import { jsonPointer, ValidationError } from "../domain/field-error";
import type { RegisterOutcome, RegisterRequest } from "../durable/sequencer";
import type { Env } from "../env";
import { verifiedControllerHost } from "../http/did-resolver";
import { LIMITS } from "../http/limits";
import { Problem } from "../http/problem";

export type ItemResult = RegisterOutcome | { outcome: "invalid"; problem: Problem };

/**
 * Checks one submitted declaration completely (shape, subjects, signature, time, controller) and
 * returns it ready for the sequencer. `at` is where it sits in the request, for error pointers.
 */
export function checkSubmitted(input: unknown, at: (string | number)[], nowMs: number): Promise<PreparedDeclaration> {
  return checkDeclaration(input, at, nowMs);
}

/**
 * The same checks for a declaration a partner registry delivers, except the timestamp window:
 * SPEC applies it at first registration only, and a peer may deliver it hours later.
 */
export function checkDelivered(input: unknown, at: (string | number)[]): Promise<PreparedDeclaration> {
  return checkDeclaration(input, at, null);
}

async function checkDeclaration(input: unknown, at: (string | number)[], nowMs: number | null): Promise<PreparedDeclaration> {
  try {
    const d = parseDeclaration(input);
    await verifyDeclarationSignature(d);
    if (nowMs !== null) checkTimestamp(d, nowMs, LIMITS.timestampSkewMs);
    const host = await verifiedControllerHost(d.signature.controller, d.signature.pubkey);
    return prepareDeclaration(d, host);
  } catch (e) {
    if (e instanceof ValidationError)
      throw Problem.invalid(e.errors.map((f) => ({ ...f, pointer: jsonPointer(at) + f.pointer })));
    throw e;
  }
}

/** Registers local submissions: every item is checked in parallel, then sequenced in one call. */
export async function registerSubmitted(env: Env, inputs: unknown[], at: (i: number) => (string | number)[]): Promise<ItemResult[]> {
  const now = Date.now();
  const checked = await Promise.all(
    inputs.map((input, i) =>
      checkSubmitted(input, at(i), now).then(
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
