/**
 * `optout verify` and `optout audit`: what an auditor runs against a registry. Everything is
 * checked here, on the auditor's machine, from what the registry serves; the registry's own word
 * counts for nothing but the bytes it signed.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { decodeEd25519PublicMultikey } from "../domain/multikey";
import { decodeBase64 } from "../encoding/base64";
import { auditCheckpoint, type SeenCheckpoint } from "../log/checkpoint-audit";
import { verifyDeclarationChain, type ChainStep } from "../log/declaration-chain";
import { ed25519Verifier } from "../log/note";
import { verifyObservationChain } from "../log/observation-chain";
import { CliError, EXIT_USAGE } from "./errors";
import type { RegistryClient } from "./registry-client";

interface Descriptor {
  name: string;
  public_key: string;
  log: { origin: string };
}

function decodeKey(what: string, multikey: string): Uint8Array {
  try {
    return decodeEd25519PublicMultikey(multikey);
  } catch (e) {
    throw new CliError(`${what}: ${(e as Error).message}`, EXIT_USAGE);
  }
}

/** The registry's key: pinned by the caller, or taken from its descriptor (and said so). */
async function registryKey(client: RegistryClient, pinned: string | undefined): Promise<{ d: Descriptor; key: Uint8Array; pinned: boolean }> {
  const { body: d } = await client.get<Descriptor>(".well-known/opt-out-registry");
  const key = decodeKey("the registry's public key", d.public_key);
  if (pinned !== undefined && pinned !== d.public_key)
    throw new CliError(`the registry now presents key ${d.public_key}, not the pinned ${pinned}: do not trust its answers`);
  return { d, key, pinned: pinned !== undefined };
}

const keyNote = (d: Descriptor, pinned: boolean) =>
  pinned ? `registry key ${d.public_key} (pinned)` : `registry key ${d.public_key} (from its descriptor; pin it with --registry-key)`;

export async function verifyDeclaration(
  client: RegistryClient,
  id: string,
  opts: { registryKey?: string; trust: string[] },
): Promise<{ steps: ChainStep[]; keyNote: string }> {
  const { d, key, pinned } = await registryKey(client, opts.registryKey);
  const receiptKeys: Record<string, Uint8Array> = { [d.name]: key };
  for (const t of opts.trust) {
    const [name, mk] = t.split("=");
    if (!name || !mk) throw new CliError(`--trust takes NAME=z6Mk…, got ${JSON.stringify(t)}`, EXIT_USAGE);
    receiptKeys[name] = decodeKey(`--trust ${name}`, mk);
  }
  const { body: stored } = await client.get<{ id: string; declaration: Record<string, unknown>; receipt: Record<string, unknown> }>(
    `v1/declarations/${encodeURIComponent(id)}`,
  );
  const { body: proof } = await client.get<{ leaf_index: number; tree_size: number; proof: string[]; checkpoint: string }>(
    `v1/declarations/${encodeURIComponent(stored.id)}/proof`,
  );
  const steps = await verifyDeclarationChain({
    id: stored.id,
    declaration: stored.declaration,
    receipt: stored.receipt,
    proof,
    log: { origin: d.log.origin, publicKey: key },
    receiptKeys,
  });
  return { steps, keyNote: keyNote(d, pinned) };
}

/** Checks a POST /v1/observations answer offline against the registry's key (pinned, or from its descriptor). */
export async function verifyNotarized(
  client: RegistryClient,
  notarized: { observation: Record<string, unknown>; receipt: Record<string, unknown>; proof: { leaf_index: number; tree_size: number; proof: string[]; checkpoint: string } },
  opts: { registryKey?: string },
): Promise<{ steps: ChainStep[]; keyNote: string }> {
  const { d, key, pinned } = await registryKey(client, opts.registryKey);
  const steps = await verifyObservationChain({ ...notarized, log: { origin: d.log.origin, publicKey: key } });
  return { steps, keyNote: keyNote(d, pinned) };
}

interface AuditState {
  registry: string;
  public_key: string;
  origin: string;
  checkpoints: SeenCheckpoint[];
}

export function defaultAuditStatePath(registry: URL): string {
  return join(homedir(), ".config", "optout", "audit", `${registry.host.replace(/[^a-z0-9.-]/gi, "_")}.json`);
}

/**
 * One audit round: fetch the checkpoint, check it against the last one this auditor kept, and keep
 * it. The state file pins the registry key on first use; a later change of key is a failure.
 */
export async function auditOnce(client: RegistryClient, statePath: string): Promise<{ ok: boolean; message: string }> {
  let state: AuditState | null = null;
  try {
    state = JSON.parse(await readFile(statePath, "utf8")) as AuditState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new CliError(`cannot read ${statePath}: ${(e as Error).message}`);
  }
  const { d, key } = await registryKey(client, state?.public_key);
  const note = await client.getText("log/checkpoint");
  const previous = state?.checkpoints.at(-1) ?? null;
  const outcome = await auditCheckpoint({
    note,
    origin: d.log.origin,
    verifier: ed25519Verifier(d.log.origin, key),
    previous,
    consistency: async (from, to) => {
      const { body } = await client.get<{ proof: string[] }>(`v1/log/consistency?from=${from}&to=${to}`);
      return body.proof.map((h) => decodeBase64(h) ?? new Uint8Array());
    },
  });
  if (!outcome.ok) return { ok: false, message: `LOG INCONSISTENT: ${outcome.reason}` };
  const next: AuditState = {
    registry: client.base.href,
    public_key: d.public_key,
    origin: d.log.origin,
    checkpoints: [...(state?.checkpoints ?? []), outcome.checkpoint].slice(-1000),
  };
  await mkdir(dirname(statePath), { recursive: true });
  await writeFile(statePath, JSON.stringify(next, null, 2) + "\n", { mode: 0o600 });
  const since = previous ? `; consistent with the ${previous.size}-entry checkpoint seen ${previous.seenAt}` : "; first checkpoint kept";
  return { ok: true, message: `${d.log.origin}: ${outcome.checkpoint.size} entries (+${outcome.grewBy})${since}` };
}
