/**
 * The evidence file: everything needed to show, offline and without trusting any website, that a
 * declaration was signed by its declarant, registered by a registry at a time, and included in that
 * registry's append-only transparency log. One JSON file a rightsholder can keep and hand on.
 *
 * The web app's evidence page and `optout verify --evidence FILE` both verify with `verifyEvidence`,
 * which checks the same chain as `optout verify ID` (src/log/declaration-chain.ts) from the file
 * alone. The registry's key is taken from the file unless the verifier pins one; the report says
 * which, because a forger can make a self-consistent file under a key of their own.
 */
import { decodeEd25519PublicMultikey, encodeEd25519PublicMultikey } from "../domain/multikey";
import { verifyDeclarationChain, type ChainStep } from "./declaration-chain";

export const EVIDENCE_TYPE = "OptOutEvidence";
export const EVIDENCE_VERSION = 1;

export interface EvidenceFile {
  type: typeof EVIDENCE_TYPE;
  version: typeof EVIDENCE_VERSION;
  /** When the registry assembled the file (not part of what is proven). */
  exported_at: string;
  id: string;
  /** The declaration's status when exported (informative: the log proves registration, not status). */
  status_at_export?: string;
  declaration: Record<string, unknown>;
  receipt: Record<string, unknown>;
  inclusion: { leaf_index: number; tree_size: number; proof: string[]; checkpoint: string };
  registry: {
    name: string;
    /** Ed25519 multikey that signs this registry's receipts and checkpoints. */
    public_key: string;
    log_origin: string;
    /** did:web of the registry, where its key is published (resolve it to pin the key independently). */
    controller?: string;
  };
  /** Keys of other registries whose receipts this one keeps (declarations received from peers), by name. */
  receipt_keys?: Record<string, string>;
}

export interface EvidenceReport {
  ok: boolean;
  steps: ChainStep[];
  id?: string;
  registry?: string;
  registeredAt?: string;
  /** The registry key the checks used, and whether the caller pinned it or it came from the file. */
  registryKey?: string;
  keySource?: "pinned" | "file";
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Shape problems of a parsed file, each naming the member (JSON pointer); empty when well formed. */
export function evidenceShapeErrors(v: unknown): string[] {
  if (!isObject(v)) return ["/: not a JSON object"];
  const errors: string[] = [];
  if (v.type !== EVIDENCE_TYPE) errors.push(`/type: must be "${EVIDENCE_TYPE}"`);
  if (v.version !== EVIDENCE_VERSION) errors.push(`/version: must be ${EVIDENCE_VERSION}`);
  if (typeof v.id !== "string") errors.push("/id: must be a string");
  if (!isObject(v.declaration)) errors.push("/declaration: must be an object");
  if (!isObject(v.receipt)) errors.push("/receipt: must be an object");
  const inc = v.inclusion;
  if (!isObject(inc)) errors.push("/inclusion: must be an object");
  else {
    if (!Number.isInteger(inc.leaf_index)) errors.push("/inclusion/leaf_index: must be an integer");
    if (!Number.isInteger(inc.tree_size)) errors.push("/inclusion/tree_size: must be an integer");
    if (!Array.isArray(inc.proof) || !inc.proof.every((h) => typeof h === "string")) errors.push("/inclusion/proof: must be a list of base64 hashes");
    if (typeof inc.checkpoint !== "string") errors.push("/inclusion/checkpoint: must be a signed note");
  }
  const reg = v.registry;
  if (!isObject(reg)) errors.push("/registry: must be an object");
  else for (const f of ["name", "public_key", "log_origin"]) if (typeof reg[f] !== "string") errors.push(`/registry/${f}: must be a string`);
  if (v.receipt_keys !== undefined && (!isObject(v.receipt_keys) || !Object.values(v.receipt_keys).every((k) => typeof k === "string")))
    errors.push("/receipt_keys: must map registry names to keys");
  return errors;
}

/** Parses the text of an evidence file; throws with every shape problem at once. */
export function parseEvidence(text: string): EvidenceFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`);
  }
  const errors = evidenceShapeErrors(v);
  if (errors.length) throw new Error(errors.join("; "));
  return v as EvidenceFile;
}

/**
 * Checks an evidence file completely and offline: the declarant's ISCC-SIG signature, the
 * registry's receipt for exactly this declaration, the checkpoint's signature by the registry key
 * and the declaration's inclusion in it. `registryKey` (z6Mk…) pins the key; a file that names
 * another key fails.
 */
export async function verifyEvidence(input: EvidenceFile | string, opts: { registryKey?: string } = {}): Promise<EvidenceReport> {
  let file: EvidenceFile;
  try {
    file = typeof input === "string" ? parseEvidence(input) : input;
    const errors = evidenceShapeErrors(file);
    if (errors.length) throw new Error(errors.join("; "));
  } catch (e) {
    return { ok: false, steps: [{ step: "evidence file", ok: false, detail: (e as Error).message }] };
  }
  const steps: ChainStep[] = [];
  const keySource = opts.registryKey !== undefined ? "pinned" : "file";
  const report = (): EvidenceReport => ({
    ok: steps.length > 0 && steps.every((s) => s.ok),
    steps,
    id: file.id,
    registry: file.registry.name,
    ...(typeof file.receipt.registered_at === "string" ? { registeredAt: file.receipt.registered_at } : {}),
    registryKey: opts.registryKey ?? file.registry.public_key,
    keySource,
  });

  let key: Uint8Array;
  try {
    key = decodeEd25519PublicMultikey(opts.registryKey ?? file.registry.public_key);
    if (opts.registryKey !== undefined && opts.registryKey !== file.registry.public_key)
      throw new Error(`the file names registry key ${file.registry.public_key}, not the pinned ${opts.registryKey}`);
    steps.push({ step: "registry key", ok: true, detail: `${encodeEd25519PublicMultikey(key)} (${keySource === "pinned" ? "pinned by you" : "as the file states it"})` });
  } catch (e) {
    steps.push({ step: "registry key", ok: false, detail: (e as Error).message });
    return report();
  }

  const receiptKeys: Record<string, Uint8Array> = { [file.registry.name]: key };
  for (const [name, mk] of Object.entries(file.receipt_keys ?? {})) {
    if (name === file.registry.name) continue;
    try {
      receiptKeys[name] = decodeEd25519PublicMultikey(mk);
    } catch {
      /* an unusable key simply trusts nobody: the receipt step then fails with its name */
    }
  }
  steps.push(
    ...(await verifyDeclarationChain({
      id: file.id,
      declaration: file.declaration,
      receipt: file.receipt,
      proof: file.inclusion,
      log: { origin: file.registry.log_origin, publicKey: key },
      receiptKeys,
    })),
  );
  return report();
}
