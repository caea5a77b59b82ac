/** One bad field: where (a JSON pointer into the input) and what is wrong with it. */
export interface FieldError {
  pointer: string;
  detail: string;
}

/** Raised by pure validation; the HTTP edge renders it as an RFC 9457 problem with `errors`. */
export class ValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.pointer || "/"}: ${e.detail}`).join("; "));
  }
}

/** RFC 6901: `~` and `/` inside a segment are escaped. */
export function jsonPointer(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => "/" + String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}

/** Zod issues (or anything shaped like them) to field errors, naming unknown keys individually. */
export function issuesToFieldErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: string[] }>,
  prefix: ReadonlyArray<PropertyKey> = [],
): FieldError[] {
  return issues.flatMap((i) =>
    i.code === "unrecognized_keys" && i.keys
      ? i.keys.map((k) => ({ pointer: jsonPointer([...prefix, ...i.path, k]), detail: "unknown field" }))
      : [{ pointer: jsonPointer([...prefix, ...i.path]), detail: i.message }],
  );
}
