/**
 * Bulk requests to a registry that survive its rate limits and passing failures: 429 and 5xx answers and
 * network errors are retried with exponential backoff and full jitter, honouring Retry-After (seconds or an
 * HTTP date) when the registry sends it. Any other answer is final.
 */
import { sleep } from "../runtime/sleep";

export interface RetryPolicy {
  retries: number;
  baseMs: number;
  maxMs: number;
  /** Told before each wait, for progress output. */
  onRetry?: (what: string, attempt: number, waitMs: number) => void;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 8, baseMs: 500, maxMs: 60_000 };

export class RegistryRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Milliseconds a Retry-After header asks for, or undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export async function requestJson<T>(url: URL, init: RequestInit, policy: RetryPolicy = DEFAULT_RETRY, timeoutMs = 120_000): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let wait: number | undefined;
    let failure: string;
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      if (res.ok) return JSON.parse(text) as T;
      failure = `${init.method ?? "GET"} ${url.pathname}: HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ""}`;
      if (res.status !== 429 && res.status < 500) throw new RegistryRequestError(failure, res.status);
      wait = retryAfterMs(res.headers.get("retry-after"));
    } catch (e) {
      if (e instanceof RegistryRequestError) throw e;
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      failure = `${init.method ?? "GET"} ${url.pathname}: ${cause ?? (e as Error).message}`;
    }
    if (attempt >= policy.retries) throw new RegistryRequestError(`${failure} (gave up after ${attempt + 1} attempts)`);
    const backoff = Math.random() * Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
    const ms = Math.min(policy.maxMs, wait ?? backoff);
    policy.onRetry?.(failure, attempt + 1, ms);
    await sleep(ms);
  }
}

export function postJson<T>(base: URL, path: string, body: unknown, policy?: RetryPolicy): Promise<T> {
  return requestJson<T>(
    new URL(path, base),
    { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(body) },
    policy,
  );
}
