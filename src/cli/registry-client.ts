/** HTTP calls to a registry; a problem response becomes a ProblemError carrying the registry's own words. */
import { CliError, EXIT_USAGE, ProblemError, type ProblemBody } from "./errors";

export const DEFAULT_REGISTRY = "http://127.0.0.1:8787";
/** Generous enough for a 10,000-URL lookup; a registry that never answers should not hang a script forever. */
const REQUEST_TIMEOUT_MS = 120_000;

export class RegistryClient {
  readonly base: URL;

  constructor(registry: string) {
    let base: URL;
    try {
      base = new URL(registry);
    } catch {
      throw new CliError(`--registry must be an http(s) URL, got ${JSON.stringify(registry)}`, EXIT_USAGE);
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new CliError(`--registry must be an http(s) URL, got ${JSON.stringify(registry)}`, EXIT_USAGE);
    }
    // A registry may live under a path; keep it so relative routes resolve beneath it.
    if (!base.pathname.endsWith("/")) base.pathname += "/";
    this.base = base;
  }

  get<T>(path: string): Promise<{ status: number; body: T }> {
    return this.request<T>("GET", path);
  }

  /** A text resource (a signed checkpoint note); problems are thrown like the JSON routes'. */
  async getText(path: string): Promise<string> {
    const url = new URL(path.replace(/^\//, ""), this.base);
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (e) {
      throw new CliError(`cannot reach the registry at ${this.base.origin} (${(e as Error).message})`);
    }
    const text = await res.text();
    if (!res.ok) {
      if ((res.headers.get("content-type") ?? "").includes("json")) throw new ProblemError(JSON.parse(text) as ProblemBody, res.status);
      throw new CliError(`GET ${url.pathname}: HTTP ${res.status}`);
    }
    return text;
  }

  post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    return this.request<T>("POST", path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const url = new URL(path.replace(/^\//, ""), this.base);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { accept: "application/json, application/problem+json", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      if ((e as Error).name === "TimeoutError") {
        throw new CliError(`${method} ${url.pathname}: the registry at ${this.base.origin} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
      }
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new CliError(`cannot reach the registry at ${this.base.origin} (${why}); is it running (\`npm start\`), or is --registry wrong?`);
    }
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    let parsed: unknown;
    if (type.includes("json")) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new CliError(`${method} ${url.pathname}: the registry answered HTTP ${res.status} with malformed JSON`);
      }
    }
    if (type.includes("application/problem+json") || (!res.ok && typeof parsed === "object" && parsed !== null)) {
      throw new ProblemError(parsed as ProblemBody, res.status);
    }
    if (!res.ok) {
      throw new CliError(`${method} ${url.pathname}: HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 300)}` : ""}`);
    }
    if (parsed === undefined) {
      throw new CliError(`${method} ${url.pathname}: expected JSON from the registry, got ${type || "no content type"}`);
    }
    return { status: res.status, body: parsed as T };
  }
}
