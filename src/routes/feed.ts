import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { LIMITS } from "../http/limits";
import { json, jsonText, paramProblems, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { declarationsAfter } from "../store/peers";

const FeedQuerySchema = z.strictObject({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).describe("Return entries with seq greater than this"),
  limit: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(LIMITS.pageSize),
});

const FeedPageSchema = z
  .object({
    items: z.array(
      z.object({
        seq: z.number().int().describe("Position in this registry's order"),
        declaration: z.record(z.string(), z.unknown()).optional().describe("The signed declaration (or `mandate`: one of the two)"),
        mandate: z.record(z.string(), z.unknown()).optional().describe("A signed mandate (README, Mandates)"),
        receipt: z.record(z.string(), z.unknown()).describe("Its origin registry's signed receipt (id, origin seq, digest)"),
      }),
    ),
    next_after: z.number().int().describe("Pass as `after` for the next page (equal to `after` when there is nothing new)"),
  })
  .meta({ id: "FeedPage" });

const route = createRoute({
  method: "get",
  path: "/v1/feed",
  summary: "Every registered declaration in registry order (local and from peers), for catch-up and partner pulls",
  middleware: [rateLimited("lookup")] as const,
  request: { query: FeedQuerySchema },
  responses: { 200: json(FeedPageSchema, "One page, oldest first"), ...paramProblems },
});

export function feed(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const rows = await declarationsAfter(c.env.DB, q.after, q.limit);
    // body and receipt are stored as JSON text; splicing them in avoids a parse/stringify per item.
    const items = rows.map((r) => `{"seq":${r.seq},"${r.kind}":${r.body},"receipt":${r.receipt}}`).join(",");
    return jsonText<z.infer<typeof FeedPageSchema>>(c, `{"items":[${items}],"next_after":${rows.at(-1)?.seq ?? q.after}}`);
  });
}
