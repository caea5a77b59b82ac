import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { json, paramProblems, type App } from "../http/route";
import { LIMITS } from "../http/limits";
import { logOrigin, logVerifierKey } from "../durable/log-checkpoint";
import { registryIdentity } from "../registry-identity";
import { CATEGORIES, CURRENT_VOCABULARY, VOCABULARY_VERSIONS } from "../domain/preferences";
import { DEFAULT_MAX_DISTANCE, MAX_DISTANCE } from "../similarity/bands";

const DescriptorSchema = z
  .object({
    name: z.string(),
    hub_id: z.number().int(),
    public_key: z.string().describe("Ed25519 multikey (z6Mk…) that signs receipts and webhooks"),
    controller: z.string(),
    endpoints: z.record(z.string(), z.string()),
    log: z.object({ origin: z.string(), checkpoint: z.string(), verifier_key: z.string().describe("C2SP signed-note verifier key") }),
    matching: z.object({ default_max_distance: z.number(), max_distance: z.number(), backend: z.string() }),
    limits: z.record(z.string(), z.number()),
    vocabulary: z
      .object({ current: z.number().int(), accepted: z.array(z.number().int()), categories: z.array(z.string()) })
      .describe("Preference vocabularies: which declarations this registry accepts, and the categories its answers use"),
  })
  .meta({ id: "RegistryDescriptor" });

const route = createRoute({
  method: "get",
  path: "/.well-known/opt-out-registry",
  summary: "This registry: name, hub id, public key, endpoints",
  request: { query: z.strictObject({}) },
  responses: { 200: json(DescriptorSchema, "The descriptor"), ...paramProblems },
});

export function wellKnown(app: App) {
  app.openapi(route, async (c) => {
    const me = await registryIdentity(c.env);
    const base = new URL(c.req.url).origin;
    return c.json({
      name: me.name,
      hub_id: me.hubId,
      public_key: me.publicKeyMultikey,
      controller: me.controller,
      endpoints: {
        declarations: `${base}/v1/declarations`,
        match: `${base}/v1/match`,
        lookup: `${base}/v1/lookup`,
        feed: `${base}/v1/feed`,
        observations: `${base}/v1/observations`,
        webhooks: `${base}/v1/webhooks/declarations`,
        peers: `${base}/v1/peers`,
        openapi: `${base}/openapi.json`,
      },
      log: { origin: logOrigin(me), checkpoint: `${base}/log/checkpoint`, verifier_key: logVerifierKey(me) },
      matching: { default_max_distance: DEFAULT_MAX_DISTANCE, max_distance: MAX_DISTANCE, backend: c.env.SIMILARITY_BACKEND ?? "d1" },
      limits: { ...LIMITS },
      vocabulary: { current: CURRENT_VOCABULARY, accepted: [...VOCABULARY_VERSIONS], categories: [...CATEGORIES] },
    }, 200);
  });
}
