import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { peerLink, type LinkState } from "../durable/peer-link";
import { admitPeer } from "../flows/admit-peer";
import { operatorAuth } from "../http/operator-auth";
import { notFound } from "../http/problem";
import { json, jsonBody, paramProblems, problemDoc, problemResponses, type App } from "../http/route";
import { deletePeer, findPeer, listPeers, maxSeq, upsertPeer, type PeerRow } from "../store/peers";

const PeerInputSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[A-Za-z0-9.\-:_[\]]+$/, "must be a registry name (host[:port])")
      .optional()
      .describe("The peer's REGISTRY_NAME (what its receipts name in `registry`); taken from its descriptor when omitted"),
    url: z.url({ protocol: /^https?$/ }).max(2048).describe("Base URL of the peer, e.g. https://registry.example.org"),
    public_key: z
      .string()
      .regex(/^z6Mk[1-9A-HJ-NP-Za-km-z]{44,45}$/, "must be an Ed25519 multikey (z6Mk…)")
      .optional()
      .describe("The peer's registry key; taken from its descriptor when omitted"),
    hub_id: z.number().int().min(0).max(4095).optional().describe("The peer's hub id, checked against its descriptor; must differ from ours"),
  })
  .meta({ id: "PeerInput" });

const LinkStateSchema = z
  .object({
    cursor: z.number().int().describe("Last local seq handed to this peer"),
    backlog: z.number().int().describe("Local seq positions not yet handed to it (local max seq − cursor)"),
    pulled_after: z.number().int().describe("Last seq of the peer's feed registered here"),
    pushed: z.number().int(),
    pulled: z.number().int(),
    refused: z.number().int().describe("Items refused one by one (bad signature…); delivery went on"),
    last_refusal: z.string().nullable(),
    last_success: z.string().nullable(),
    last_error: z.string().nullable(),
    last_error_at: z.string().nullable(),
    last_pull: z.string().nullable(),
    last_pull_error: z.string().nullable(),
    attempts: z.number().int().describe("Consecutive failed deliveries"),
    next_retry: z.string().nullable(),
    next_pull: z.string().nullable(),
    dead_letter: z.boolean().describe("Pushing stopped after too many failures; POST …/replay resumes it"),
    dead_lettered_at: z.string().nullable(),
    log: z
      .object({
        origin: z.string().nullable(),
        size: z.number().int().nullable().describe("Tree size of the peer's latest consistent checkpoint"),
        root: z.string().nullable(),
        last_check: z.string().nullable(),
        last_error: z.string().nullable(),
        rewrote_history: z.boolean().describe("The peer signed a checkpoint that does not extend one it showed before"),
        inconsistency: z.object({ reason: z.string(), at: z.string(), note: z.string() }).nullable(),
      })
      .describe("The peer's transparency log as watched from here"),
  })
  .meta({ id: "PeerLinkState" });

const PeerSchema = z
  .object({ name: z.string(), url: z.string(), public_key: z.string(), added_at: z.string(), state: LinkStateSchema })
  .meta({ id: "Peer" });

const security = [{ operatorToken: [] }];
const unauthorized = { 401: problemDoc("Missing or wrong operator token") };
const NameParam = z.object({ name: z.string().describe("The peer's name") });

function view(p: PeerRow, s: LinkState, localMax: number) {
  const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null);
  return {
    name: p.name,
    url: p.url,
    public_key: p.publicKey,
    added_at: p.addedAt,
    state: {
      cursor: s.cursor,
      backlog: Math.max(0, localMax - s.cursor),
      pulled_after: s.pulledAfter,
      pushed: s.pushed,
      pulled: s.pulled,
      refused: s.refused,
      last_refusal: s.lastRefusal,
      last_success: s.lastSuccess,
      last_error: s.lastError,
      last_error_at: s.lastErrorAt,
      last_pull: s.lastPull,
      last_pull_error: s.lastPullError,
      attempts: s.attempts,
      next_retry: iso(s.nextRetry),
      next_pull: iso(s.nextPull),
      dead_letter: s.deadLetter,
      dead_lettered_at: s.deadLetteredAt,
      log: {
        origin: s.peerLog.origin,
        size: s.peerLog.checkpoint?.size ?? null,
        root: s.peerLog.checkpoint?.root ?? null,
        last_check: s.peerLog.lastCheck,
        last_error: s.peerLog.lastError,
        rewrote_history: s.peerLog.inconsistent !== null,
        inconsistency: s.peerLog.inconsistent,
      },
    },
  };
}

const addRoute = createRoute({
  method: "post",
  path: "/v1/peers",
  summary: "Add or update a partner registry (operator); its descriptor is checked when reachable",
  security,
  middleware: [jsonBody(16 * 1024)] as const,
  request: { body: { content: { "application/json": { schema: PeerInputSchema } }, required: true } },
  responses: { 201: json(PeerSchema, "Added"), 200: json(PeerSchema, "Updated"), ...unauthorized, ...problemResponses },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/peers",
  summary: "Partner registries and the state of each link: cursor, backlog, retries, dead letter (operator)",
  security,
  request: { query: z.strictObject({}) },
  responses: {
    200: json(z.object({ local_max_seq: z.number().int(), peers: z.array(PeerSchema) }).meta({ id: "PeerList" }), "The peers"),
    ...unauthorized,
    ...paramProblems,
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/v1/peers/{name}",
  summary: "Remove a partner registry and its link state (operator)",
  security,
  request: { params: NameParam },
  responses: { 204: { description: "Removed" }, ...unauthorized, 404: problemDoc("No such peer"), ...paramProblems },
});

const replayRoute = createRoute({
  method: "post",
  path: "/v1/peers/{name}/replay",
  summary: "Resume a dead-lettered (or backing-off) peer from its cursor (operator)",
  security,
  request: { params: NameParam },
  responses: { 200: json(PeerSchema, "Resumed"), ...unauthorized, 404: problemDoc("No such peer"), ...paramProblems },
});

export function peers(app: App) {
  app.openAPIRegistry.registerComponent("securitySchemes", "operatorToken", {
    type: "http",
    scheme: "bearer",
    description: "The operator token (Worker secret OPERATOR_TOKEN)",
  });
  app.use("/v1/peers", operatorAuth);
  app.use("/v1/peers/*", operatorAuth);

  app.openapi(addRoute, async (c) => {
    const input = c.req.valid("json");
    const peer = await admitPeer(c.env, input);
    const created = await upsertPeer(c.env.DB, peer, new Date());
    const state = await peerLink(c.env, peer.name).start(peer.name);
    const row = (await findPeer(c.env.DB, peer.name))!;
    return c.json(view(row, state, await maxSeq(c.env.DB)), created ? 201 : 200);
  });

  app.openapi(listRoute, async (c) => {
    const [rows, localMax] = await Promise.all([listPeers(c.env.DB), maxSeq(c.env.DB)]);
    const states = await Promise.all(rows.map((p) => peerLink(c.env, p.name).status()));
    return c.json({ local_max_seq: localMax, peers: rows.map((p, i) => view(p, states[i]!, localMax)) }, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { name } = c.req.valid("param");
    const row = await findPeer(c.env.DB, name);
    if (!row || !(await deletePeer(c.env.DB, row.name))) throw notFound(`No peer named ${name}`);
    await peerLink(c.env, row.name).remove();
    return c.body(null, 204);
  });

  app.openapi(replayRoute, async (c) => {
    const { name } = c.req.valid("param");
    const row = await findPeer(c.env.DB, name);
    if (!row) throw notFound(`No peer named ${name}`);
    const state = await peerLink(c.env, row.name).replay();
    return c.json(view(row, state, await maxSeq(c.env.DB)), 200);
  });
}
