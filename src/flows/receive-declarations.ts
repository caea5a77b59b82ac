import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { z } from "zod";
import { canonicalize } from "../encoding/canonical-json";
import { issuesToFieldErrors, jsonPointer } from "../domain/field-error";
import { SignatureError, verifyJson } from "../domain/iscc-sig";
import { decodeEd25519PublicMultikey } from "../domain/multikey";
import type { RegisterRequest } from "../durable/sequencer";
import type { Env } from "../env";
import { Problem } from "../http/problem";
import { parseIsccIdV1 } from "../iscc/index";
import { registryIdentity } from "../registry-identity";
import { knownDigests, listPeers, type PeerRow } from "../store/peers";
import type { Receipt } from "../store/receipt";
import { checkDelivered, sequencer, type ItemResult } from "./register-declarations";

/**
 * A receipt as an origin registry signs it. Loose on purpose: the signature covers every member,
 * so members a newer registry adds are kept (and stored) as received, never dropped.
 */
const ReceiptSchema = z.looseObject({
  type: z.literal("OptOutReceipt"),
  id: z.string().min(1).max(64),
  seq: z.number().int().positive(),
  digest: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits"),
  registered_at: z.iso.datetime({ offset: true }),
  registry: z.string().min(1).max(253),
  signature: z.looseObject({ version: z.string(), pubkey: z.string().optional(), proof: z.string() }),
});

export const DeliveredItemSchema = z.strictObject({
  declaration: z.record(z.string(), z.unknown()).describe("The signed declaration, as its declarant signed it"),
  receipt: z.record(z.string(), z.unknown()).describe("The receipt its origin registry signed"),
});

/**
 * Registers declarations a partner delivered (webhook push or feed pull). A peer is never trusted
 * blindly: every declarant signature is verified again (without the timestamp window, which only
 * applies at first registration), and so is the origin's receipt:
 * - `receipt.registry` is this registry: our own key;
 * - `receipt.registry` is a known peer: that peer's key, and nothing else;
 * - otherwise (an origin we do not peer with, relayed by a peer we do): the receipt's own embedded
 *   key. The relaying peer is authenticated and vouches for it; the receipt must still be
 *   internally consistent (signature, digest of this very declaration, a valid ISCC-ID).
 * Items already held (same digest) are answered from D1 without verifying again: equal digests
 * mean byte-identical declarations, which were verified when first stored. `at` prefixes pointers.
 */
export async function receiveDelivered(env: Env, from: string, items: unknown[], at: string): Promise<ItemResult[]> {
  const me = await registryIdentity(env);
  const peerKeys = new Map((await listPeers(env.DB)).map((p: PeerRow) => [p.name, p.publicKey]));
  const digests = items.map((it) => quickDigest(it));
  const known = await knownDigests(env.DB, digests.filter((d): d is string => d !== null));

  const checked = await Promise.all(
    items.map(async (item, i): Promise<ItemResult | RegisterRequest> => {
      const hit = digests[i] ? known.get(digests[i]!) : undefined;
      if (hit) return { outcome: "exists", id: hit.id, seq: hit.seq, digest: digests[i]!, status: hit.status, receipt: JSON.parse(hit.receipt) as Receipt };
      try {
        return await checkItem(item, [at, i], me, peerKeys, from);
      } catch (e) {
        if (e instanceof Problem) return { outcome: "invalid", problem: e };
        throw e;
      }
    }),
  );
  const requests = checked.filter((c): c is RegisterRequest => "prepared" in c);
  const outcomes = requests.length ? await sequencer(env).register(requests) : [];
  let next = 0;
  return checked.map((c) => ("prepared" in c ? outcomes[next++]! : c));
}

async function checkItem(
  item: unknown,
  at: (string | number)[],
  me: { name: string; publicKey: Uint8Array },
  peerKeys: Map<string, string>,
  from: string,
): Promise<RegisterRequest> {
  const shape = DeliveredItemSchema.safeParse(item);
  if (!shape.success) throw Problem.invalid(issuesToFieldErrors(shape.error.issues, at));
  const r = ReceiptSchema.safeParse(shape.data.receipt);
  if (!r.success) throw Problem.invalid(issuesToFieldErrors(r.error.issues, [...at, "receipt"]));
  const receipt = shape.data.receipt as unknown as Receipt;
  const ptr = (...p: string[]) => jsonPointer([...at, "receipt", ...p]);
  try {
    parseIsccIdV1(receipt.id);
  } catch (e) {
    throw Problem.field(ptr("id"), `not an ISCC-ID v1: ${(e as Error).message}`);
  }

  const prepared = await checkDelivered(shape.data.declaration, [...at, "declaration"]);
  if (receipt.digest !== prepared.digest) throw Problem.field(ptr("digest"), "is not the digest of this declaration");

  const originKey = receipt.registry === me.name ? me.publicKey : peerKeys.has(receipt.registry) ? decodeEd25519PublicMultikey(peerKeys.get(receipt.registry)!) : undefined;
  try {
    await verifyJson(receipt, originKey ? { publicKey: originKey } : undefined);
  } catch (e) {
    if (!(e instanceof SignatureError)) throw e;
    const why = originKey ? `not signed by ${receipt.registry}'s registry key: ${e.message}` : e.message;
    throw new Problem("bad-receipt", why, [{ pointer: ptr() + e.pointer, detail: why }]);
  }
  return { prepared, peer: { name: from, receipt } };
}

/** The digest the registry would give this item's declaration, or null when it is not even JSON-like. */
function quickDigest(item: unknown): string | null {
  if (typeof item !== "object" || item === null || !("declaration" in item)) return null;
  try {
    // Same formula as prepareDeclaration: SHA-256 of the JCS bytes of the signed declaration.
    return bytesToHex(sha256(new TextEncoder().encode(canonicalize((item as { declaration: unknown }).declaration))));
  } catch {
    return null;
  }
}
