import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { escapeHtml } from "../http/html";
import { paramProblems, type App } from "../http/route";

const INFO = {
  title: "Opt-out registry for AI training",
  version: "1.0.0",
  description:
    "Signed, machine-readable reservations against AI training (EU DSM Directive art. 4, AI Act), declared by ISCC content code, file hash or URL pattern, and answered per URL and per content fingerprint. Errors are RFC 9457 problem details; each problem type links to a page saying how to fix it.",
};

type OpenApiDoc = { paths?: Record<string, Record<string, { summary?: string }>> };

const documentRoute = createRoute({
  method: "get",
  path: "/openapi.json",
  summary: "This API described (OpenAPI 3.1), generated from the schemas that validate each route",
  request: { query: z.strictObject({}) },
  responses: { 200: { description: "The OpenAPI document", content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } }, ...paramProblems },
});

const docsRoute = createRoute({
  method: "get",
  path: "/docs",
  summary: "This API as a readable page",
  request: { query: z.strictObject({}) },
  responses: { 200: { description: "Every route with what it does", content: { "text/html": { schema: z.string() } } }, ...paramProblems },
});

/** /openapi.json is generated from the route schemas; /docs renders it as a plain page, no scripts. */
export function openapi(app: App) {
  app.openapi(documentRoute, (c) => c.json(document(app) as Record<string, unknown>, 200));
  app.openapi(docsRoute, (c) => {
    const doc = document(app) as OpenApiDoc;
    const rows = Object.entries(doc.paths ?? {})
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(
          ([method, op]) => `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary ?? "")}</td></tr>`,
        ),
      )
      .join("\n");
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${INFO.title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem}td{padding:.3rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}</style></head>
<body><h1>${INFO.title}</h1><p>${escapeHtml(INFO.description)}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`,
      200,
    );
  });
}

let cached: unknown;
function document(app: App): unknown {
  cached ??= app.getOpenAPI31Document({ openapi: "3.1.0", info: INFO });
  return cached;
}
