import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { decodeCursor, encodeCursor } from "../http/cursor";
import { LIMITS } from "../http/limits";
import { json, paramProblems, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { conflictsOfParty } from "../store/conflicts-read";
import { ConflictCitationSchema } from "./citation-schemas";

const QuerySchema = z.strictObject({
  declarant: z.string().min(1).max(256).describe("A declarant key (z6Mk…), a verified controller DID, or a member agents declare for"),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(LIMITS.pageSize),
});

const ConflictSchema = ConflictCitationSchema.extend({
  matched: z.record(z.string(), z.unknown()).describe("What matched: the shared work (and the opposite categories), or the URL and the domain"),
  found_at: z.string().describe("When this registry found it"),
}).meta({ id: "Conflict" });

const ConflictPageSchema = z.object({ conflicts: z.array(ConflictSchema), next_cursor: z.string().nullable() }).meta({ id: "ConflictPage" });

const route = createRoute({
  method: "get",
  path: "/v1/conflicts",
  summary: "Conflicting claims that concern a declarant, in the order this registry found them, cursor-paginated",
  middleware: [rateLimited("lookup")] as const,
  request: { query: QuerySchema },
  responses: { 200: json(ConflictPageSchema, "One page"), ...paramProblems },
});

export function conflictsRoutes(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const rows = await conflictsOfParty(c.env.DB, q.declarant, decodeCursor(q.cursor), q.limit);
    const last = rows.at(-1);
    return c.json(
      {
        conflicts: rows.map(({ n: _n, matched, found_at, ...c }) => ({ ...c, matched: JSON.parse(matched) as Record<string, unknown>, found_at })),
        next_cursor: rows.length === q.limit && last ? encodeCursor(last.n) : null,
      },
      200,
    );
  });
}
