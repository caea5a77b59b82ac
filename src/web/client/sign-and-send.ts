/**
 * Signing on the device and sending in batches: shared by the declare page and my declarations
 * (updates and revokes). Everything a person typed was checked before (declaration-drafts.ts), and
 * every declaration is signed before the first request, so a mistake stops the whole submission.
 * (The registry's full validator is not bundled: it brings zod, ~450 KB, for fields this page
 * writes itself.)
 */
import type { Declaration } from "../../domain/declaration-schema";
import { signJson, type Keypair } from "../../domain/iscc-sig";
import { batchDeclarations } from "../batching";
import type { Unsigned } from "../declaration-drafts";
import type { Translator } from "../i18n/translate";
import { api } from "./api";

export interface ItemResult {
  index: number;
  outcome: "created" | "exists" | "invalid" | "rejected";
  id?: string;
  seq?: number;
  status?: string;
  receipt?: { registered_at?: string; registry?: string };
  problem?: { detail?: string; errors?: { pointer: string; detail: string }[] };
  /** An agent's declaration: the label the registry answered, and which mandate (README, Mandates). */
  agent?: { label: string; agent: string; member: string; member_isni: string | null; mandate: string | null } | null;
}

export async function signAll(drafts: Unsigned[], keypair: Keypair, onProgress?: (done: number) => void): Promise<Declaration[]> {
  const signed: Declaration[] = [];
  for (const [i, d] of drafts.entries()) {
    signed.push((await signJson(d, keypair)) as Declaration);
    // Signing a thousand declarations takes a moment: let the page breathe and report.
    if (i % 50 === 49) {
      onProgress?.(i + 1);
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  onProgress?.(signed.length);
  return signed;
}

/** Sends signed declarations in batches within the registry's limits; results in the input's order. */
export async function sendAll(tr: Translator, signed: Declaration[], onProgress?: (done: number) => void): Promise<ItemResult[]> {
  const out: ItemResult[] = [];
  for (const batch of batchDeclarations(signed)) {
    const answer = await api<{ results: ItemResult[] }>(tr, "POST", "/v1/declarations/batch", batch);
    for (const r of answer.results) out.push({ ...r, index: out.length });
    onProgress?.(out.length);
  }
  return out;
}
