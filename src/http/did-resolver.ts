import { didDocumentHasKey, didWebFetchUrl } from "../domain/did-web";
import { readBody } from "./body";

/**
 * Resolves did:web controllers at first registration (receivers of a declaration never resolve
 * again: they read the origin's signed result, see src/domain/controller-verification.ts).
 *
 * The controller is chosen by whoever signs a declaration, so resolving it must not become a way
 * to make this registry fetch what it should not, or fetch without bound:
 * - only public hosts (didWebFetchUrl; loopback only with DID_WEB_ALLOW_LOOPBACK, for development);
 * - no redirects (a public host could redirect to an internal one), a 3 s timeout, a 64 KiB body;
 * - at most MAX_CONCURRENT fetches at a time per isolate, and a resolution that waited
 *   MAX_WAIT_MS for a slot gives up: a batch naming 1,000 different documents costs at most that
 *   long, and its remaining controllers stay unverified (the declarations are registered anyway);
 * - concurrent resolutions of one document share one fetch; documents are cached per isolate
 *   (CACHE_ENTRIES at most, least recently used first out), answers for TTL_MS, failures for
 *   FAILURE_TTL_MS.
 */
const TTL_MS = 5 * 60 * 1000;
const FAILURE_TTL_MS = 60 * 1000;
const TIMEOUT_MS = 3000;
const MAX_DOCUMENT_BYTES = 64 * 1024;
export const MAX_CONCURRENT = 6;
const MAX_WAIT_MS = 10_000;
const CACHE_ENTRIES = 1000;

export interface DidWebOptions {
  /** Development only: resolve did:web on loopback hosts, over http. */
  allowLoopback: boolean;
}

/** The resolver's options from the Worker's vars. */
export function didWebOptions(env: { DID_WEB_ALLOW_LOOPBACK?: string }): DidWebOptions {
  return { allowLoopback: env.DID_WEB_ALLOW_LOOPBACK === "true" };
}

/**
 * Whether `controller` is a did:web whose document lists `pubkey` as a verification method. False
 * when it cannot be told (not did:web, a refused host, unreachable, too slow, key not listed): the
 * declaration is then registered with its controller unverified, not refused.
 */
export async function controllerListsKey(controller: string, pubkey: string, opts: DidWebOptions): Promise<boolean> {
  const url = didWebFetchUrl(controller, opts);
  if (!url) return false;
  return didDocumentHasKey(await cachedDocument(url.href), controller, pubkey);
}

const cache = new Map<string, { until: number; doc: unknown }>();
const inFlight = new Map<string, Promise<unknown>>();

async function cachedDocument(href: string): Promise<unknown> {
  const hit = cache.get(href);
  if (hit && hit.until > Date.now()) {
    // Re-inserted, so Map order is least recently used first.
    cache.delete(href);
    cache.set(href, hit);
    return hit.doc;
  }
  cache.delete(href);
  let pending = inFlight.get(href);
  if (!pending) {
    pending = fetchDocument(href).finally(() => inFlight.delete(href));
    inFlight.set(href, pending);
  }
  return pending;
}

async function fetchDocument(href: string): Promise<unknown> {
  const NO_SLOT = Symbol("no slot");
  const doc = await withSlot(async () => {
    try {
      const res = await fetch(href, {
        headers: { accept: "application/did+json, application/json" },
        redirect: "manual",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        return null;
      }
      return JSON.parse(await readBody(res, MAX_DOCUMENT_BYTES)) as unknown;
    } catch {
      return null;
    }
  }, NO_SLOT);
  // Not fetched for want of a slot says nothing about the document: not cached.
  if (doc === NO_SLOT) return null;
  cache.set(href, { until: Date.now() + (doc === null ? FAILURE_TTL_MS : TTL_MS), doc });
  while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return doc;
}

let active = 0;
const waiting: (() => void)[] = [];

/** Runs `fn` in one of MAX_CONCURRENT slots; `timedOut` when no slot freed up within MAX_WAIT_MS. */
async function withSlot<T, U>(fn: () => Promise<T>, timedOut: U): Promise<T | U> {
  if (active >= MAX_CONCURRENT) {
    const got = await new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const i = waiting.indexOf(wake);
        if (i >= 0) waiting.splice(i, 1);
        resolve(false);
      }, MAX_WAIT_MS);
      waiting.push(wake);
    });
    if (!got) return timedOut;
  } else {
    active++;
  }
  try {
    return await fn();
  } finally {
    // The slot passes straight to the next waiter, so `active` counts it throughout.
    const next = waiting.shift();
    if (next) next();
    else active--;
  }
}
