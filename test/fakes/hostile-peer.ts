/**
 * A FAKE partner registry that misbehaves on demand, for the workers tests (the Worker's outbound
 * fetches to https://hostile-peer.test land here, see test/fakes/outbound.ts). The test sets what
 * each route answers with POST https://hostile-peer.test/__set { descriptor?, feed?, checkpoint?,
 * webhook? }, each one of:
 *   { raw: "<text>" }        exactly this body (a page 20,000 levels deep, 100,000 items, …)
 *   { oversize: N }          a 200 whose body is N bytes of "[" (larger than any honest answer)
 *   { limitBytes: N }        (webhook only) an honest receiver with a body limit: 413 above it,
 *                            else 200 with every item created; deliveries are recorded
 * and reads the recorded deliveries with GET https://hostile-peer.test/__received.
 */
import { keypairFromSecret } from "../../src/domain/iscc-sig";
import { encodeEd25519PublicMultikey } from "../../src/domain/multikey";
import { oversizeBody } from "./did-hosts";

export const HOSTILE_PEER = "hostile-peer.test";
export const HOSTILE_PEER_KEY = keypairFromSecret(new Uint8Array(32).fill(0x09));
export const HOSTILE_PEER_PUBLIC_KEY = encodeEd25519PublicMultikey(HOSTILE_PEER_KEY.publicKey);

type Spec = { raw: string } | { oversize: number } | { limitBytes: number };
let behaviour: Partial<Record<"descriptor" | "feed" | "checkpoint" | "webhook", Spec>> = {};
let received: { bytes: number; items: number; seqs: string }[] = [];

function answer(spec: Spec | undefined, otherwise: () => Response): Response {
  if (spec && "oversize" in spec) return new Response(oversizeBody(spec.oversize), { headers: { "content-type": "application/json" } });
  if (spec && "raw" in spec) return new Response(spec.raw, { headers: { "content-type": "application/json" } });
  return otherwise();
}

export async function hostilePeerRegistry(request: Request): Promise<Response> {
  const url = new URL(request.url);
  switch (url.pathname) {
    case "/__set":
      behaviour = (await request.json()) as typeof behaviour;
      received = [];
      return new Response(null, { status: 204 });
    case "/__received":
      return Response.json(received);
    case "/.well-known/opt-out-registry":
      return answer(behaviour.descriptor, () => Response.json({ name: HOSTILE_PEER, hub_id: 9, public_key: HOSTILE_PEER_PUBLIC_KEY, log: { origin: `${HOSTILE_PEER}/log` } }));
    case "/v1/feed":
      return answer(behaviour.feed, () => Response.json({ items: [], next_after: Number(url.searchParams.get("after") ?? 0) }));
    case "/log/checkpoint":
      return answer(behaviour.checkpoint, () => new Response("not found", { status: 404 }));
    case "/v1/webhooks/declarations": {
      const spec = behaviour.webhook;
      const body = await request.text();
      if (spec && typeof spec === "object" && "limitBytes" in spec) {
        const bytes = new TextEncoder().encode(body).byteLength;
        if (bytes > spec.limitBytes) return Response.json({ title: "Body too large" }, { status: 413 });
        const items = (JSON.parse(body) as { declarations: unknown[] }).declarations.length;
        received.push({ bytes, items, seqs: request.headers.get("webhook-id") ?? "" });
        const results = Array.from({ length: items }, (_, index) => ({ index, outcome: "created" }));
        return Response.json({ duplicate: false, results, created: items, exists: 0, failed: 0 });
      }
      return answer(spec, () => new Response("not found", { status: 404 }));
    }
  }
  return Response.json({ title: "Not found" }, { status: 404 });
}
