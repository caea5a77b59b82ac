import { signCheckpoint } from "../log/checkpoint";
import { ed25519Signer, formatVerifierKey } from "../log/note";
import type { RegistryIdentity } from "../registry-identity";

/** The log's origin line, which is also the note key name (C2SP: a schema-less URL prefix). */
export function logOrigin(me: Pick<RegistryIdentity, "name">): string {
  return `${me.name}/log`;
}

/** The verifier key auditors configure: `<origin>+<key id>+<base64(0x01 || pubkey)>`. */
export function logVerifierKey(me: RegistryIdentity): string {
  return formatVerifierKey(logOrigin(me), me.publicKey);
}

export async function signedCheckpoint(me: RegistryIdentity, size: number, rootHash: Uint8Array): Promise<string> {
  return signCheckpoint({ origin: logOrigin(me), size, rootHash }, ed25519Signer(logOrigin(me), me.secretKey));
}
