import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { declaredUrls } from "../filter/declared-urls";
import { speedConfig } from "./read-path";

let started = false;

/**
 * A fresh isolate starts loading its URL filter (declared-urls.ts) on its first request, whatever
 * that request is, in the background of that request: Workers offer no hook at isolate start that
 * may do I/O, and the first request is the earliest point. The isolate's first lookup then finds the
 * filter loaded or loading, and the isolate's first D1 round trip, which costs far more than the
 * later ones, is not on a lookup's path.
 */
export const warmStart: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  if (!started) {
    started = true;
    let ctx: { waitUntil(work: Promise<unknown>): void } | undefined;
    try {
      ctx = c.executionCtx;
    } catch {
      ctx = undefined; // no execution context (a test calling the app directly): nothing to run in the background
    }
    const cfg = speedConfig(c.env);
    if (ctx && cfg.urlFilter) void declaredUrls.refresh(c.env.DB, cfg.freshnessMs, (load) => ctx.waitUntil(load)).catch(() => {});
  }
  await next();
};
