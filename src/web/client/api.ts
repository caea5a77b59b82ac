/** The registry's API from the browser; a problem document becomes words a person can read. */
import type { Translator } from "../i18n/translate";

export interface ProblemBody {
  title?: string;
  detail?: string;
  status?: number;
  errors?: { pointer: string; detail: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemBody | null,
    message: string,
  ) {
    super(message);
  }
}

/** A problem in one sentence: each bad field named by its pointer and what is wrong with it. */
export function problemText(tr: Translator, p: ProblemBody | null): string {
  if (!p) return tr.t("error.network");
  const fields = (p.errors ?? []).map((e) => tr.t("error.field", { field: e.pointer || "/", detail: e.detail }));
  return tr.t("error.registry", { detail: fields.length ? fields.join("; ") : (p.detail ?? p.title ?? String(p.status)) });
}

export async function api<T>(tr: Translator, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { accept: "application/json, application/problem+json", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, null, tr.t("error.network"));
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: reported below */
  }
  if (!res.ok) {
    const problem = (parsed as ProblemBody | null) ?? { status: res.status, detail: text.slice(0, 200) };
    throw new ApiError(res.status, problem, problemText(tr, problem));
  }
  return parsed as T;
}
