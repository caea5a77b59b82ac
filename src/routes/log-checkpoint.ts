import { sequencer } from "../flows/register-declarations";
import { defineRoute, type App } from "../http/route";

export function logCheckpoint(app: App) {
  defineRoute(
    app,
    {
      method: "get",
      path: "/log/checkpoint",
      summary: "The latest signed checkpoint of the transparency log (C2SP tlog-checkpoint, a signed note)",
      responses: { 200: { description: "origin, tree size, base64 root hash, then the registry's note signature", content: { "text/plain; charset=utf-8": { schema: { type: "string" } } } } },
    },
    async (c) => {
      const note = await sequencer(c.env).checkpoint();
      // Checkpoints change with every group commit; a short edge lifetime bounds staleness.
      return c.body(note, 200, { "content-type": "text/plain; charset=utf-8", "cache-control": "public, max-age=2" });
    },
  );
}
