import type { Notifier } from "./durable/notifier";
import type { PeerLink } from "./durable/peer-link";
import type { Sequencer } from "./durable/sequencer";

/** Bindings and configuration of the Worker (wrangler.toml [vars], secrets, bindings). */
export interface Env {
  DB: D1Database;
  SEQUENCER: DurableObjectNamespace<Sequencer>;
  /** One object per partner registry: its outbox cursor, retries and feed pulls. */
  PEER_LINK: DurableObjectNamespace<PeerLink>;
  /** Delivers notifications to subscriptions (src/durable/notifier.ts). */
  NOTIFIER: DurableObjectNamespace<Notifier>;
  /** Production similarity backend; absent locally (Vectorize has no local simulator). */
  VECTORIZE?: VectorizeIndex;
  /** This registry's public name, e.g. "registry.example.org"; also its log origin. */
  REGISTRY_NAME: string;
  /** ISCC-ID v1 hub id, 0–4095. */
  HUB_ID: string;
  /** "d1" (exact, in-project; the local default) or "vectorize" (production; needs VECTORIZE). */
  SIMILARITY_BACKEND?: string;
  /** "sql": the d1 backend searches D1 with SQL instead of its in-memory index (default memory). */
  MATCH_INDEX?: string;
  /** "off": lookups skip the isolate's filter of declared URL keys and query D1 for every URL (the benchmark's baseline). */
  URL_FILTER?: string;
  /** "on": GET lookup answers that needed D1 are kept in the Cache API, keyed by registry version (default off). */
  LOOKUP_CACHE?: string;
  /** How old (ms) the isolate's registry version may get before a lookup re-reads it; the visibility bound of a write (default 1000). */
  FRESHNESS_MS?: string;
  /** "off": no rate limits (tests and benchmarks; README "Rate limits"). Limits are on unless this says off. */
  RATE_LIMITS?: string;
  /** Secret: API keys with counters of their own, comma-separated (src/http/rate-limits.ts, clientKey). */
  API_KEYS?: string;
  /** Workers rate-limiting bindings, one per route class (src/http/rate-limits.ts; wrangler.toml [[ratelimits]]). */
  RATE_LIMIT_LOOKUP?: RateLimit;
  RATE_LIMIT_BATCH?: RateLimit;
  RATE_LIMIT_REGISTRATION?: RateLimit;
  RATE_LIMIT_SNAPSHOT?: RateLimit;
  RATE_LIMIT_WEBHOOK?: RateLimit;
  RATE_LIMIT_OBSERVATION?: RateLimit;
  /** Secret: the registry's Ed25519 key as a multikey (z3u2…). */
  REGISTRY_SECRET_KEY: string;
  /** Secret: bearer token of the operator (peers management). */
  OPERATOR_TOKEN: string;
  /** Development only: "true" resolves did:web controllers on loopback hosts, over http (src/http/did-resolver.ts). */
  DID_WEB_ALLOW_LOOPBACK?: string;
  /** Development only: "true" lets POST /v1/observations fetch loopback hosts (sites served on this machine). */
  OBSERVE_ALLOW_LOOPBACK?: string;
  /** Development only: "true" lets subscriptions name http(s) URLs on loopback hosts (src/domain/subscription.ts). */
  SUBSCRIPTIONS_ALLOW_LOOPBACK?: string;
  /** First retry delay of a failed notification delivery, ms (default 10000; doubles per failure, capped at an hour). */
  NOTIFY_RETRY_BASE_MS?: string;
  /** Optional federation tuning (see src/domain/federation-policy.ts); integers as strings. */
  FEDERATION_PUSH_BATCH?: string;
  FEDERATION_PUSH_BYTES?: string;
  FEDERATION_PULL_PAGE?: string;
  FEDERATION_PULL_INTERVAL_MS?: string;
  FEDERATION_RETRY_BASE_MS?: string;
  FEDERATION_RETRY_MAX_MS?: string;
  FEDERATION_MAX_ATTEMPTS?: string;
  FEDERATION_REQUEST_TIMEOUT_MS?: string;
}
