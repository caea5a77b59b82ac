import { z } from "zod";
import { defineRoute, json, type App } from "../http/route";

export function healthz(app: App) {
  defineRoute(
    app,
    {
      method: "get",
      path: "/healthz",
      summary: "Liveness, with a D1 round trip",
      responses: { 200: json(z.object({ ok: z.boolean(), declarations: z.number().int() }), "Healthy") },
    },
    async (c) => {
      const row = await c.env.DB.prepare("SELECT count(*) AS n FROM declarations").first<{ n: number }>();
      return c.json({ ok: true, declarations: row?.n ?? 0 });
    },
  );
}
