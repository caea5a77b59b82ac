import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import { issuesToFieldErrors } from "../domain/field-error";
import type { Env } from "../env";
import { Problem } from "./problem";

export type App = OpenAPIHono<{ Bindings: Env }>;
export type Ctx = Context<{ Bindings: Env }>;

/**
 * Registers one endpoint: its OpenAPI description (from the same zod schemas the handler
 * validates with) and its handler. Validation is done by the handler through `validate`, so
 * that body limits, NDJSON and text bodies, and problem responses stay under our control.
 */
export function defineRoute(
  app: App,
  route: RouteConfig,
  handler: (c: Ctx) => Promise<Response> | Response,
  /** hono's own pattern, where OpenAPI's `{param}` cannot say it (e.g. a wildcard over several segments). */
  honoPath = route.path.replace(/\{(\w+)\}/g, ":$1"),
): void {
  app.openAPIRegistry.registerPath(route);
  app.on(route.method.toUpperCase(), honoPath, handler);
}

/** Parses `value` with `schema`, or throws a 422 problem naming every bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, at: (string | number)[] = []): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw Problem.invalid(issuesToFieldErrors(r.error.issues, at));
  return r.data;
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details" });

/** The documentation of one problem response, for a route's `responses`. */
export const problemDoc = (description: string) => ({ description, content: { "application/problem+json": { schema: ProblemSchema } } });

/** Problem responses every route with a body may give. */
export const problemResponses = {
  400: problemDoc("Malformed request: not JSON, not UTF-8"),
  413: problemDoc("Body too large"),
  422: problemDoc("Invalid fields: `errors` names each one (JSON pointer) and the reason"),
};

export const json = <S extends z.ZodType>(schema: S, description: string) => ({ description, content: { "application/json": { schema } } });
