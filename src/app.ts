import { HTTPException } from "hono/http-exception";
import { ValidationError } from "./domain/field-error";
import { Problem, problemResponse } from "./http/problem";
import { readYourWrites } from "./http/read-your-writes";
import { warmStart } from "./http/warm-start";
import { warmLookupCode } from "./http/warm-code";
import { warmIndexCode } from "./similarity/memory-index";
import { createOpenApiApp } from "./http/route";
import { declarationsBatch } from "./routes/declarations-batch";
import { declarationsCreate } from "./routes/declarations-create";
import { declarationsGet } from "./routes/declarations-get";
import { declarationsList } from "./routes/declarations-list";
import { declarationsProof } from "./routes/declarations-proof";
import { didDocument } from "./routes/did-document";
import { feed } from "./routes/feed";
import { healthz } from "./routes/healthz";
import { declarationsEvidence } from "./routes/declarations-evidence";
import { registryStatus } from "./routes/registry-status";
import { webPages } from "./web/web-pages";
import { logCheckpoint } from "./routes/log-checkpoint";
import { logConsistency } from "./routes/log-consistency";
import { logTiles } from "./routes/log-tiles";
import { lookupGet, LookupQuerySchema } from "./routes/lookup-get";
import { lookupPost } from "./routes/lookup-post";
import { acceptedLookupBatch } from "./routes/lookup-batch-body";
import { match } from "./routes/match";
import { observations } from "./routes/observations";
import { mandatesRoutes } from "./routes/mandates";
import { conflictsRoutes } from "./routes/conflicts";
import { subscriptionsRoutes } from "./routes/subscriptions";
import { openapi } from "./routes/openapi";
import { peers } from "./routes/peers";
import { problemPages } from "./routes/problem-pages";
import { publish } from "./routes/publish";
import { snapshotUrls } from "./routes/snapshot-urls";
import { snapshotUnits } from "./routes/snapshot-units";
import { spawningQuery } from "./routes/spawning-query";
import { webhooksDeclarations } from "./routes/webhooks-declarations";
import { wellKnown } from "./routes/well-known";

export function createApp() {
  const app = createOpenApiApp();
  // Lookup speed (issue 6): writes invalidate the isolate's lookup state and return a D1 bookmark.
  app.use(readYourWrites);
  // Cold starts (issue 13): an isolate's first request, of any kind, starts loading the URL filter.
  app.use(warmStart(app));
  for (const register of [
    declarationsCreate,
    declarationsBatch,
    declarationsList,
    declarationsProof,
    declarationsEvidence,
    declarationsGet,
    logCheckpoint,
    logConsistency,
    logTiles,
    match,
    mandatesRoutes,
    conflictsRoutes,
    subscriptionsRoutes,
    lookupGet,
    lookupPost,
    spawningQuery,
    snapshotUrls,
    snapshotUnits,
    publish,
    observations,
    feed,
    peers,
    webhooksDeclarations,
    wellKnown,
    didDocument,
    problemPages,
    healthz,
    registryStatus,
    openapi,
    // The web app (issue 10): pages for people, on the same Worker.
    webPages,
  ])
    register(app);
  // Cold starts (issue 13): the lookup path's code compiled while the isolate starts, not in its first lookup.
  warmLookupCode(app, LookupQuerySchema, acceptedLookupBatch);
  warmIndexCode();

  app.notFound((c) => problemResponse(c, new Problem("no-route", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`)));
  app.onError((err, c) => {
    if (err instanceof Problem) return problemResponse(c, err);
    if (err instanceof ValidationError) return problemResponse(c, Problem.invalid(err.errors));
    // zod-openapi refuses a body of a media type the route does not declare with hono's exception.
    // zod-openapi and hono's validator refuse with HTTPException: a media type the route does not
    // declare (415), a JSON body they could not parse (400; routes read JSON through jsonBody, so
    // this is a route that forgot it, and the walk over /openapi.json in the tests finds it).
    if (err instanceof HTTPException && err.status === 415)
      return problemResponse(c, new Problem("unsupported-media-type", "This route does not take a body of that content-type; /openapi.json lists what it takes"));
    if (err instanceof HTTPException && err.status === 400) return problemResponse(c, new Problem("malformed-json", err.message));
    console.error(err);
    return problemResponse(c, new Problem("internal", "The registry failed to answer; nothing was changed."));
  });
  return app;
}
