import type { Env } from "../env";
import { D1SimilarityIndex } from "./d1-index";
import type { SimilarityIndex } from "./similarity-index";
import { VectorizeSimilarityIndex } from "./vectorize-index";

/**
 * SIMILARITY_BACKEND picks the backend; `vectorize` needs the VECTORIZE binding. `background`: the
 * request's waitUntil, for index upkeep its answer need not wait for.
 */
export function similarityIndex(env: Pick<Env, "DB" | "VECTORIZE" | "SIMILARITY_BACKEND" | "MATCH_INDEX">, background?: (work: Promise<unknown>) => void): SimilarityIndex {
  const backend = env.SIMILARITY_BACKEND ?? "d1";
  if (backend === "d1") return new D1SimilarityIndex(env.DB, { memory: env.MATCH_INDEX !== "sql", background });
  if (backend === "vectorize") {
    if (!env.VECTORIZE) throw new Error("SIMILARITY_BACKEND is vectorize but there is no VECTORIZE binding");
    return new VectorizeSimilarityIndex(env.VECTORIZE, env.DB);
  }
  throw new Error(`SIMILARITY_BACKEND must be d1 or vectorize, got ${backend}`);
}
