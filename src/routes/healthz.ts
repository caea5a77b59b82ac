import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { json, paramProblems, type App } from "../http/route";
import { countDeclarations } from "../store/registry-reads";

const route = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness, with a D1 round trip",
  request: { query: z.strictObject({}) },
  responses: { 200: json(z.object({ ok: z.boolean(), declarations: z.number().int() }), "Healthy"), ...paramProblems },
});

export function healthz(app: App) {
  app.openapi(route, async (c) => c.json({ ok: true, declarations: await countDeclarations(c.env.DB) }, 200));
}
