import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { peerLink, type LinkState } from "../durable/peer-link";
import { sequencer } from "../flows/register-declarations";
import { rateLimited } from "../http/rate-limits";
import { json, paramProblems, type App } from "../http/route";
import { encodeBase64 } from "../encoding/base64";
import { parseCheckpoint } from "../log/checkpoint";
import { registryIdentity } from "../registry-identity";
import { listPeers, maxSeq } from "../store/peers";

const PEER_HEALTH = ["ok", "retrying", "dead-letter", "log-inconsistent", "pending"] as const;
export type PeerHealth = (typeof PEER_HEALTH)[number];

const StatusSchema = z
  .object({
    name: z.string(),
    hub_id: z.number().int(),
    public_key: z.string(),
    declarations: z.number().int().describe("Declarations held (local and from peers): the highest seq"),
    log: z.object({ origin: z.string(), size: z.number().int(), root: z.string().describe("base64 root hash"), checkpoint: z.string() }),
    peers: z.array(
      z.object({
        name: z.string(),
        url: z.string(),
        health: z.enum(PEER_HEALTH),
        last_success: z.string().nullable(),
        last_pull: z.string().nullable(),
        backlog: z.number().int(),
        log_size: z.number().int().nullable().describe("Tree size of the peer's latest checkpoint proven consistent from here"),
      }),
    ),
  })
  .meta({ id: "RegistryStatus" });

/** One word for a link's state, worst first: what a member of the public needs to know about a partner. */
export function peerHealth(s: LinkState): PeerHealth {
  if (s.peerLog.inconsistent !== null) return "log-inconsistent";
  if (s.deadLetter) return "dead-letter";
  if (s.attempts > 0 || s.lastPullError) return "retrying";
  if (!s.lastSuccess && !s.lastPull) return "pending";
  return "ok";
}

const route = createRoute({
  method: "get",
  path: "/v1/status",
  summary: "This registry's public status: declarations held, transparency log, partner registries and their health",
  middleware: [rateLimited("lookup")] as const,
  request: { query: z.strictObject({}) },
  responses: { 200: json(StatusSchema, "The status"), ...paramProblems },
});

export function registryStatus(app: App) {
  app.openapi(route, async (c) => {
    const [me, note, rows, localMax] = await Promise.all([registryIdentity(c.env), sequencer(c.env).checkpoint(), listPeers(c.env.DB), maxSeq(c.env.DB)]);
    const states = await Promise.all(rows.map((p) => peerLink(c.env, p.name).status()));
    // A signed note is its body, a blank line, then signature lines; the body is the checkpoint.
    const cp = parseCheckpoint(note.slice(0, note.indexOf("\n\n") + 1));
    return c.json({
      name: me.name,
      hub_id: me.hubId,
      public_key: me.publicKeyMultikey,
      declarations: localMax,
      log: { origin: cp.origin, size: cp.size, root: encodeBase64(cp.rootHash), checkpoint: note },
      peers: rows.map((p, i) => {
        const s = states[i]!;
        return {
          name: p.name,
          url: p.url,
          health: peerHealth(s),
          last_success: s.lastSuccess,
          last_pull: s.lastPull,
          backlog: Math.max(0, localMax - s.cursor),
          log_size: s.peerLog.checkpoint?.size ?? null,
        };
      }),
    }, 200);
  });
}
