import { decodeEd25519SecretMultikey, encodeEd25519PublicMultikey } from "./domain/multikey";
import { keypairFromSecret } from "./domain/iscc-sig";
import type { Env } from "./env";

export interface RegistryIdentity {
  name: string;
  hubId: number;
  controller: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  publicKeyMultikey: string;
}

let cached: { secret: string; identity: RegistryIdentity } | undefined;

/** The registry's name, hub id and key, from configuration; the key is decoded once per isolate. */
export async function registryIdentity(env: Env): Promise<RegistryIdentity> {
  if (cached?.secret === env.REGISTRY_SECRET_KEY && cached.identity.name === env.REGISTRY_NAME) return cached.identity;
  if (!env.REGISTRY_SECRET_KEY) throw new Error("REGISTRY_SECRET_KEY is not set (run npm start once, or `wrangler secret put`)");
  const hubId = Number(env.HUB_ID);
  if (!Number.isInteger(hubId) || hubId < 0 || hubId > 4095) throw new Error(`HUB_ID must be 0–4095, got ${env.HUB_ID}`);
  const kp = await keypairFromSecret(decodeEd25519SecretMultikey(env.REGISTRY_SECRET_KEY));
  const identity: RegistryIdentity = {
    name: env.REGISTRY_NAME,
    hubId,
    controller: `did:web:${env.REGISTRY_NAME.replace(":", "%3A")}`,
    secretKey: kp.secretKey,
    publicKey: kp.publicKey,
    publicKeyMultikey: encodeEd25519PublicMultikey(kp.publicKey),
  };
  cached = { secret: env.REGISTRY_SECRET_KEY, identity };
  return identity;
}
