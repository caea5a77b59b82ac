/**
 * POST /v1/observations: the registry fetches what an origin publishes about one URL, itself, and
 * notarizes it: a signed observation (src/domain/observation.ts) appended to the transparency log
 * with a receipt and an inclusion proof, so a rightsholder can later prove a reservation was
 * published at that time.
 *
 * The URL is a stranger's choice, so fetching it must not reach into the registry's own network
 * or run without bound: only public hosts (src/domain/public-host.ts, checked for the URL and
 * again for every redirect hop and every RSL document named), each request OBSERVE_LIMITS.requestMs
 * at most, no request started after OBSERVE_LIMITS.totalMs, at most OBSERVE_LIMITS.fetches
 * requests (Workers bound subrequests per invocation), bodies read up to the check's byte limits
 * (src/check/sources.ts LIMITS; longer ones are hashed as read and marked truncated).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { Fetcher } from "../check/fetcher";
import { siteSignals } from "../check/index";
import { counts } from "../check/sources";
import { signJson } from "../domain/iscc-sig";
import { buildObservation, ObservationTooLarge, type Observation } from "../domain/observation";
import { CURRENT_VOCABULARY } from "../domain/preferences";
import { isLoopbackHost, isPublicHost } from "../domain/public-host";
import { canonicalize } from "../encoding/canonical-json";
import type { Env } from "../env";
import { Problem } from "../http/problem";
import { registryIdentity } from "../registry-identity";
import type { ObservationReceipt } from "../store/receipt";
import { sequencer } from "./register-declarations";

export const OBSERVE_LIMITS = { requestMs: 5_000, totalMs: 20_000, fetches: 32 } as const;

/** The robots.txt product token (and User-Agent) the registry reads sites as. */
export const OBSERVER_PRODUCT_TOKEN = "optout-registry";

export interface Notarized {
  digest: string;
  seq: number;
  observation: Observation & { signature: unknown };
  receipt: ObservationReceipt;
  proof: { leaf_index: number; tree_size: number; proof: string[]; checkpoint: string };
}

/** Whether the registry may connect to `url`'s host: public hosts, and loopback ones in development. */
const mayFetch = (url: URL, allowLoopback: boolean) => isPublicHost(url.hostname) || (allowLoopback && isLoopbackHost(url.hostname));

/** Why `url` may not be observed (a field problem on /url), or null. */
export function observableUrlError(url: URL, allowLoopback = false): string | null {
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http(s) URL";
  if (url.username || url.password) return "must not carry credentials";
  if (!mayFetch(url, allowLoopback)) return `${url.hostname} is not a public address: the registry fetches only public hosts`;
  return null;
}

export async function observeOrigin(env: Env, input: string, fetchImpl: typeof fetch = (i, init) => fetch(i, init)): Promise<Notarized> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw Problem.field("/url", "not a URL");
  }
  // OBSERVE_ALLOW_LOOPBACK: development only, to observe sites served on this machine.
  const allowLoopback = env.OBSERVE_ALLOW_LOOPBACK === "true";
  const refused = observableUrlError(url, allowLoopback);
  if (refused) throw Problem.field("/url", refused);

  const deadline = Date.now() + OBSERVE_LIMITS.totalMs;
  let started = 0;
  const fetcher = new Fetcher({
    userAgent: OBSERVER_PRODUCT_TOKEN,
    timeoutMs: OBSERVE_LIMITS.requestMs,
    concurrency: 4,
    perHost: 2,
    fetch: fetchImpl,
    // Every hop of every document passes here before a connection is made.
    guard: (u) => {
      if (!mayFetch(u, allowLoopback)) return `${u.hostname} is not a public address`;
      if (Date.now() > deadline) return `the observation's ${OBSERVE_LIMITS.totalMs / 1000} s were over`;
      if (++started > OBSERVE_LIMITS.fetches) return `more than ${OBSERVE_LIMITS.fetches} requests`;
      return null;
    },
  });
  const observedAt = new Date().toISOString();
  const { sources, documents } = await siteSignals(url, fetcher, OBSERVER_PRODUCT_TOKEN);
  if (documents.every((d) => d.outcome === "unreachable"))
    throw new Problem("origin-unreachable", `Nothing could be fetched from ${url.origin}: ${documents[0]?.error ?? "no answer"}. Nothing was logged.`);

  let observation: Observation;
  try {
    observation = buildObservation({ url: url.href, userAgent: OBSERVER_PRODUCT_TOKEN, observedAt, vocabulary: CURRENT_VOCABULARY, documents, sources, counted: counts });
  } catch (e) {
    if (e instanceof ObservationTooLarge) throw new Problem("observation-too-large", `${e.message}. Nothing was logged.`);
    throw e;
  }
  const me = await registryIdentity(env);
  const signed = await signJson(observation, { secretKey: me.secretKey, publicKey: me.publicKey, controller: me.controller });
  const canonical = canonicalize(signed);
  const digest = bytesToHex(sha256(new TextEncoder().encode(canonical)));
  const seq = sequencer(env);
  const { seq: at, receipt } = await seq.observe(signed, digest, canonical);
  const proof = await seq.inclusionProof(at);
  if ("error" in proof) throw new Error(proof.error);
  return { digest, seq: at, observation: signed, receipt, proof: { leaf_index: proof.index, tree_size: proof.size, proof: proof.proof, checkpoint: proof.checkpoint } };
}
