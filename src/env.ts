import type { PeerLink } from "./durable/peer-link";
import type { Sequencer } from "./durable/sequencer";

/** Bindings and configuration of the Worker (wrangler.toml [vars], secrets, bindings). */
export interface Env {
  DB: D1Database;
  SEQUENCER: DurableObjectNamespace<Sequencer>;
  /** One object per partner registry: its outbox cursor, retries and feed pulls. */
  PEER_LINK: DurableObjectNamespace<PeerLink>;
  /** Production similarity backend; absent locally (Vectorize has no local simulator). */
  VECTORIZE?: VectorizeIndex;
  /** This registry's public name, e.g. "registry.example.org"; also its log origin. */
  REGISTRY_NAME: string;
  /** ISCC-ID v1 hub id, 0–4095. */
  HUB_ID: string;
  SIMILARITY_BACKEND?: string;
  /** Secret: the registry's Ed25519 key as a multikey (z3u2…). */
  REGISTRY_SECRET_KEY: string;
  /** Secret: bearer token of the operator (peers management). */
  OPERATOR_TOKEN: string;
  /** Optional federation tuning (see src/domain/federation-policy.ts); integers as strings. */
  FEDERATION_PUSH_BATCH?: string;
  FEDERATION_PULL_PAGE?: string;
  FEDERATION_PULL_INTERVAL_MS?: string;
  FEDERATION_RETRY_BASE_MS?: string;
  FEDERATION_RETRY_MAX_MS?: string;
  FEDERATION_MAX_ATTEMPTS?: string;
  FEDERATION_REQUEST_TIMEOUT_MS?: string;
}
