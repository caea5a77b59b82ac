/**
 * Fetching what a site publishes, politely and within limits: every document is fetched at most
 * once per fetcher (per-host files are shared by all URLs of the host), at most `perHost` requests
 * run against one host at a time and `concurrency` overall, each request has a deadline, bodies are
 * read up to a byte limit (the rest is not downloaded), and redirects are followed by hand (at
 * most five, RFC 9309 §2.3.1.2) so every hop is recorded. Runs in Node and in Workers: only fetch,
 * streams and Web Crypto. What it saw is returned as-is, with the SHA-256 of the bytes read, for
 * reports and for notarized observations.
 */

import type { FetchedDocument } from "../domain/fetched-document";

export type { FetchedDocument };

export interface FetcherOptions {
  userAgent: string;
  /** Overall requests in flight. */
  concurrency?: number;
  /** Requests in flight per host. */
  perHost?: number;
  timeoutMs?: number;
  /** Refuses a URL before connecting (e.g. not a public address); returns why, or null to go ahead. */
  guard?: (url: URL) => Promise<string | null> | string | null;
  fetch?: typeof fetch;
}

const MAX_REDIRECTS = 5;
/** Headers kept in reports: those that carry preferences, and those that describe the body. */
const KEPT_HEADERS = ["content-type", "content-length", "content-usage", "x-robots-tag", "tdm-reservation", "tdm-policy", "link", "location", "last-modified", "etag", "date"];

class Semaphore {
  private active = 0;
  private waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reads at most `limit` bytes of a body, cancelling the rest. */
async function readLimited(res: Response, limit: number): Promise<{ body: Uint8Array; truncated: boolean }> {
  if (!res.body) return { body: new Uint8Array(0), truncated: false };
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = limit - size;
    if (value.length > room) {
      parts.push(value.subarray(0, room));
      size += room;
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    parts.push(value);
    size += value.length;
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const p of parts) body.set(p, (at += p.length) - p.length);
  return { body, truncated };
}

export class Fetcher {
  private readonly cache = new Map<string, Promise<FetchedDocument>>();
  private readonly hosts = new Map<string, Semaphore>();
  private readonly overall: Semaphore;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: FetcherOptions) {
    this.overall = new Semaphore(opts.concurrency ?? 8);
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The document at `url`, fetched once whatever the number of callers; `limit` bytes at most. */
  get(url: string, limit: number, accept = "*/*"): Promise<FetchedDocument> {
    const key = `${limit} ${accept} ${url}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.fetchFollowing(url, limit, accept);
      this.cache.set(key, p);
    }
    return p;
  }

  private host(url: URL): Semaphore {
    let s = this.hosts.get(url.host);
    if (!s) this.hosts.set(url.host, (s = new Semaphore(this.opts.perHost ?? 2)));
    return s;
  }

  private async fetchFollowing(url: string, limit: number, accept: string): Promise<FetchedDocument> {
    const fetchedAt = new Date().toISOString();
    const redirects: string[] = [];
    const failed = async (finalUrl: string, error: string): Promise<FetchedDocument> => ({
      url,
      finalUrl,
      redirects,
      outcome: "unreachable",
      status: null,
      headers: {},
      body: new Uint8Array(0),
      truncated: false,
      sha256: await sha256Hex(new Uint8Array(0)),
      fetchedAt,
      error,
    });
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      return failed(url, "not a URL");
    }
    for (let hop = 0; ; hop++) {
      if (current.protocol !== "http:" && current.protocol !== "https:") return failed(current.href, `not an http(s) URL: ${current.protocol}`);
      const refused = this.opts.guard ? await this.opts.guard(current) : null;
      if (refused) return failed(current.href, refused);
      const target = current;
      let res: Response;
      try {
        // The host's turn first, then an overall slot: waiting on a busy host holds no overall slot.
        res = await this.host(target).run(() =>
          this.overall.run(() =>
            this.fetchImpl(target.href, {
              redirect: "manual",
              headers: { "user-agent": this.opts.userAgent, accept },
              signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
            }),
          ),
        );
      } catch (e) {
        const err = e as Error;
        return failed(current.href, err.name === "TimeoutError" ? `no answer within ${this.opts.timeoutMs ?? 10_000} ms` : err.message);
      }
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel().catch(() => {});
        if (hop >= MAX_REDIRECTS) return failed(current.href, `more than ${MAX_REDIRECTS} redirects`);
        redirects.push(current.href);
        try {
          current = new URL(location, current);
        } catch {
          return failed(current.href, `a redirect to an invalid URL: ${location}`);
        }
        continue;
      }
      let read: { body: Uint8Array; truncated: boolean };
      try {
        read = await readLimited(res, limit);
      } catch (e) {
        return failed(current.href, `the body broke off: ${(e as Error).message}`);
      }
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const v = res.headers.get(name);
        if (v !== null) headers[name] = v;
      }
      return { url, finalUrl: current.href, redirects, outcome: "ok", status: res.status, headers, ...read, sha256: await sha256Hex(read.body), fetchedAt };
    }
  }
}
