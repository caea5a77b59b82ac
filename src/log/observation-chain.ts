/**
 * The chain behind one notarized observation, checked offline from what the registry answered:
 * the registry's signature on the observation (it is the observer), its signed receipt for exactly
 * these bytes, and the entry { observation, receipt } under a checkpoint signed by its log key.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { verifyJson } from "../domain/iscc-sig";
import { canonicalBytes } from "../encoding/canonical-json";
import { inclusionSteps, type ChainInput, type ChainStep } from "./declaration-chain";
import { logEntry } from "./entry";

export interface ObservationChainInput {
  observation: Record<string, unknown>;
  receipt: Record<string, unknown> & { digest?: unknown };
  proof: ChainInput["proof"];
  /** The log's origin and the registry key: it signs observations, receipts and checkpoints. */
  log: ChainInput["log"];
}

export async function verifyObservationChain(input: ObservationChainInput): Promise<ChainStep[]> {
  const steps: ChainStep[] = [];
  const check = async (step: string, obj: unknown, detail: string) => {
    try {
      await verifyJson(obj, { publicKey: input.log.publicKey });
      steps.push({ step, ok: true, detail });
    } catch (e) {
      steps.push({ step, ok: false, detail: (e as Error).message });
    }
  };
  await check("registry signature", input.observation, "the observation is signed by the registry key");
  const digest = bytesToHex(sha256(canonicalBytes(input.observation)));
  await check("registry receipt", input.receipt, `signed by the registry key for digest ${digest}`);
  if (input.receipt.digest !== digest) steps[steps.length - 1] = { step: "registry receipt", ok: false, detail: `the receipt names digest ${String(input.receipt.digest)}, not ${digest}` };
  steps.push(...inclusionSteps(logEntry(input.observation, input.receipt), input.proof, input.log));
  return steps;
}
