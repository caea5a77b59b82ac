import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { escapeHtml } from "../http/html";
import { notFound, problemTypeUri } from "../http/problem";
import { isProblemSlug, PROBLEM_TYPES } from "../http/problem-types";
import { paramProblems, problemDoc, type App } from "../http/route";

const ProblemTypeSchema = z
  .object({
    type: z.string().describe("The problem type URI: this page's own URL"),
    status: z.number().int(),
    title: z.string(),
    problem: z.string().describe("What went wrong"),
    fix: z.string().describe("How to fix it"),
  })
  .meta({ id: "ProblemType" });

const route = createRoute({
  method: "get",
  path: "/problems/{slug}",
  summary: "What a problem type means and how to fix it (HTML; JSON with accept: application/json)",
  request: { params: z.object({ slug: z.string().max(64) }), query: z.strictObject({}) },
  responses: {
    200: {
      description: "The problem type",
      content: { "text/html": { schema: z.string() }, "application/json": { schema: ProblemTypeSchema } },
    },
    404: problemDoc("No problem type of that name"),
    ...paramProblems,
  },
});

/** The `type` URI of every problem this registry answers with resolves here (src/http/problem-types.ts). */
export function problemPages(app: App) {
  app.openapi(route, async (c) => {
    const { slug } = c.req.valid("param");
    if (!isProblemSlug(slug)) throw notFound(`No problem type ${slug}; the catalogue is in the registry's source, src/http/problem-types.ts`);
    const t = PROBLEM_TYPES[slug];
    const type = problemTypeUri(new URL(c.req.url).origin, slug);
    c.header("vary", "accept");
    if (/\bapplication\/(problem\+)?json\b/.test(c.req.header("accept") ?? ""))
      return c.json({ type, status: t.status, title: t.title, problem: t.problem, fix: t.fix }, 200);
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(t.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:720px;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2rem}</style></head>
<body><h1>${escapeHtml(t.title)}</h1><p>HTTP ${t.status} · problem type <code>${escapeHtml(type)}</code></p>
<h2>What went wrong</h2><p>${escapeHtml(t.problem)}</p>
<h2>How to fix it</h2><p>${escapeHtml(t.fix)}</p>
<p>The problem response itself says more in <code>detail</code>, and names each bad field in <code>errors</code>. All routes: <a href="/docs">/docs</a>.</p></body></html>`,
      200,
    );
  });
}
