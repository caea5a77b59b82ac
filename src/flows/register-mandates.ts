import { verificationAtOrigin, type ControllerVerification } from "../domain/controller-verification";
import { checkTimestamp, verifyDeclarationSignature } from "../domain/declaration";
import { checkMandateNotExpired, parseMandate, prepareMandate, type PreparedMandate } from "../domain/mandate";
import type { Mandate } from "../domain/mandate-schema";
import type { Env } from "../env";
import { controllerListsKey, didWebOptions } from "../http/did-resolver";
import { LIMITS } from "../http/limits";
import { asProblem, checkRecordSize } from "./register-declarations";

/**
 * Checks a submitted mandate completely (shape, scope, signature, time, expiry, that the signer is
 * the member) and returns it ready for the sequencer; at first registration the signer's
 * controller is resolved here and the result goes into the receipt, as for declarations.
 */
export async function checkSubmittedMandate(env: Env, input: unknown, at: (string | number)[], nowMs: number): Promise<PreparedMandate> {
  const opts = didWebOptions(env);
  return checkMandate(input, at, nowMs, async (m) =>
    verificationAtOrigin(m, m.signature.controller !== undefined && (await controllerListsKey(m.signature.controller, m.signature.pubkey, opts))),
  );
}

/** A mandate a partner delivered: no timestamp window, no expiry check, the controller as the origin's receipt says. */
export function checkDeliveredMandate(input: unknown, at: (string | number)[], verification: (m: Mandate) => ControllerVerification | null): Promise<PreparedMandate> {
  return checkMandate(input, at, null, async (m) => verification(m));
}

async function checkMandate(
  input: unknown,
  at: (string | number)[],
  nowMs: number | null,
  verification: (m: Mandate) => Promise<ControllerVerification | null>,
): Promise<PreparedMandate> {
  try {
    const m = parseMandate(input);
    await verifyDeclarationSignature(m);
    if (nowMs !== null) {
      checkTimestamp(m, nowMs, LIMITS.timestampSkewMs);
      checkMandateNotExpired(m, nowMs);
    }
    const prepared = prepareMandate(m, await verification(m));
    checkRecordSize(prepared);
    return prepared;
  } catch (e) {
    throw asProblem(e, at);
  }
}
