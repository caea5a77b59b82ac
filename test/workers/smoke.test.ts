import { SELF, env } from "cloudflare:test";
import { expect, it } from "vitest";
it("serves healthz", async () => {
  const res = await SELF.fetch("http://x/healthz");
  expect(res.status).toBe(200);
  const r = await env.DB.prepare("select 1 as one").first();
  expect(r).toEqual({ one: 1 });
});
