import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { normalizeUrl, hostOfNormalized, matchKey, UrlError } from "../domain/url-normalize";
import { hostLookupKeys } from "../domain/url-pattern";
import { decompose, IsccError } from "../iscc/index";
import { bandsOf } from "../similarity/bands";
import { decodeCursor, encodeCursor } from "../http/cursor";
import { LIMITS } from "../http/limits";
import { Problem } from "../http/problem";
import { json, paramProblems, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { declarationView } from "../store/declaration-view";
import { listDeclarations, type ListFilter } from "../store/declarations-read";
import { DeclarationViewSchema, withAgents } from "./declarations-get";

const ListQuerySchema = z.strictObject({
  iscc: z.string().max(512).optional().describe("Declarations naming any unit of this ISCC exactly"),
  agent: z.string().max(256).optional().describe("Declarations an agent made for members: its key, or its verified did:web"),
  member: z.string().max(256).optional().describe("Declarations agents made for this member (`on_behalf_of`)"),
  declarant: z.string().max(256).optional().describe("A declarant public key (z6Mk…), or a controller DID: only declarations whose controller was verified"),
  url: z.string().max(LIMITS.urlLength).optional().describe("Declarations whose URL rules cover this URL"),
  host: z.string().max(253).optional().describe("Declarations with URL rules on this host, or covering it as a whole domain (the web app's directory)"),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(LIMITS.pageSize),
});

const PageSchema = z.object({ declarations: z.array(DeclarationViewSchema), next_cursor: z.string().nullable() }).meta({ id: "DeclarationPage" });

const route = createRoute({
  method: "get",
  path: "/v1/declarations",
  summary: "List declarations by ISCC, declarant, URL or host, in registry order, cursor-paginated",
  middleware: [rateLimited("lookup")] as const,
  request: { query: ListQuerySchema },
  responses: { 200: json(PageSchema, "One page"), ...paramProblems },
});

export function declarationsList(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const filter: ListFilter = {};
    if (q.declarant) filter.declarant = q.declarant;
    if (q.agent) filter.agent = q.agent;
    if (q.member) filter.member = q.member;
    if (q.iscc !== undefined) {
      try {
        filter.isccUnits = decompose(q.iscc).map((u) => ({ unitType: u.typeName, b0: bandsOf(u.body)[0], code: u.code }));
      } catch (e) {
        if (e instanceof IsccError) throw Problem.field("/iscc", e.message);
        throw e;
      }
    }
    if (q.url !== undefined) {
      const n = normalizedField("/url", q.url);
      const host = hostOfNormalized(n);
      filter.url = { key: matchKey(n), host, hostKeys: hostLookupKeys(host) };
    }
    if (q.host !== undefined) {
      const host = hostOfNormalized(normalizedField("/host", `https://${q.host}/`));
      filter.host = { host, hostKeys: hostLookupKeys(host) };
    }
    const rows = await listDeclarations(c.env.DB, filter, decodeCursor(q.cursor), q.limit);
    const last = rows.at(-1);
    return c.json({
      declarations: await withAgents(c.env.DB, rows.map(declarationView)),
      next_cursor: rows.length === q.limit && last ? encodeCursor(last.seq) : null,
    }, 200);
  });
}

/** A URL query parameter normalized, or a problem naming the parameter. */
function normalizedField(pointer: string, url: string): string {
  try {
    return normalizeUrl(url);
  } catch (e) {
    if (e instanceof UrlError) throw Problem.field(pointer, e.message);
    throw e;
  }
}
