/**
 * FakeVectorize: an in-memory FAKE of Cloudflare's Vectorize Workers binding, for tests only.
 *
 * It is NOT Vectorize and proves nothing about Vectorize's recall:
 * - `query` is an exact brute-force top-K over every stored vector; the real service is an
 *   approximate nearest-neighbour index whose results (and, without `returnValues: true`, whose
 *   scores) are approximations (https://developers.cloudflare.com/vectorize/best-practices/query-vectors/,
 *   "Control over scoring precision and query accuracy"). A test that passes here shows the calling
 *   code is right when the index answers exactly; it says nothing about how often the real index does.
 * - By default mutations are visible at once. The real V2 binding applies inserts, upserts and deletes
 *   asynchronously ("It typically takes a few seconds for inserted vectors to be available for
 *   querying", https://developers.cloudflare.com/vectorize/reference/client-api/); pass
 *   `asyncMutations: true` to queue them until `processMutations()` is called.
 * - Metadata filters and metadata indexes are not implemented: a `filter` throws.
 *
 * What it does honestly: the documented limits below are enforced, errors are shaped like the
 * binding's (workerd's vectorize-api.ts throws `new Error("<OPERATION>_ERROR (code = N): <message>")`,
 * or without the code part when the service sends none), values are stored as float32 as the real
 * index stores them, scores follow the index metric (cosine similarity and dot product: higher is
 * closer; euclidean: the distance, lower is closer), and namespaces partition queries.
 *
 * - Failures on demand: `failNext("upsert", n)` makes the next n calls of that operation throw an
 *   error shaped like the binding's (the service being unavailable), writing nothing; `heal()` ends
 *   them. For tests of the code that must recover.
 *
 * The class satisfies both binding types in @cloudflare/workers-types: `VectorizeIndex` (beta/V1,
 * which src/similarity/vectorize-index.ts is typed against) and `Vectorize` (V2): mutations return
 * `{ ids, count }` and a `mutationId`, `describe()` returns both info shapes.
 */

/**
 * Vectorize limits, from https://developers.cloudflare.com/vectorize/platform/limits/ (V2 indexes)
 * and https://developers.cloudflare.com/vectorize/reference/client-api/ (topK and returnMetadata).
 *
 * topK with values or metadata: the snapshots of the limits and client-API pages available here say
 * 20; the service itself answers topK 60 with returnMetadata "all" with
 * `VECTOR_QUERY_ERROR (code = 40025): max top K is 50, but got 60` (reported in
 * https://github.com/rahilp/second-brain-cloudflare/pull/89, 2026), and issue 3 and later revisions of
 * the limits page say 50. The fake uses 50, which is what the service enforces today.
 * "with metadata" means returnMetadata "all" (the client-API page: "`all` ... topK would be limited");
 * "indexed" is free and keeps the 100 limit. Boolean returnMetadata is converted by the binding
 * (true → "all", false → "none").
 */
export const VECTORIZE_LIMITS = {
  /** Maximum dimensions per vector. */
  maxDimensions: 1536,
  /** Maximum vector ID length, in bytes (UTF-8). */
  maxIdBytes: 64,
  /** Metadata per vector: 10 KiB of JSON. */
  maxMetadataBytes: 10 * 1024,
  /** Maximum returned results (topK) without values and metadata. */
  maxTopK: 100,
  /** Maximum returned results (topK) with returnValues: true or returnMetadata: "all". */
  maxTopKWithValuesOrMetadata: 50,
  /** Maximum upsert (and insert) batch size per call from Workers (5,000 through the HTTP API). */
  maxVectorsPerMutation: 1000,
  /** Maximum namespace name length, in bytes. */
  maxNamespaceBytes: 64,
  /** Maximum namespaces per index: 50,000 on Workers Paid, 1,000 on Free. */
  maxNamespacesPaid: 50_000,
  maxNamespacesFree: 1000,
  /** Maximum vectors per index. */
  maxVectorsPerIndex: 10_000_000,
  /** Default topK when none is given (client-API page: "default: 5"). */
  defaultTopK: 5,
} as const;

/** The only code seen from the service (for topK over the limit); other errors carry none. */
const CODE_TOP_K = 40025;

export type FakeVectorizeMetric = "cosine" | "euclidean" | "dot-product";

/** The operations failNext can make fail. */
export type FakeVectorizeOperation = "upsert" | "insert" | "deleteByIds" | "query";

export interface FakeVectorizeOptions {
  dimensions: number;
  metric: FakeVectorizeMetric;
  /** Workers plan, for the namespaces-per-index limit; default "paid". */
  plan?: "paid" | "free";
  /** Queue mutations until processMutations(), as the real V2 index does; default false. */
  asyncMutations?: boolean;
  name?: string;
}

interface Stored {
  id: string;
  values: Float32Array;
  namespace?: string;
  metadata?: Record<string, VectorizeVectorMetadata>;
}

type Mutation = { kind: "insert" | "upsert"; vectors: Stored[] } | { kind: "delete"; ids: string[] };

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

function bindingError(operation: string, message: string, code?: number): Error {
  return new Error(`${operation}_ERROR${code === undefined ? "" : ` (code = ${code})`}: ${message}`, { cause: new Error(message) });
}

export class FakeVectorize implements VectorizeIndex, Vectorize {
  readonly dimensions: number;
  readonly metric: FakeVectorizeMetric;
  readonly name: string;
  private readonly maxNamespaces: number;
  private readonly asyncMutations: boolean;
  private readonly vectors = new Map<string, Stored>();
  private readonly pending: { id: string; mutation: Mutation }[] = [];
  private lastMutation = "";
  private lastMutationAt = 0;
  /** Every query call, for tests that assert how the binding was used. */
  readonly queries: { vector: number[]; options: VectorizeQueryOptions }[] = [];
  /** Calls still to fail, per operation (failNext). */
  private readonly failures = new Map<FakeVectorizeOperation, number>();

  constructor(options: FakeVectorizeOptions) {
    const { dimensions, metric } = options;
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > VECTORIZE_LIMITS.maxDimensions)
      throw new Error(`FakeVectorize: dimensions must be an integer from 1 to ${VECTORIZE_LIMITS.maxDimensions}, got ${dimensions}`);
    if (metric !== "cosine" && metric !== "euclidean" && metric !== "dot-product")
      throw new Error(`FakeVectorize: metric must be cosine, euclidean or dot-product, got ${String(metric)}`);
    this.dimensions = dimensions;
    this.metric = metric;
    this.name = options.name ?? "fake-vectorize";
    this.maxNamespaces = options.plan === "free" ? VECTORIZE_LIMITS.maxNamespacesFree : VECTORIZE_LIMITS.maxNamespacesPaid;
    this.asyncMutations = options.asyncMutations ?? false;
  }

  /** The next `times` calls of `operation` fail (Infinity: until heal()), as the service would when unavailable. */
  failNext(operation: FakeVectorizeOperation, times = 1): void {
    this.failures.set(operation, times);
  }

  /** Ends every failure failNext set up. */
  heal(): void {
    this.failures.clear();
  }

  private maybeFail(operation: FakeVectorizeOperation): void {
    const left = this.failures.get(operation) ?? 0;
    if (left <= 0) return;
    this.failures.set(operation, left - 1);
    const op = { upsert: "VECTOR_UPSERT", insert: "VECTOR_INSERT", deleteByIds: "VECTOR_DELETE", query: "VECTOR_QUERY" }[operation];
    throw bindingError(op, "the service is unavailable (FakeVectorize.failNext)");
  }

  /** Ids of every vector visible to queries, sorted. */
  get ids(): string[] {
    return [...this.vectors.keys()].sort();
  }

  /** Number of vectors visible to queries. */
  get size(): number {
    return this.vectors.size;
  }

  /** Number of mutations accepted but not yet applied (only with asyncMutations). */
  get pendingMutations(): number {
    return this.pending.length;
  }

  async describe(): Promise<VectorizeIndexDetails & VectorizeIndexInfo> {
    return {
      id: this.name,
      name: this.name,
      config: { dimensions: this.dimensions, metric: this.metric },
      vectorsCount: this.vectors.size,
      vectorCount: this.vectors.size,
      dimensions: this.dimensions,
      processedUpToDatetime: this.lastMutationAt,
      // The type says number; the service documents a UUID. The fake reports how many were applied.
      processedUpToMutation: this.lastMutation ? Number(this.lastMutation.split("-")[1]) : 0,
    };
  }

  async insert(vectors: VectorizeVector[]): Promise<VectorizeVectorMutation & VectorizeAsyncMutation> {
    this.maybeFail("insert");
    return this.mutate("insert", vectors);
  }

  async upsert(vectors: VectorizeVector[]): Promise<VectorizeVectorMutation & VectorizeAsyncMutation> {
    this.maybeFail("upsert");
    return this.mutate("upsert", vectors);
  }

  async deleteByIds(ids: string[]): Promise<VectorizeVectorMutation & VectorizeAsyncMutation> {
    this.maybeFail("deleteByIds");
    if (!Array.isArray(ids)) throw bindingError("VECTOR_DELETE", "ids must be an array of strings");
    for (const id of ids) this.checkId("VECTOR_DELETE", id);
    const mutation: Mutation = { kind: "delete", ids: [...ids] };
    const affected = applyTo(this.futureState(), mutation);
    const mutationId = this.nextMutationId();
    this.enqueue(mutationId, mutation);
    return { ids: affected, count: affected.length, mutationId };
  }

  async getByIds(ids: string[]): Promise<VectorizeVector[]> {
    if (!Array.isArray(ids)) throw bindingError("VECTOR_GET", "ids must be an array of strings");
    const out: VectorizeVector[] = [];
    for (const id of ids) {
      this.checkId("VECTOR_GET", id);
      const v = this.vectors.get(id);
      if (v) out.push(this.materialize(v, true, true));
    }
    return out;
  }

  async query(vector: VectorFloatArray | number[], options: VectorizeQueryOptions = {}): Promise<VectorizeMatches> {
    this.maybeFail("query");
    const values = Array.isArray(vector) ? vector : Array.from(vector);
    this.checkValues("VECTOR_QUERY", values);
    return this.search(Float32Array.from(values), options);
  }

  async queryById(vectorId: string, options: VectorizeQueryOptions = {}): Promise<VectorizeMatches> {
    this.checkId("VECTOR_QUERY", vectorId);
    const v = this.vectors.get(vectorId);
    if (!v) return { matches: [], count: 0 };
    return this.search(v.values, options);
  }

  /** Applies every queued mutation in order (asyncMutations only; a no-op otherwise). */
  processMutations(): void {
    for (const p of this.pending.splice(0)) this.apply(p.id, p.mutation);
  }

  private search(q: Float32Array, options: VectorizeQueryOptions): VectorizeMatches {
    this.queries.push({ vector: Array.from(q), options: { ...options } });
    if (options.filter !== undefined) throw new Error("FakeVectorize: metadata filters are not implemented by this fake");
    let level: "none" | "indexed" | "all" = "none";
    if (options.returnMetadata !== undefined) {
      const r = options.returnMetadata;
      if (typeof r === "boolean") level = r ? "all" : "none";
      else if (r === "none" || r === "indexed" || r === "all") level = r;
      else throw new Error(`Invalid returnMetadata option. Expected: true, false, "none", "indexed" or "all"; got: ${String(r)}`);
    }
    const returnValues = options.returnValues === true;
    const topK = options.topK ?? VECTORIZE_LIMITS.defaultTopK;
    if (!Number.isInteger(topK) || topK < 1) throw bindingError("VECTOR_QUERY", `topK must be a positive integer, got ${topK}`);
    const max = returnValues || level === "all" ? VECTORIZE_LIMITS.maxTopKWithValuesOrMetadata : VECTORIZE_LIMITS.maxTopK;
    if (topK > max) throw bindingError("VECTOR_QUERY", `max top K is ${max}, but got ${topK}`, CODE_TOP_K);
    if (options.namespace !== undefined) this.checkNamespace("VECTOR_QUERY", options.namespace);

    const scored: { v: Stored; score: number }[] = [];
    for (const v of this.vectors.values()) {
      if (options.namespace !== undefined && v.namespace !== options.namespace) continue;
      scored.push({ v, score: this.score(q, v.values) });
    }
    const higherIsCloser = this.metric !== "euclidean";
    scored.sort((a, b) => (higherIsCloser ? b.score - a.score : a.score - b.score) || (a.v.id < b.v.id ? -1 : a.v.id > b.v.id ? 1 : 0));
    const matches: VectorizeMatch[] = scored.slice(0, topK).map(({ v, score }) => {
      const m = this.materialize(v, returnValues, level !== "none");
      const out: VectorizeMatch = { id: m.id, score };
      if (v.namespace !== undefined) out.namespace = v.namespace;
      if (returnValues) out.values = m.values;
      // The fake has no metadata indexes, so "indexed" returns what "all" does (not truncated).
      if (level !== "none" && m.metadata) out.metadata = m.metadata;
      return out;
    });
    return { matches, count: matches.length };
  }

  private score(a: Float32Array, b: Float32Array): number {
    let dot = 0;
    let na = 0;
    let nb = 0;
    let sq = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      const y = b[i]!;
      dot += x * y;
      na += x * x;
      nb += y * y;
      sq += (x - y) * (x - y);
    }
    if (this.metric === "dot-product") return dot;
    if (this.metric === "euclidean") return Math.sqrt(sq);
    // Cosine similarity; a zero vector has no direction, the fake scores it 0.
    return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
  }

  private mutate(kind: "insert" | "upsert", vectors: VectorizeVector[]): VectorizeVectorMutation & VectorizeAsyncMutation {
    const op = kind === "insert" ? "VECTOR_INSERT" : "VECTOR_UPSERT";
    if (!Array.isArray(vectors)) throw bindingError(op, "vectors must be an array");
    if (vectors.length > VECTORIZE_LIMITS.maxVectorsPerMutation)
      throw bindingError(op, `too many vectors in one call: ${vectors.length} > ${VECTORIZE_LIMITS.maxVectorsPerMutation}`);
    const stored: Stored[] = vectors.map((v) => this.validate(op, v));

    // Limits on the index as it will be once this mutation (and those queued before it) applies.
    const future = this.futureState();
    const accepted = applyTo(future, { kind, vectors: stored });
    if (future.size > VECTORIZE_LIMITS.maxVectorsPerIndex)
      throw bindingError(op, `the index would hold ${future.size} vectors, more than ${VECTORIZE_LIMITS.maxVectorsPerIndex}`);
    const namespaces = new Set([...future.values()].filter((n) => n !== undefined));
    if (namespaces.size > this.maxNamespaces) throw bindingError(op, `the index would have ${namespaces.size} namespaces, more than ${this.maxNamespaces}`);

    const mutationId = this.nextMutationId();
    this.enqueue(mutationId, { kind, vectors: stored });
    return { ids: accepted, count: accepted.length, mutationId };
  }

  private validate(op: string, v: VectorizeVector): Stored {
    if (typeof v !== "object" || v === null) throw bindingError(op, "each vector must be an object");
    this.checkId(op, v.id);
    const values = Array.isArray(v.values) ? v.values : Array.from(v.values ?? []);
    this.checkValues(op, values, v.id);
    if (v.namespace !== undefined) this.checkNamespace(op, v.namespace);
    let metadata: Record<string, VectorizeVectorMetadata> | undefined;
    if (v.metadata !== undefined) {
      for (const key of Object.keys(v.metadata))
        if (key === "" || key.includes(".") || key.includes('"') || key.startsWith("$"))
          throw bindingError(op, `vector ${v.id}: invalid metadata key ${JSON.stringify(key)} (keys cannot be empty, contain "." or '"', or start with "$")`);
      const json = JSON.stringify(v.metadata);
      const bytes = utf8Bytes(json);
      if (bytes > VECTORIZE_LIMITS.maxMetadataBytes)
        throw bindingError(op, `vector ${v.id}: metadata is ${bytes} bytes, more than ${VECTORIZE_LIMITS.maxMetadataBytes}`);
      metadata = JSON.parse(json) as Record<string, VectorizeVectorMetadata>;
    }
    return { id: v.id, values: Float32Array.from(values), ...(v.namespace !== undefined ? { namespace: v.namespace } : {}), ...(metadata ? { metadata } : {}) };
  }

  private checkId(op: string, id: unknown): void {
    if (typeof id !== "string" || id.length === 0) throw bindingError(op, `vector id must be a non-empty string, got ${JSON.stringify(id)}`);
    const bytes = utf8Bytes(id);
    if (bytes > VECTORIZE_LIMITS.maxIdBytes) throw bindingError(op, `vector id ${JSON.stringify(id)} is ${bytes} bytes, more than ${VECTORIZE_LIMITS.maxIdBytes}`);
  }

  private checkNamespace(op: string, ns: unknown): void {
    if (typeof ns !== "string") throw bindingError(op, `namespace must be a string, got ${JSON.stringify(ns)}`);
    const bytes = utf8Bytes(ns);
    if (bytes > VECTORIZE_LIMITS.maxNamespaceBytes)
      throw bindingError(op, `namespace ${JSON.stringify(ns)} is ${bytes} bytes, more than ${VECTORIZE_LIMITS.maxNamespaceBytes}`);
  }

  private checkValues(op: string, values: unknown[], id?: string): void {
    const what = id === undefined ? "query vector" : `vector ${id}`;
    if (values.length !== this.dimensions)
      throw bindingError(op, `${what} has ${values.length} dimensions, the index has ${this.dimensions}`);
    for (const x of values) if (typeof x !== "number" || !Number.isFinite(x)) throw bindingError(op, `${what} has a non-finite value ${String(x)}`);
  }

  private materialize(v: Stored, values: boolean, metadata: boolean): VectorizeVector {
    const out: VectorizeVector = { id: v.id, values: values ? Array.from(v.values) : [] };
    if (v.namespace !== undefined) out.namespace = v.namespace;
    if (metadata && v.metadata) out.metadata = structuredClone(v.metadata);
    return out;
  }

  /** id → namespace of the index once every queued mutation has applied. */
  private futureState(): Map<string, string | undefined> {
    const state = new Map<string, string | undefined>();
    for (const v of this.vectors.values()) state.set(v.id, v.namespace);
    for (const p of this.pending) applyTo(state, p.mutation);
    return state;
  }

  private counter = 0;
  private nextMutationId(): string {
    return `fake-${++this.counter}`;
  }

  private enqueue(id: string, mutation: Mutation): void {
    if (this.asyncMutations) this.pending.push({ id, mutation });
    else this.apply(id, mutation);
  }

  private apply(id: string, m: Mutation): void {
    if (m.kind === "delete") for (const i of m.ids) this.vectors.delete(i);
    else
      for (const v of m.vectors) {
        // Insert keeps the vector that was there first; upsert replaces it in full.
        if (m.kind === "insert" && this.vectors.has(v.id)) continue;
        this.vectors.set(v.id, v);
      }
    this.lastMutation = id;
    this.lastMutationAt = Date.now();
  }
}

/** Applies a mutation to an id → namespace map; returns the ids it writes or deletes. */
function applyTo(state: Map<string, string | undefined>, m: Mutation): string[] {
  if (m.kind === "delete") return m.ids.filter((id) => state.delete(id));
  const written: string[] = [];
  for (const v of m.vectors) {
    if (m.kind === "insert" && state.has(v.id)) continue;
    state.set(v.id, v.namespace);
    written.push(v.id);
  }
  return written;
}
