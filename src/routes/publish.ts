import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { PUBLISH_FILES, PUBLISH_MEDIA_TYPES, publishFile } from "../dialects/publish";
import { declarantPaths } from "../flows/publish-files";
import { notFound } from "../http/problem";
import { paramProblems, problemDoc, type App } from "../http/route";
import { rateLimited } from "../http/rate-limits";
import { registryIdentity } from "../registry-identity";

const ParamsSchema = z.strictObject({
  host: z
    .string()
    .max(260)
    .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?$/, "a lower-case host name, optionally with :port")
    .describe("The site, as its URL patterns name it (host[:port])"),
  file: z.enum(PUBLISH_FILES),
});
const QuerySchema = z.strictObject({
  declarant: z.string().min(1).max(256).describe("Whose declarations: a public key (z6Mk…), or a did:web controller the registry verified"),
});

const route = createRoute({
  method: "get",
  path: "/v1/publish/{host}/{file}",
  summary: "A robots.txt block, tdmrep.json, ai.txt or RSL document for a site, generated from a declarant's declarations on it",
  middleware: [rateLimited("lookup")] as const,
  request: { params: ParamsSchema, query: QuerySchema },
  responses: {
    200: {
      description: "The file, in its own format",
      content: Object.fromEntries(Object.values(PUBLISH_MEDIA_TYPES).map((t) => [t.split(";")[0]!, { schema: z.string() }])),
    },
    404: problemDoc("The declarant has no active declaration with a URL on this host"),
    ...paramProblems,
  },
});

export function publish(app: App) {
  app.openapi(route, async (c) => {
    const { host, file } = c.req.valid("param");
    const { declarant } = c.req.valid("query");
    const paths = await declarantPaths(c.env.DB, declarant, host);
    if (!paths.length) throw notFound(`${declarant} has no active declaration with a URL on ${host}: nothing to publish`);
    const me = await registryIdentity(c.env);
    return c.body(publishFile(file, paths, { host, declarant, registry: me.name }), 200, { "content-type": PUBLISH_MEDIA_TYPES[file], "cache-control": "no-cache" });
  });
}
