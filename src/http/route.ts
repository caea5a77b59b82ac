import { OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler, TypedResponse } from "hono";
import type { JSONParsed } from "hono/utils/types";
import { z } from "zod";
import { issuesToFieldErrors } from "../domain/field-error";
import type { Env } from "../env";
import { readBody } from "./body";
import { Problem, problemResponse } from "./problem";

export type AppEnv = { Bindings: Env };
export type App = OpenAPIHono<AppEnv>;
export type Ctx = Context<AppEnv>;

/**
 * The app every route is declared on with `app.openapi(createRoute({…}), handler)`: the zod
 * schemas of a route's params, query, headers and JSON body document it in /openapi.json, validate
 * the request before the handler runs, and type the handler's `c.req.valid(…)`. A request that
 * fails them gets our 422 problem naming each field by JSON pointer into the part that failed
 * (`/urls/3` in the body, `/limit` in the query, `/id` in the path).
 */
export function createOpenApiApp(): App {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return problemResponse(c, Problem.invalid(issuesToFieldErrors(result.error.issues)));
    },
  });
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Route middleware for a JSON body: refuses other media types (415), reads at most `limit` bytes
 * (413, counted while reading: hono's own reader has no limit) and parses with our 400 problem
 * (hono's says only "Malformed JSON"). zod-openapi's validator then validates the value through
 * `c.req.json()`, which is given the value parsed here so a body of megabytes is parsed once.
 */
export function jsonBody(limit: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!JSON_TYPE.test(c.req.header("content-type") ?? ""))
      throw new Problem("unsupported-media-type", "This route takes a JSON body: send content-type: application/json");
    const text = await readBody(c.req.raw, limit);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new Problem("malformed-json", `The body is not valid JSON: ${(e as Error).message}`);
    }
    c.req.json = <T>() => Promise.resolve(value as T);
    await next();
  };
}

type WithoutBody<R extends RouteConfig> = Omit<R, "request"> & { request?: Omit<NonNullable<R["request"]>, "body"> };

/**
 * Declares a route whose body the handler reads itself, where zod-openapi's JSON validator cannot:
 * NDJSON or a JSON array answered item by item (one bad item must not refuse the batch), a
 * text/plain body, a webhook whose signature covers the raw bytes. The body stays in the OpenAPI
 * document as declared in `route`; params, query and headers are still validated by zod-openapi;
 * the handler validates the body with the very schema objects the route declares (`bodySchema`),
 * so the document and the checks cannot drift.
 */
export function openapiOwnBody<R extends RouteConfig>(app: App, route: R, handler: RouteHandler<WithoutBody<R>, AppEnv>): void {
  const { middleware: _middleware, hide: _hide, ...documented } = route;
  app.openAPIRegistry.registerPath(documented);
  const { body: _body, ...request } = route.request ?? {};
  app.openapi({ ...route, request, hide: true } as WithoutBody<R>, handler);
}

/**
 * Declares a route whose last path parameter spans several segments (`/log/tile/{path}` serves
 * `0/x001/234`), which OpenAPI's `{param}` cannot say: documented as `route.path`, routed with
 * hono's regex parameter `:param{.+}`.
 */
export function openapiRestOfPath<R extends RouteConfig>(app: App, route: R, handler: RouteHandler<R, AppEnv>): void {
  const { middleware: _middleware, hide: _hide, ...documented } = route;
  app.openAPIRegistry.registerPath(documented);
  // zod-openapi turns `/{name}` into hono's `/:name`; given `{path{.+}}` that is `:path{.+}`.
  app.openapi({ ...route, path: route.path.replace(/\{(\w+)\}$/, "{$1{.+}}"), hide: true }, handler);
}

/** The schema a route declares for a body media type (for routes that read their body themselves). */
export function bodySchema<S extends z.ZodType>(route: { request?: { body?: { content: Record<string, { schema?: unknown }> } } }, mediaType: string): S {
  const schema = route.request?.body?.content[mediaType]?.schema;
  if (!(schema instanceof z.ZodType)) throw new Error(`route declares no zod schema for ${mediaType}`);
  return schema as S;
}

/** Parses `value` with `schema`, or throws a 422 problem naming every bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, at: (string | number)[] = []): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw Problem.invalid(issuesToFieldErrors(r.error.issues, at));
  return r.data;
}

/**
 * A JSON answer written by hand (by concatenation, where stringifying thousands of objects is the
 * cost that matters) that the route's 200 schema describes: typed as that schema's output.
 */
export function jsonText<T>(c: Ctx, text: string, headers: Record<string, string> = {}): TypedResponse<JSONParsed<T>, 200, "json"> {
  return c.body(text, 200, { ...headers, "content-type": "application/json" }) as unknown as TypedResponse<JSONParsed<T>, 200, "json">;
}

export const ProblemSchema = z
  .object({
    type: z.string().describe("<registry origin>/problems/<slug>: a page saying what went wrong and how to fix it"),
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
  415: problemDoc("Not the media type the route takes"),
  422: problemDoc("Invalid fields: `errors` names each one (JSON pointer) and the reason"),
};

/** Problem responses of a route that takes only query or path parameters. */
export const paramProblems = { 422: problemDoc("Invalid or unknown parameters: `errors` names each one (JSON pointer) and the reason") };

export const json = <S extends z.ZodType>(schema: S, description: string) => ({ description, content: { "application/json": { schema } } });
