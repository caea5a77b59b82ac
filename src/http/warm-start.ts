import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { declaredUrls } from "../filter/declared-urls";
import { speedConfig } from "./read-path";
import { warmLookupRoute, type AppFetch } from "./warm-code";

let started = false;

/**
 * A fresh isolate starts loading its URL filter (declared-urls.ts) on its first request, whatever
 * that request is, in the background of that request: Workers offer no hook at isolate start that
 * may do I/O, and the first request is the earliest point. The isolate's first lookup then finds the
 * filter loaded or loading, and the isolate's first D1 round trip, which costs far more than the
 * later ones, is not on a lookup's path. Once the filter is loaded, the same background runs the
 * GET lookup route on made-up URLs, ten times each (warmLookupRoute, warm-code.ts), so the
 * isolate's first lookup neither compiles it nor runs it all interpreted. The platform calls no code between module evaluation and the first request,
 * so an isolate whose first request is itself a lookup runs that one cold either way.
 */
export function warmStart(app: AppFetch): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    if (!started) {
      started = true;
      let ctx: ExecutionContext | undefined;
      try {
        ctx = c.executionCtx as ExecutionContext;
      } catch {
        ctx = undefined; // no execution context (a test calling the app directly): nothing to run in the background
      }
      const cfg = speedConfig(c.env);
      if (ctx && cfg.urlFilter) {
        const background = ctx;
        background.waitUntil(
          declaredUrls
            .refresh(c.env.DB, cfg.freshnessMs)
            .then((loaded) => (loaded ? warmLookupRoute(app, c.env, background) : undefined))
            .catch((e) => console.error("warm start: the URL filter load or the warm-up lookups failed", e)),
        );
      }
    }
    await next();
  };
}
