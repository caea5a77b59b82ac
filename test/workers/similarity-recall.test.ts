/**
 * Recall of both similarity backends against brute force, over a seeded corpus in the real D1
 * iscc_units table. The Vectorize backend runs against FakeVectorize (exact top-K, see
 * test/fakes/vectorize-fake.ts): these tests check the backend's own logic (vectors, namespaces,
 * topK, score filter, D1 re-check), not the recall of the real approximate index.
 */
import { env } from "cloudflare:test";
import { bytesToHex } from "@noble/hashes/utils.js";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeUnit, MainType } from "../../src/iscc/index";
import { bandsOf, DEFAULT_MAX_DISTANCE, distance64, MAX_DISTANCE } from "../../src/similarity/bands";
import { D1SimilarityIndex } from "../../src/similarity/d1-index";
import type { IndexedUnit, SimilarityIndex, UnitHit, UnitQuery } from "../../src/similarity/similarity-index";
import { VECTORIZE_TOP_K, VectorizeSimilarityIndex } from "../../src/similarity/vectorize-index";
import { FakeVectorize } from "../fakes/vectorize-fake";
import { prng, type Rng } from "../support/seeded-random";

interface UnitType {
  name: string;
  maintype: MainType;
  subtype: number;
}
const T = {
  contentImage: { name: "CONTENT-IMAGE-V0", maintype: MainType.CONTENT, subtype: 1 },
  contentText: { name: "CONTENT-TEXT-V0", maintype: MainType.CONTENT, subtype: 0 },
  contentAudio: { name: "CONTENT-AUDIO-V0", maintype: MainType.CONTENT, subtype: 2 },
  semanticImage: { name: "SEMANTIC-IMAGE-V0", maintype: MainType.SEMANTIC, subtype: 1 },
  data: { name: "DATA-NONE-V0", maintype: MainType.DATA, subtype: 0 },
  meta: { name: "META-NONE-V0", maintype: MainType.META, subtype: 0 },
  instance: { name: "INSTANCE-NONE-V0", maintype: MainType.INSTANCE, subtype: 0 },
} satisfies Record<string, UnitType>;

function flip(body: Uint8Array, bits: Iterable<number>): Uint8Array {
  const out = Uint8Array.from(body);
  for (const b of bits) out[b >> 3]! ^= 0x80 >> (b & 7);
  return out;
}

/** d distinct bit positions of the first 64: spread evenly over the 4 bands (the hardest case for
 *  multi-index hashing: no band differs in fewer than floor(d/4) bits), or at random. */
function positions(rng: Rng, d: number, spread: boolean): number[] {
  if (spread) {
    const out: number[] = [];
    for (let i = 0; i < d; i++) out.push((i % 4) * 16 + Math.floor(i / 4) * 3 + rng.int(3));
    return out;
  }
  const set = new Set<number>();
  while (set.size < d) set.add(rng.int(64));
  return [...set];
}

interface Row {
  seq: number;
  unit_type: string;
  code: string;
  body_hex: string;
}

const rows: Row[] = [];
function add(type: UnitType, body: Uint8Array, bits = body.length * 8): Row {
  const r = { seq: rows.length + 1, unit_type: type.name, code: encodeUnit(type.maintype, type.subtype, 0, bits, body), body_hex: bytesToHex(body.subarray(0, bits / 8)) };
  rows.push(r);
  return r;
}

/** Inserts rows into iscc_units through json_each, 500 per statement, in one D1 batch. */
async function insertRows(rs: Row[]): Promise<void> {
  const stmts: D1PreparedStatement[] = [];
  for (let i = 0; i < rs.length; i += 500) {
    const chunk = rs.slice(i, i + 500).map((r) => {
      const b = bandsOf(hexBytes(r.body_hex));
      return [r.seq, r.unit_type, r.code, r.body_hex, ...b];
    });
    stmts.push(
      env.DB.prepare(
        `INSERT INTO iscc_units (seq, unit_type, code, body_hex, b0, b1, b2, b3)
         SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 FROM json_each(?1)`,
      ).bind(JSON.stringify(chunk)),
    );
  }
  await env.DB.batch(stmts);
}

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
const key = (h: UnitHit) => `${h.seq}|${h.code}|${h.distance}`;
const sorted = (hs: UnitHit[]) => hs.map(key).sort();

/** Ground truth from every row in the table, not from the generator's intentions. */
let table: Row[] = [];
function bruteForce(q: UnitQuery, maxDistance: number): UnitHit[] {
  const qhex = bytesToHex(q.body);
  const out: UnitHit[] = [];
  for (const r of table) {
    if (r.unit_type !== q.unitType) continue;
    if (q.exact) {
      const n = Math.min(qhex.length, r.body_hex.length);
      if (qhex.slice(0, n) === r.body_hex.slice(0, n)) out.push({ seq: r.seq, code: r.code, distance: 0 });
    } else {
      const d = distance64(q.body, hexBytes(r.body_hex));
      if (d <= maxDistance) out.push({ seq: r.seq, code: r.code, distance: d });
    }
  }
  return out;
}

// ---- the corpus ------------------------------------------------------------------------------
const rng = prng(0x15cc);
const QUERIES_PER_TYPE = 12;
const PLANT_MAX = MAX_DISTANCE + 2;
const queries: UnitQuery[] = [];
for (const type of [T.contentImage, T.contentText]) {
  for (let q = 0; q < QUERIES_PER_TYPE; q++) {
    const body = rng.bytes(8);
    queries.push({ unitType: type.name, body, exact: false });
    for (let d = 0; d <= PLANT_MAX; d++) {
      for (const spread of [true, false]) {
        const near = flip(body, positions(rng, d, spread));
        // Some neighbours are 128- or 256-bit units: they compare by their first 64 bits.
        const bits = [64, 64, 128, 256][rng.int(4)]!;
        const full = new Uint8Array(bits / 8);
        full.set(near);
        full.set(rng.bytes(bits / 8 - 8), 8);
        add(type, full, bits);
        // The same body under other unit types must never match a query of this type.
        add([T.semanticImage, T.data, T.meta, type === T.contentImage ? T.contentText : T.contentImage][rng.int(4)]!, near, 64);
      }
    }
  }
}
// Instance units: exact on the common prefix, 64 vs 128 vs 256 bits.
const inst = rng.bytes(32);
const instRows = {
  i64: add(T.instance, inst.subarray(0, 8), 64),
  i128: add(T.instance, inst.subarray(0, 16), 128),
  i256: add(T.instance, inst, 256),
  i128OtherTail: add(T.instance, Uint8Array.from([...inst.subarray(0, 8), ...rng.bytes(8)]), 128),
  i64OneBitOff: add(T.instance, flip(inst.subarray(0, 8), [63]), 64),
  i128OneBitOffInTail: add(T.instance, flip(inst.subarray(0, 16), [100]), 128),
  i32: add(T.instance, inst.subarray(0, 4), 32),
  i32OneBitOff: add(T.instance, flip(inst.subarray(0, 4), [31]), 32),
};
add(T.data, inst.subarray(0, 8), 64); // same bytes, another type
// A dense cluster for the topK truncation test: 150 neighbours within MAX_DISTANCE of one query.
const dense = rng.bytes(8);
for (let d = 1; d <= MAX_DISTANCE; d++) for (let k = 0; k < 10; k++) add(T.contentAudio, flip(dense, positions(rng, d, false)), 64);
// Background noise up to 3,000 units, over every type.
const noiseTypes = [T.contentImage, T.contentText, T.contentAudio, T.semanticImage, T.data, T.meta, T.instance];
while (rows.length < 3000) add(noiseTypes[rng.int(noiseTypes.length)]!, rng.bytes(8), 64);

// ---- the backends ----------------------------------------------------------------------------
let fake: FakeVectorize;
let backends: [string, SimilarityIndex][] = [];

beforeAll(async () => {
  await insertRows(rows);
  table = (await env.DB.prepare("SELECT seq, unit_type, code, body_hex FROM iscc_units").all<Row>()).results;
  fake = new FakeVectorize({ dimensions: 64, metric: "cosine" });
  const vectorize = new VectorizeSimilarityIndex(fake, env.DB);
  const units: IndexedUnit[] = table.map((r) => ({ seq: r.seq, unitType: r.unit_type, code: r.code, bodyHex: r.body_hex }));
  await vectorize.update({ add: units, remove: [] });
  backends = [
    ["d1", new D1SimilarityIndex(env.DB)],
    ["vectorize (FakeVectorize)", vectorize],
  ];
});

describe("similarity recall against brute force", () => {
  it("the corpus is what the tests assume", async () => {
    expect(table).toHaveLength(3000);
    // Instance units match exactly from D1; every other unit has a vector.
    expect(fake.size).toBe(table.filter((r) => !r.unit_type.startsWith("INSTANCE-")).length);
    expect(fake.size).toBeGreaterThan(2500);
    // Every similarity query has its planted neighbours, and few enough that topK = 100 cannot truncate.
    for (const q of queries) {
      const within = bruteForce(q, MAX_DISTANCE);
      expect(within.length).toBeGreaterThanOrEqual(2 * (MAX_DISTANCE + 1));
      expect(within.length).toBeLessThanOrEqual(VECTORIZE_TOP_K);
      expect(new Set(within.map((h) => h.distance))).toEqual(new Set(Array.from({ length: MAX_DISTANCE + 1 }, (_, d) => d)));
    }
  });

  it.each(Array.from({ length: MAX_DISTANCE + 1 }, (_, d) => d))("finds exactly the brute-force hits at max distance %i, on both backends", async (d) => {
    const expected = queries.map((q) => sorted(bruteForce(q, d)));
    for (const [name, index] of backends) {
      const got = await index.search(queries, d);
      expect(got, name).toHaveLength(queries.length);
      got.forEach((hits, i) => expect(sorted(hits), `${name}, query ${i}, distance ${d}`).toEqual(expected[i]));
    }
    // The planted neighbours at d + 1 and d + 2 exist and were (rightly) not returned.
    const beyond = queries.map((q) => bruteForce(q, d + 2).length - bruteForce(q, d).length);
    expect(beyond.every((n) => n >= 4)).toBe(true);
  });

  it("never matches across unit types, though the same bodies are stored under other types", async () => {
    for (const [name, index] of backends) {
      const got = await index.search(queries, MAX_DISTANCE);
      got.forEach((hits, i) => {
        const seqs = new Set(hits.map((h) => h.seq));
        for (const r of table) if (seqs.has(r.seq)) expect(r.unit_type, name).toBe(queries[i]!.unitType);
      });
    }
    // ...and the other types do hold bodies within range of the queries, so this could fail.
    const crossType = queries.map((q) => bruteForce({ ...q, unitType: T.semanticImage.name }, MAX_DISTANCE).length + bruteForce({ ...q, unitType: T.data.name }, MAX_DISTANCE).length);
    expect(crossType.reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
  });

  it("matches instance units exactly on their common prefix (32, 64, 128 and 256 bits)", async () => {
    const q = (bytes: number): UnitQuery => ({ unitType: T.instance.name, body: inst.subarray(0, bytes), exact: true });
    const qs = [q(8), q(16), q(32), { unitType: T.instance.name, body: flip(inst.subarray(0, 8), [0]), exact: true }, q(4)];
    const { i32, i64, i128, i256, i128OtherTail, i128OneBitOffInTail, i64OneBitOff } = instRows;
    const expected = [
      [i32, i64, i128, i256, i128OtherTail, i128OneBitOffInTail],
      [i32, i64, i128, i256],
      [i32, i64, i128, i256],
      [],
      [i32, i64, i128, i256, i128OtherTail, i128OneBitOffInTail, i64OneBitOff],
    ].map((rs) => rs.map((r) => `${r.seq}|${r.code}|0`).sort());
    qs.forEach((x, i) => expect(sorted(bruteForce(x, 0))).toEqual(expected[i]));
    for (const [name, index] of backends)
      for (const d of [0, MAX_DISTANCE]) {
        const got = await index.search(qs, d);
        got.forEach((hits, i) => expect(sorted(hits), `${name}, instance query ${i}, d=${d}`).toEqual(expected[i]));
      }
  });
});

describe("Vectorize topK truncation, shown honestly", () => {
  const q: UnitQuery = { unitType: T.contentAudio.name, body: dense, exact: false };

  it("with more than 100 true neighbours, Vectorize recall is below 1 but it never returns a false positive", async () => {
    const [, vectorize] = backends[1]!;
    const truth = bruteForce(q, MAX_DISTANCE);
    expect(truth.length).toBeGreaterThanOrEqual(150);
    const [d1Hits] = await backends[0]![1].search([q], MAX_DISTANCE);
    expect(sorted(d1Hits!)).toEqual(sorted(truth));

    const [vHits] = await vectorize.search([q], MAX_DISTANCE);
    const recall = vHits!.length / truth.length;
    expect(vHits!.length).toBe(VECTORIZE_TOP_K);
    expect(recall).toBeLessThan(1);
    const truthKeys = new Set(truth.map(key));
    for (const h of vHits!) expect(truthKeys.has(key(h)), `false positive ${key(h)}`).toBe(true);
    // With the fake's exact ranking the 100 kept are the nearest: nothing missed is closer than anything kept.
    const kept = new Set(vHits!.map(key));
    const worstKept = Math.max(...vHits!.map((h) => h.distance));
    const bestMissed = Math.min(...truth.filter((h) => !kept.has(key(h))).map((h) => h.distance));
    expect(bestMissed).toBeGreaterThanOrEqual(worstKept);
  });

  it("below the topK, the same dense query is complete again", async () => {
    const [, vectorize] = backends[1]!;
    for (const d of [0, 3, 6, 9]) {
      const truth = bruteForce(q, d);
      expect(truth.length).toBeLessThanOrEqual(VECTORIZE_TOP_K);
      const [hits] = await vectorize.search([q], d);
      expect(sorted(hits!), `d=${d}`).toEqual(sorted(truth));
    }
  });

  it("asks Vectorize for topK 100 without values or metadata, in the unit type's namespace", async () => {
    const before = fake.queries.length;
    await backends[1]![1].search([q, queries[0]!], MAX_DISTANCE);
    expect(fake.queries.length).toBe(before + 2);
    for (const { options } of fake.queries) {
      expect(options).toMatchObject({ topK: 100, returnValues: false, returnMetadata: "none" });
      expect(Object.values(T).map((t) => t.name)).toContain(options.namespace);
    }
  });
});

describe("Vectorize scores are approximate", () => {
  // Without returnValues: true, Vectorize returns approximate scores ("Using approximate scoring,
  // returned scores will be an approximation of the real distance/similarity ... this is the query's
  // default", https://developers.cloudflare.com/vectorize/best-practices/query-vectors/). This binding
  // wraps the fake and understates every score by 0.02 (less than a third of one bit, 2/64).
  // The backend must still return every true hit: candidates are judged by their stored codes in D1.
  it("keeps every candidate whose approximate score understates its similarity", async () => {
    const understating = {
      query: async (v: number[], o: VectorizeQueryOptions) => {
        const r = await fake.query(v, o);
        return { ...r, matches: r.matches.map((m) => ({ ...m, score: m.score - 0.02 })) };
      },
    } as unknown as VectorizeIndex;
    const index = new VectorizeSimilarityIndex(understating, env.DB);
    for (const d of [0, 7, DEFAULT_MAX_DISTANCE, MAX_DISTANCE]) {
      const got = await index.search(queries, d);
      got.forEach((hits, i) => expect(sorted(hits), `query ${i}, distance ${d}`).toEqual(sorted(bruteForce(queries[i]!, d))));
    }
  });
});
