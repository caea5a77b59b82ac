import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { z } from "zod";
import { verificationFromReceipt } from "../domain/controller-verification";
import { canonicalize, CanonicalJsonError, checkJsonDepth } from "../encoding/canonical-json";
import { issuesToFieldErrors, jsonPointer, ValidationError, type FieldError } from "../domain/field-error";
import { SignatureError, verifyJson } from "../domain/iscc-sig";
import { decodeEd25519PublicMultikey } from "../domain/multikey";
import { normalizeRegistryName, sameRegistryName } from "../domain/registry-name";
import type { RegisterRequest } from "../durable/sequencer";
import type { Env } from "../env";
import { LIMITS } from "../http/limits";
import { Problem } from "../http/problem";
import { parseIsccIdV1 } from "../iscc/index";
import { registryIdentity, type RegistryIdentity } from "../registry-identity";
import { knownDigests, listPeers } from "../store/peers";
import type { Receipt } from "../store/receipt";
import { checkDelivered, sequencer, type ItemResult } from "./register-declarations";
import { checkDeliveredMandate } from "./register-mandates";
import type { Declaration } from "../domain/declaration-schema";
import type { PreparedRecord } from "../domain/record";

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

const receiptMember = z.record(z.string(), z.unknown()).describe("The receipt its origin registry signed");

/** A delivered record: a declaration or a mandate (README, "Mandates"), each with its origin's receipt. */
export const DeliveredItemSchema = z.union([
  z.strictObject({ declaration: z.record(z.string(), z.unknown()).describe("The signed declaration, as its declarant signed it"), receipt: receiptMember }),
  z.strictObject({ mandate: z.record(z.string(), z.unknown()).describe("A signed mandate, as its member (or, revoking it, its agent) signed it"), receipt: receiptMember }),
]);

/**
 * Registers declarations a partner delivered (webhook push or feed pull). A peer is never trusted
 * blindly: every declarant signature is verified again (without the timestamp window, which only
 * applies at first registration), and so is the origin's receipt:
 * - an id in our hub, or `receipt.registry` naming this registry (in any spelling): our own key,
 *   so no peer can mint ids in our namespace;
 * - `receipt.registry` is a known peer: that peer's key, and nothing else;
 * - otherwise (an origin we do not peer with, relayed by a peer we do): the receipt's own embedded
 *   key. The relaying peer is authenticated and vouches for it; the receipt must still be
 *   internally consistent (signature, digest of this very declaration, a valid ISCC-ID).
 * The controller's standing comes from the receipt's signed `verification`, never from resolving
 * the DID here (src/domain/controller-verification.ts). Each item is bounded like a local one
 * (nesting, declaration and receipt size) and fails alone. Items already held (same digest) are
 * answered from D1 without verifying again: equal digests mean byte-identical declarations, which
 * were verified when first stored. `at` prefixes pointers.
 */
export async function receiveDelivered(env: Env, from: string, items: unknown[], at: string): Promise<ItemResult[]> {
  const me = await registryIdentity(env);
  const peerKeys = new Map<string, string>();
  for (const p of await listPeers(env.DB)) peerKeys.set(normalizeRegistryName(p.name) ?? p.name, p.publicKey);
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
  me: RegistryIdentity,
  peerKeys: Map<string, string>,
  from: string,
): Promise<RegisterRequest> {
  try {
    checkJsonDepth(item);
  } catch (e) {
    if (!(e instanceof CanonicalJsonError)) throw e;
    throw Problem.field(jsonPointer(at) + e.pointer, e.message);
  }
  // Which record it is decides the schema, so a bad item hears about its own fields.
  const schema = typeof item === "object" && item !== null && "mandate" in item ? DeliveredItemSchema.options[1] : DeliveredItemSchema.options[0];
  const shape = schema.safeParse(item);
  if (!shape.success) throw Problem.invalid(issuesToFieldErrors(shape.error.issues, at));
  const ptr = (...p: string[]) => jsonPointer([...at, "receipt", ...p]);
  const receiptBytes = canonicalSize(shape.data.receipt, ptr());
  if (receiptBytes > LIMITS.receiptBytes) throw Problem.field(ptr(), `is ${receiptBytes} bytes as canonical JSON; at most ${LIMITS.receiptBytes}`);
  const r = ReceiptSchema.safeParse(shape.data.receipt);
  if (!r.success) throw Problem.invalid(issuesToFieldErrors(r.error.issues, [...at, "receipt"]));
  const receipt = shape.data.receipt as unknown as Receipt;
  // (An id dated in the future is refused by the sequencer: domain/sequencer-decisions.ts.)
  let hubId: number;
  try {
    hubId = parseIsccIdV1(receipt.id).hubId;
  } catch (e) {
    throw Problem.field(ptr("id"), `not an ISCC-ID v1: ${(e as Error).message}`);
  }

  const fromReceipt = (d: Pick<Declaration, "signature">) => {
    try {
      return verificationFromReceipt(receipt.verification, d);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      throw badReceipt("The receipt's verification does not fit the declaration", e.errors.map((f) => ({ pointer: ptr() + f.pointer, detail: f.detail })));
    }
  };
  const prepared: PreparedRecord =
    "mandate" in shape.data
      ? await checkDeliveredMandate(shape.data.mandate, [...at, "mandate"], fromReceipt)
      : await checkDelivered(shape.data.declaration, [...at, "declaration"], fromReceipt);
  if (receipt.digest !== prepared.digest) throw Problem.field(ptr("digest"), "is not the digest of this declaration");

  // Our hub and our name are ours alone: only our key makes such a receipt, whoever relays it.
  const ours = hubId === me.hubId || sameRegistryName(receipt.registry, me.name);
  const peerKey = peerKeys.get(normalizeRegistryName(receipt.registry) ?? receipt.registry);
  const originKey = ours ? me.publicKey : peerKey ? decodeEd25519PublicMultikey(peerKey) : undefined;
  try {
    await verifyJson(receipt, originKey ? { publicKey: originKey } : undefined);
  } catch (e) {
    if (!(e instanceof SignatureError)) throw e;
    const why = ours
      ? `${hubId === me.hubId ? `id ${receipt.id} is in this registry's hub ${me.hubId}` : `it names this registry`}, but it is not signed by this registry's key: ${e.message}`
      : originKey
        ? `not signed by ${receipt.registry}'s registry key: ${e.message}`
        : e.message;
    throw badReceipt(why, [{ pointer: ptr() + e.pointer, detail: why }]);
  }
  return { prepared, peer: { name: from, receipt } };
}

function badReceipt(why: string, errors: FieldError[]): Problem {
  return new Problem("bad-receipt", why, errors);
}

/** UTF-8 size of the canonical JSON of `value`; a value that has none is a field error at `pointer`. */
function canonicalSize(value: unknown, pointer: string): number {
  try {
    return new TextEncoder().encode(canonicalize(value)).byteLength;
  } catch (e) {
    if (!(e instanceof CanonicalJsonError)) throw e;
    throw Problem.field(pointer + e.pointer, e.message);
  }
}

/** The digest the registry would give this item's declaration, or null when it is not even JSON-like. */
function quickDigest(item: unknown): string | null {
  if (typeof item !== "object" || item === null) return null;
  const record = "declaration" in item ? item.declaration : "mandate" in item ? item.mandate : undefined;
  if (record === undefined) return null;
  try {
    // Same formula as prepareDeclaration: SHA-256 of the JCS bytes of the signed record.
    return bytesToHex(sha256(new TextEncoder().encode(canonicalize(record))));
  } catch {
    return null;
  }
}
