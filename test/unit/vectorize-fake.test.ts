import { describe, expect, it } from "vitest";
import { FakeVectorize, VECTORIZE_LIMITS } from "../fakes/vectorize-fake";

const vec = (dims: number, f: (i: number) => number) => Array.from({ length: dims }, (_, i) => f(i));

describe("FakeVectorize limits", () => {
  it("rejects an index wider than 1536 dimensions and accepts 1536", () => {
    expect(() => new FakeVectorize({ dimensions: 1537, metric: "cosine" })).toThrow(/1536/);
    expect(() => new FakeVectorize({ dimensions: 0, metric: "cosine" })).toThrow();
    expect(new FakeVectorize({ dimensions: 1536, metric: "cosine" }).dimensions).toBe(1536);
  });

  it("rejects vectors and queries whose dimensions differ from the index's", async () => {
    const v = new FakeVectorize({ dimensions: 4, metric: "cosine" });
    await expect(v.upsert([{ id: "a", values: [1, 0, 0] }])).rejects.toThrow(/^VECTOR_UPSERT_ERROR: vector a has 3 dimensions, the index has 4/);
    await expect(v.insert([{ id: "a", values: [1, 0, 0, 0, 0] }])).rejects.toThrow(/^VECTOR_INSERT_ERROR: .*5 dimensions/);
    await expect(v.query([1, 0])).rejects.toThrow(/^VECTOR_QUERY_ERROR: query vector has 2 dimensions/);
    await expect(v.upsert([{ id: "a", values: [1, 0, NaN, 0] }])).rejects.toThrow(/non-finite/);
    expect(v.size).toBe(0);
  });

  it("rejects ids over 64 bytes, counting UTF-8 bytes, and accepts exactly 64", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    await v.upsert([{ id: "x".repeat(64), values: [1, 0] }]);
    await expect(v.upsert([{ id: "x".repeat(65), values: [1, 0] }])).rejects.toThrow(/^VECTOR_UPSERT_ERROR: .*65 bytes, more than 64/);
    // 32 two-byte characters: 32 characters, 64 bytes, fine; 33 of them are 66 bytes.
    await v.upsert([{ id: "é".repeat(32), values: [1, 0] }]);
    await expect(v.upsert([{ id: "é".repeat(33), values: [1, 0] }])).rejects.toThrow(/66 bytes/);
    await expect(v.upsert([{ id: "", values: [1, 0] }])).rejects.toThrow(/non-empty/);
    await expect(v.getByIds(["y".repeat(65)])).rejects.toThrow(/^VECTOR_GET_ERROR/);
    await expect(v.deleteByIds(["y".repeat(65)])).rejects.toThrow(/^VECTOR_DELETE_ERROR/);
    expect(v.size).toBe(2);
  });

  it("rejects metadata over 10 KiB of JSON and invalid metadata keys", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    // {"k":"…"} is 8 bytes of JSON around the string.
    await v.upsert([{ id: "ok", values: [1, 0], metadata: { k: "a".repeat(10 * 1024 - 8) } }]);
    await expect(v.upsert([{ id: "big", values: [1, 0], metadata: { k: "a".repeat(10 * 1024 - 7) } }])).rejects.toThrow(
      /^VECTOR_UPSERT_ERROR: vector big: metadata is 10241 bytes, more than 10240/,
    );
    for (const key of ["", "a.b", 'a"b', "$a"])
      await expect(v.upsert([{ id: "k", values: [1, 0], metadata: { [key]: 1 } }])).rejects.toThrow(/invalid metadata key/);
    expect((await v.getByIds(["ok"]))[0]!.metadata!.k).toHaveLength(10 * 1024 - 8);
    expect(await v.getByIds(["big", "k"])).toEqual([]);
  });

  it("rejects more than 1000 vectors in one upsert or insert call, atomically", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `v${i}`, values: [1, i] }));
    await expect(v.upsert(many(1001))).rejects.toThrow(/^VECTOR_UPSERT_ERROR: too many vectors in one call: 1001 > 1000/);
    await expect(v.insert(many(1001))).rejects.toThrow(/^VECTOR_INSERT_ERROR/);
    expect(v.size).toBe(0);
    expect((await v.upsert(many(1000))).count).toBe(1000);
    expect(v.size).toBe(1000);
  });

  it("rejects namespace names over 64 bytes, on writes and on queries", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    await v.upsert([{ id: "a", values: [1, 0], namespace: "n".repeat(64) }]);
    await expect(v.upsert([{ id: "b", values: [1, 0], namespace: "n".repeat(65) }])).rejects.toThrow(/namespace .* 65 bytes/);
    await expect(v.query([1, 0], { namespace: "n".repeat(65) })).rejects.toThrow(/^VECTOR_QUERY_ERROR: namespace/);
  });

  it("rejects a write that would exceed the namespaces per index of the plan", { timeout: 30_000 }, async () => {
    const free = new FakeVectorize({ dimensions: 2, metric: "cosine", plan: "free" });
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `v${from + i}`, values: [1, 0], namespace: `ns${from + i}` }));
    await free.upsert(batch(0, 1000));
    await expect(free.upsert(batch(1000, 1))).rejects.toThrow(/1001 namespaces, more than 1000/);
    // Replacing a vector within existing namespaces is fine.
    await free.upsert([{ id: "v0", values: [0, 1], namespace: "ns1" }]);
    expect(free.size).toBe(1000);
    const paid = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    for (let i = 0; i < VECTORIZE_LIMITS.maxNamespacesPaid; i += 1000) await paid.upsert(batch(i, 1000));
    await expect(paid.upsert(batch(VECTORIZE_LIMITS.maxNamespacesPaid, 1))).rejects.toThrow(/50001 namespaces, more than 50000/);
  });

  it("limits topK to 100 without values or full metadata and to 50 with either", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    await v.upsert(Array.from({ length: 150 }, (_, i) => ({ id: `v${i}`, values: [1, i / 150] })));
    expect((await v.query([1, 0], { topK: 100 })).count).toBe(100);
    expect((await v.query([1, 0], { topK: 100, returnMetadata: "indexed" })).count).toBe(100);
    expect((await v.query([1, 0], { topK: 100, returnMetadata: "none", returnValues: false })).count).toBe(100);
    await expect(v.query([1, 0], { topK: 101 })).rejects.toThrow("VECTOR_QUERY_ERROR (code = 40025): max top K is 100, but got 101");
    expect((await v.query([1, 0], { topK: 50, returnValues: true })).count).toBe(50);
    await expect(v.query([1, 0], { topK: 51, returnValues: true })).rejects.toThrow("VECTOR_QUERY_ERROR (code = 40025): max top K is 50, but got 51");
    await expect(v.query([1, 0], { topK: 51, returnMetadata: "all" })).rejects.toThrow(/max top K is 50/);
    // The binding turns returnMetadata: true into "all".
    await expect(v.query([1, 0], { topK: 51, returnMetadata: true })).rejects.toThrow(/max top K is 50/);
    await expect(v.query([1, 0], { topK: 0 })).rejects.toThrow(/positive integer/);
    await expect(v.query([1, 0], { returnMetadata: "some" as "all" })).rejects.toThrow(/^Invalid returnMetadata option/);
    // Default topK is 5.
    expect((await v.query([1, 0])).count).toBe(5);
  });

  it("refuses metadata filters rather than ignoring them", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    await expect(v.query([1, 0], { filter: { a: 1 } })).rejects.toThrow(/not implemented/);
  });
});

describe("FakeVectorize behaviour", () => {
  it("ranks by cosine similarity, highest first, with the cosine as score", async () => {
    const v = new FakeVectorize({ dimensions: 3, metric: "cosine" });
    await v.upsert([
      { id: "far", values: [-1, 0, 0] },
      { id: "near", values: [2, 0.1, 0] }, // length does not matter for cosine
      { id: "mid", values: [1, 1, 0] },
      { id: "ortho", values: [0, 0, 5] },
    ]);
    const r = await v.query([1, 0, 0], { topK: 4 });
    expect(r.matches.map((m) => m.id)).toEqual(["near", "mid", "ortho", "far"]);
    expect(r.matches[1]!.score).toBeCloseTo(Math.SQRT1_2, 6);
    expect(r.matches[2]!.score).toBe(0);
    expect(r.matches[3]!.score).toBe(-1);
    expect(r.matches[0]!.values).toBeUndefined();
  });

  it("ranks ±1 vectors by Hamming distance: cosine = (n − 2·hamming) / n", async () => {
    const n = 64;
    const base = vec(n, (i) => (i % 3 ? 1 : -1));
    const flip = (k: number) => base.map((x, i) => (i < k ? -x : x));
    const v = new FakeVectorize({ dimensions: n, metric: "cosine" });
    await v.upsert([5, 0, 17, 2, 40].map((k) => ({ id: `h${k}`, values: flip(k) })));
    const r = await v.query(base, { topK: 5 });
    expect(r.matches.map((m) => m.id)).toEqual(["h0", "h2", "h5", "h17", "h40"]);
    for (const m of r.matches) expect(m.score).toBe((n - 2 * Number(m.id.slice(1))) / n);
  });

  it("uses the euclidean distance (lowest first) and the dot product (highest first)", async () => {
    const e = new FakeVectorize({ dimensions: 2, metric: "euclidean" });
    const d = new FakeVectorize({ dimensions: 2, metric: "dot-product" });
    const vs = [
      { id: "a", values: [3, 4] },
      { id: "b", values: [1, 0] },
      { id: "c", values: [10, 0] },
    ];
    await e.upsert(vs);
    await d.upsert(vs);
    const re = await e.query([0, 0], { topK: 3 });
    expect(re.matches.map((m) => [m.id, m.score])).toEqual([
      ["b", 1],
      ["a", 5],
      ["c", 10],
    ]);
    const rd = await d.query([1, 1], { topK: 3 });
    expect(rd.matches.map((m) => [m.id, m.score])).toEqual([
      ["c", 10],
      ["a", 7],
      ["b", 1],
    ]);
  });

  it("isolates namespaces; a query without a namespace searches the whole index", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    await v.upsert([
      { id: "x1", values: [1, 0], namespace: "X" },
      { id: "y1", values: [1, 0.01], namespace: "Y" },
      { id: "y2", values: [0, 1], namespace: "Y" },
      { id: "none", values: [1, 0.02] },
    ]);
    const x = await v.query([1, 0], { topK: 10, namespace: "X" });
    expect(x.matches.map((m) => [m.id, m.namespace])).toEqual([["x1", "X"]]);
    expect((await v.query([1, 0], { topK: 10, namespace: "Y" })).matches.map((m) => m.id)).toEqual(["y1", "y2"]);
    expect((await v.query([1, 0], { topK: 10, namespace: "Z" })).matches).toEqual([]);
    expect((await v.query([1, 0], { topK: 10 })).matches.map((m) => m.id)).toEqual(["x1", "y1", "none", "y2"]);
    // Ids are unique across the index: upserting y1 into X moves it.
    await v.upsert([{ id: "y1", values: [1, 0.01], namespace: "X" }]);
    expect((await v.query([1, 0], { topK: 10, namespace: "X" })).matches.map((m) => m.id)).toEqual(["x1", "y1"]);
  });

  it("insert keeps the first vector for an id, upsert the last; values are stored as float32", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    await v.insert([{ id: "a", values: [0.1, 1], metadata: { n: 1 } }]);
    const again = await v.insert([
      { id: "a", values: [5, 5] },
      { id: "b", values: [1, 1] },
    ]);
    expect(again.ids).toEqual(["b"]);
    const [a] = await v.getByIds(["a"]);
    expect(a).toEqual({ id: "a", values: [Math.fround(0.1), 1], metadata: { n: 1 } });
    await v.upsert([{ id: "a", values: [2, 2] }]);
    expect(await v.getByIds(["a", "missing"])).toEqual([{ id: "a", values: [2, 2] }]);
  });

  it("returns values and metadata only when asked", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    await v.upsert([{ id: "a", values: [1, 0], metadata: { tag: "t" } }]);
    expect((await v.query([1, 0], { topK: 1 })).matches[0]).toEqual({ id: "a", score: 1 });
    expect((await v.query([1, 0], { topK: 1, returnValues: true, returnMetadata: "all" })).matches[0]).toEqual({
      id: "a",
      score: 1,
      values: [1, 0],
      metadata: { tag: "t" },
    });
  });

  it("deletes by id and describes the index", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "euclidean", name: "idx" });
    await v.upsert([
      { id: "a", values: [1, 0] },
      { id: "b", values: [0, 1] },
    ]);
    expect((await v.deleteByIds(["a", "zz"])).ids).toEqual(["a"]);
    expect((await v.query([1, 0], { topK: 5 })).matches.map((m) => m.id)).toEqual(["b"]);
    const info = await v.describe();
    expect(info).toMatchObject({ name: "idx", config: { dimensions: 2, metric: "euclidean" }, vectorsCount: 1, vectorCount: 1, dimensions: 2 });
  });

  it("with asyncMutations, writes are invisible to queries until processed", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine", asyncMutations: true });
    const m = await v.upsert([{ id: "a", values: [1, 0] }]);
    expect(m.mutationId).toMatch(/\S/);
    expect((await v.query([1, 0])).matches).toEqual([]);
    expect(v.pendingMutations).toBe(1);
    v.processMutations();
    expect((await v.query([1, 0])).matches.map((x) => x.id)).toEqual(["a"]);
    await v.deleteByIds(["a"]);
    expect((await v.query([1, 0])).count).toBe(1);
    v.processMutations();
    expect((await v.query([1, 0])).count).toBe(0);
  });

  it("queryById searches with a stored vector", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    await v.upsert([
      { id: "a", values: [1, 0] },
      { id: "b", values: [0.9, 0.1] },
      { id: "c", values: [0, 1] },
    ]);
    expect((await v.queryById("a", { topK: 2 })).matches.map((m) => m.id)).toEqual(["a", "b"]);
  });

  it("fails on demand, as the service does when unavailable, writing nothing, until the failures are used up or healed", async () => {
    const v = new FakeVectorize({ dimensions: 2, metric: "cosine" });
    v.failNext("upsert", 2);
    for (let i = 0; i < 2; i++) await expect(v.upsert([{ id: "a", values: [1, 0] }])).rejects.toThrow(/^VECTOR_UPSERT_ERROR: the service is unavailable/);
    expect(v.size).toBe(0);
    await v.upsert([{ id: "a", values: [1, 0] }]);
    expect(v.ids).toEqual(["a"]);
    v.failNext("deleteByIds", Infinity);
    v.failNext("query");
    await expect(v.deleteByIds(["a"])).rejects.toThrow(/VECTOR_DELETE_ERROR/);
    await expect(v.query([1, 0])).rejects.toThrow(/VECTOR_QUERY_ERROR/);
    expect((await v.query([1, 0])).count).toBe(1);
    await expect(v.deleteByIds(["a"])).rejects.toThrow(/VECTOR_DELETE_ERROR/);
    v.heal();
    await v.deleteByIds(["a"]);
    expect(v.size).toBe(0);
  });
});
