import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { Problem } from "./problem";

/**
 * Operator routes (peers) need `Authorization: Bearer <OPERATOR_TOKEN>`. The comparison is in
 * constant time: both sides are hashed first (so neither the length nor a common prefix of the
 * secret leaks through timing), then compared with the runtime's timingSafeEqual. Without a
 * configured token every operator request is refused.
 */
export const operatorAuth: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const expected = c.env.OPERATOR_TOKEN;
  if (!expected || !m || !(await tokensEqual(m[1]!, expected))) {
    c.header("WWW-Authenticate", 'Bearer realm="operator"');
    throw new Problem("unauthorized", m ? "The bearer token is not this registry's operator token" : "Send Authorization: Bearer <operator token>");
  }
  await next();
};

async function tokensEqual(given: string, expected: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", enc.encode(given)), crypto.subtle.digest("SHA-256", enc.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}
