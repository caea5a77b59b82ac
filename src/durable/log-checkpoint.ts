import { ed25519Sign } from "../domain/ed25519";
import { formatCheckpoint } from "../log/checkpoint";
import { ed25519KeyId, formatVerifierKey, signNoteAsync, type AsyncNoteSigner } from "../log/note";
import type { RegistryIdentity } from "../registry-identity";

/** The log's origin line, which is also the note key name (C2SP: a schema-less URL prefix). */
export function logOrigin(me: Pick<RegistryIdentity, "name">): string {
  return `${me.name}/log`;
}

/** The verifier key auditors configure: `<origin>+<key id>+<base64(0x01 || pubkey)>`. */
export function logVerifierKey(me: RegistryIdentity): string {
  let key = verifierKeys.get(me);
  if (key === undefined) verifierKeys.set(me, (key = formatVerifierKey(logOrigin(me), me.publicKey)));
  return key;
}

/** Per identity (one per isolate): the descriptor route names the key on every request. */
const verifierKeys = new WeakMap<RegistryIdentity, string>();

/** One signer per identity: a checkpoint is signed after every group commit. */
const signers = new WeakMap<RegistryIdentity, AsyncNoteSigner>();

export async function signedCheckpoint(me: RegistryIdentity, size: number, rootHash: Uint8Array): Promise<string> {
  let signer = signers.get(me);
  if (!signer) {
    const name = logOrigin(me);
    signer = { name, keyId: ed25519KeyId(name, me.publicKey), sign: (message) => ed25519Sign(message, me.secretKey) };
    signers.set(me, signer);
  }
  return signNoteAsync(formatCheckpoint({ origin: logOrigin(me), size, rootHash }), signer);
}
