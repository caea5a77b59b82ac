import type { Sequencer } from "./durable/sequencer";

/** Bindings and configuration of the Worker (wrangler.toml [vars], secrets, bindings). */
export interface Env {
  DB: D1Database;
  SEQUENCER: DurableObjectNamespace<Sequencer>;
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
}
