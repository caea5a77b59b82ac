import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { sequencer } from "../flows/register-declarations";
import { paramProblems, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";

const route = createRoute({
  method: "get",
  path: "/log/checkpoint",
  summary: "The latest signed checkpoint of the transparency log (C2SP tlog-checkpoint, a signed note)",
  middleware: [rateLimited("lookup")] as const,
  request: { query: z.strictObject({}) },
  responses: {
    200: { description: "origin, tree size, base64 root hash, then the registry's note signature", content: { "text/plain; charset=utf-8": { schema: z.string() } } },
    ...paramProblems,
  },
});

export function logCheckpoint(app: App) {
  app.openapi(route, async (c) => {
    const note = await sequencer(c.env).checkpoint();
    // Checkpoints change with every group commit; a short edge lifetime bounds staleness.
    return c.text(note, 200, { "content-type": "text/plain; charset=utf-8", "cache-control": "public, max-age=2" });
  });
}
