/**
 * The whole chain behind one registered declaration, checked offline from what the registry
 * serves: the declarant's ISCC-SIG signature, the registry's signed receipt for exactly these
 * bytes, and the entry's inclusion in a checkpoint signed by the registry's log key.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { canonicalBytes } from "../encoding/canonical-json";
import { verifyJson } from "../domain/iscc-sig";
import { decodeBase64 } from "../encoding/base64";
import { verifyCheckpoint } from "./checkpoint";
import { logEntry } from "./entry";
import { checkRecord, leafHash } from "./merkle";
import { ed25519Verifier } from "./note";

export interface ChainInput {
  id: string;
  declaration: Record<string, unknown>;
  receipt: Record<string, unknown> & { id?: unknown; digest?: unknown; registry?: unknown };
  proof: { leaf_index: number; tree_size: number; proof: string[]; checkpoint: string };
  /** The log's origin and the registry key that signs its checkpoints. */
  log: { origin: string; publicKey: Uint8Array };
  /** Keys trusted to sign receipts, by registry name (this registry, and peers whose receipts it keeps). */
  receiptKeys: Record<string, Uint8Array>;
}

export interface ChainStep {
  step: string;
  ok: boolean;
  detail: string;
}

export async function verifyDeclarationChain(input: ChainInput): Promise<ChainStep[]> {
  const steps: ChainStep[] = [];
  const add = (step: string, ok: boolean, detail: string) => steps.push({ step, ok, detail });

  try {
    const v = await verifyJson(input.declaration);
    add("declarant signature", true, `ISCC-SIG v1.0 by ${v.pubkeyMultikey}${v.controller ? ` (controller ${v.controller})` : ""}`);
  } catch (e) {
    add("declarant signature", false, (e as Error).message);
  }

  const digest = bytesToHex(sha256(canonicalBytes(input.declaration)));
  const registry = typeof input.receipt.registry === "string" ? input.receipt.registry : "";
  const receiptKey = input.receiptKeys[registry];
  if (!receiptKey) add("registry receipt", false, `no trusted key for the receipt's registry ${JSON.stringify(registry)}`);
  else {
    try {
      await verifyJson(input.receipt, { publicKey: receiptKey });
      const same = input.receipt.id === input.id && input.receipt.digest === digest;
      add("registry receipt", same, same ? `signed by ${registry} for id ${input.id} and digest ${digest}` : `the receipt names id ${String(input.receipt.id)} and digest ${String(input.receipt.digest)}, not ${input.id} and ${digest}`);
    } catch (e) {
      add("registry receipt", false, (e as Error).message);
    }
  }

  steps.push(...inclusionSteps(logEntry(input.declaration, input.receipt), input.proof, input.log));
  return steps;
}

/** The last two steps of any record's chain: the checkpoint's signature, and the entry's inclusion under it. */
export function inclusionSteps(entry: Uint8Array, proof: ChainInput["proof"], log: ChainInput["log"]): ChainStep[] {
  const steps: ChainStep[] = [];
  try {
    const { checkpoint } = verifyCheckpoint(proof.checkpoint, [ed25519Verifier(log.origin, log.publicKey)], { origin: log.origin });
    steps.push({ step: "signed checkpoint", ok: true, detail: `${checkpoint.origin}, ${checkpoint.size} entries` });
    if (proof.tree_size !== checkpoint.size) throw new Error(`the proof is for tree size ${proof.tree_size}, the checkpoint has ${checkpoint.size}`);
    checkRecord(
      proof.proof.map((h) => decodeBase64(h) ?? new Uint8Array()),
      checkpoint.size,
      checkpoint.rootHash,
      proof.leaf_index,
      leafHash(entry),
    );
    steps.push({ step: "log inclusion", ok: true, detail: `leaf ${proof.leaf_index} of ${checkpoint.size}` });
  } catch (e) {
    steps.push({ step: steps.length ? "log inclusion" : "signed checkpoint", ok: false, detail: (e as Error).message });
  }
  return steps;
}
