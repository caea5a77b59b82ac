import { OpenAPIHono } from "@hono/zod-openapi";
import { ValidationError } from "./domain/field-error";
import type { Env } from "./env";
import { Problem, problemResponse } from "./http/problem";
import { declarationsBatch } from "./routes/declarations-batch";
import { declarationsCreate } from "./routes/declarations-create";
import { declarationsGet } from "./routes/declarations-get";
import { declarationsList } from "./routes/declarations-list";
import { feed } from "./routes/feed";
import { declarationsProof } from "./routes/declarations-proof";
import { logCheckpoint } from "./routes/log-checkpoint";
import { logConsistency } from "./routes/log-consistency";
import { logTiles } from "./routes/log-tiles";
import { healthz } from "./routes/healthz";
import { lookupGet } from "./routes/lookup-get";
import { lookupPost } from "./routes/lookup-post";
import { match } from "./routes/match";
import { peers } from "./routes/peers";
import { openapi } from "./routes/openapi";
import { spawningQuery } from "./routes/spawning-query";
import { snapshotUrls } from "./routes/snapshot-urls";
import { snapshotUnits } from "./routes/snapshot-units";
import { readYourWrites } from "./http/read-your-writes";
import { wellKnown } from "./routes/well-known";
import { webhooksDeclarations } from "./routes/webhooks-declarations";

export function createApp() {
  const app = new OpenAPIHono<{ Bindings: Env }>();
  // Lookup speed (issue 6): writes invalidate the isolate's lookup state and return a D1 bookmark.
  app.use(readYourWrites);
  for (const register of [
    declarationsCreate,
    declarationsBatch,
    declarationsList,
    declarationsProof,
    declarationsGet,
    logCheckpoint,
    logConsistency,
    logTiles,
    match,
    lookupGet,
    lookupPost,
    spawningQuery,
    snapshotUrls,
    snapshotUnits,
    feed,
    peers,
    webhooksDeclarations,
    wellKnown,
    healthz,
    openapi,
  ])
    register(app);

  app.notFound((c) => problemResponse(c, new Problem(404, "not-found", "Not found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`)));
  app.onError((err, c) => {
    if (err instanceof Problem) return problemResponse(c, err);
    if (err instanceof ValidationError) return problemResponse(c, Problem.invalid(err.errors));
    console.error(err);
    return problemResponse(c, new Problem(500, "internal", "Internal error", "The registry failed to answer; nothing was changed."));
  });
  return app;
}
