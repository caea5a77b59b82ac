import type { Context } from "hono";
import type { FieldError } from "../domain/field-error";
import { PROBLEM_TYPES, type ProblemSlug } from "./problem-types";

export type { FieldError };

/**
 * An RFC 9457 problem. Throw it anywhere in a request; the central handler renders it. Its type
 * (a slug of the catalogue in problem-types.ts) fixes status and title; `detail` says what was
 * wrong this time, `errors` which fields.
 */
export class Problem extends Error {
  readonly status: (typeof PROBLEM_TYPES)[ProblemSlug]["status"];
  readonly title: string;

  constructor(
    readonly type: ProblemSlug,
    detail: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.status = PROBLEM_TYPES[type].status;
    this.title = PROBLEM_TYPES[type].title;
  }

  static invalid(errors: FieldError[], detail?: string): Problem {
    const first = errors[0];
    return new Problem(
      "invalid-request",
      detail ?? (errors.length === 1 && first ? `${first.pointer || "/"}: ${first.detail}` : `${errors.length} fields are not valid`),
      errors,
    );
  }

  static field(pointer: string, detail: string): Problem {
    return Problem.invalid([{ pointer, detail }]);
  }
}

/** The URI of a problem type: the page this registry serves for it, at its own origin. */
export function problemTypeUri(origin: string, slug: ProblemSlug): string {
  return `${origin}/problems/${slug}`;
}

/** The problem as JSON, for the request at `requestUrl` (its origin names the type, its path the instance). */
export function problemBody(p: Problem, requestUrl: string) {
  const url = new URL(requestUrl);
  return {
    type: problemTypeUri(url.origin, p.type),
    title: p.title,
    status: p.status,
    detail: p.message,
    instance: url.pathname,
    ...(p.errors.length ? { errors: p.errors } : {}),
    ...p.extra,
  };
}

export function problemResponse(c: Context, p: Problem): Response {
  return c.body(JSON.stringify(problemBody(p, c.req.url)), p.status, { "content-type": "application/problem+json" });
}

export const notFound = (what: string) => new Problem("not-found", what);
