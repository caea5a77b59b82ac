/**
 * A FAKE partner registry for the workers tests, answering the Worker's outbound fetches to
 * https://log-peer.test (see vitest.config.ts). It serves only what a peer's log watcher reads:
 * the descriptor, a signed checkpoint and consistency proofs, over a history the test sets with
 * POST https://log-peer.test/__history { entries } — so a test can make the peer grow honestly,
 * or rewrite an entry it already published. Its log math is the project's own src/log.
 */
import { keypairFromSecret } from "../../src/domain/iscc-sig";
import { encodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { encodeBase64 } from "../../src/encoding/base64";
import { signCheckpoint } from "../../src/log/checkpoint";
import { leafHash, proveTree, storedHashCount, storedHashesForRecord, treeHash } from "../../src/log/merkle";
import { ed25519Signer } from "../../src/log/note";

export const FAKE_PEER = "log-peer.test";
const ORIGIN = `${FAKE_PEER}/log`;
const key = keypairFromSecret(new Uint8Array(32).fill(0x07));
export const FAKE_PEER_PUBLIC_KEY = encodeEd25519PublicMultikey(key.publicKey);

let hashes: Uint8Array[] = [];
let size = 0;
const read = (ix: number[]) => ix.map((i) => hashes[i]!);

function setHistory(entries: string[]): void {
  hashes = [];
  entries.forEach((e, n) => {
    const start = storedHashCount(n);
    storedHashesForRecord(n, leafHash(new TextEncoder().encode(e)), read).forEach((h, i) => (hashes[start + i] = h));
  });
  size = entries.length;
}

export async function fakePeerRegistry(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/__history" && request.method === "POST") {
    setHistory(((await request.json()) as { entries: string[] }).entries);
    return new Response(null, { status: 204 });
  }
  if (url.pathname === "/.well-known/opt-out-registry")
    return Response.json({ name: FAKE_PEER, hub_id: 7, public_key: FAKE_PEER_PUBLIC_KEY, log: { origin: ORIGIN } });
  if (url.pathname === "/log/checkpoint")
    return new Response(signCheckpoint({ origin: ORIGIN, size, rootHash: treeHash(size, read) }, ed25519Signer(ORIGIN, key.secretKey)));
  if (url.pathname === "/v1/log/consistency") {
    const from = Number(url.searchParams.get("from"));
    const to = Number(url.searchParams.get("to"));
    return Response.json({ from, to, proof: proveTree(to, from, read).map(encodeBase64) });
  }
  return Response.json({ title: "Not found" }, { status: 404 });
}
