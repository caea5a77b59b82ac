import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

import type { FieldError } from "../domain/field-error";

export type { FieldError };

/** An RFC 9457 problem. Throw it anywhere in a request; the central handler renders it. */
export class Problem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: string,
    readonly title: string,
    detail: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  static invalid(errors: FieldError[], detail?: string): Problem {
    const first = errors[0];
    return new Problem(
      422,
      "invalid-request",
      "The request is not valid",
      detail ?? (errors.length === 1 && first ? `${first.pointer || "/"}: ${first.detail}` : `${errors.length} fields are not valid`),
      errors,
    );
  }

  static field(pointer: string, detail: string): Problem {
    return Problem.invalid([{ pointer, detail }]);
  }
}

/** Problem types are relative URIs resolved against the registry's own docs. */
const TYPE_BASE = "https://optout.example/problems/";

export function problemBody(p: Problem, instance?: string) {
  return {
    type: p.type.startsWith("http") ? p.type : TYPE_BASE + p.type,
    title: p.title,
    status: p.status,
    detail: p.message,
    ...(instance ? { instance } : {}),
    ...(p.errors.length ? { errors: p.errors } : {}),
    ...p.extra,
  };
}

export function problemResponse(c: Context, p: Problem): Response {
  return c.body(JSON.stringify(problemBody(p, new URL(c.req.url).pathname)), p.status, {
    "content-type": "application/problem+json",
  });
}

export const notFound = (what: string) => new Problem(404, "not-found", "Not found", what);
