// The pieces of `optout scan` that need no registry: verdicts in both vocabularies, batching, retries over
// real HTTP, manifests (CSV, JSONL, Parquet; their work identifiers), the fingerprint cache and the kept answers.
import { createServer } from "node:http";
import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { encodeUnit, genIsccCodeV0, MainType } from "../../src/iscc/index";
import { AnswerCache } from "../../src/scan/answer-cache";
import { BatchQueue } from "../../src/scan/batch-queue";
import { Fifo } from "../../src/scan/fifo";
import { FingerprintCache } from "../../src/scan/fingerprint-cache";
import { postJson, retryAfterMs } from "../../src/scan/retrying-fetch";
import { identifiersByKind } from "../../src/scan/identifier-columns";
import { foldFeed, type RegistryChanges } from "../../src/scan/registry-changes";
import { scanItems } from "../../src/scan/scan-input";
import { mergeMatches, parseUse, verdictFor, type ItemMatch } from "../../src/scan/verdict";
import { xorshiftBytes } from "../support/seeded-random";

const dir = mkdtempSync(join(tmpdir(), "scan-parts-"));
const m = (id: string, vocabulary: number, preferences: Record<string, "y" | "n">, trust: ItemMatch["trust"] = "self-asserted"): ItemMatch => ({
  declaration: id,
  matched: [{ by: "datahash", declared: "1e20" }],
  trust,
  vocabulary,
  preferences,
});

describe("verdicts", () => {
  it("n for the use excludes, y allows, nothing stated is unknown; any n wins", () => {
    expect(verdictFor([], "train-ai")).toEqual({ verdict: "unknown", preference: "unknown" });
    expect(verdictFor([m("a", 2, { "train-ai": "n" })], "train-ai").verdict).toBe("excluded");
    expect(verdictFor([m("a", 2, { "train-ai": "y" }, "domain-verified")], "train-ai").verdict).toBe("allowed");
    // a y nobody verified for the subject is not consent (src/domain/consent.ts); an n from anyone is
    expect(verdictFor([m("a", 2, { "train-ai": "y" })], "train-ai").verdict).toBe("unknown");
    expect(verdictFor([m("a", 2, { "train-ai": "y" }, "controller-verified")], "train-ai").verdict).toBe("unknown");
    expect(verdictFor([m("a", 2, { "train-ai": "y" }, "domain-verified"), m("b", 2, { "train-ai": "n" })], "train-ai").verdict).toBe("excluded");
    expect(verdictFor([m("a", 2, { "train-ai": "n" })], "search").verdict).toBe("unknown");
  });

  it("vocabulary 1 declarations keep their meaning: all=n reserves every use, train-genai=n reserves train-ai", () => {
    expect(verdictFor([m("a", 1, { all: "n" })], "search").verdict).toBe("excluded");
    expect(verdictFor([m("a", 1, { "train-genai": "n" })], "train-ai").verdict).toBe("excluded");
    expect(verdictFor([m("a", 1, { search: "y" }, "domain-verified")], "search").verdict).toBe("allowed");
  });

  it("--use takes only categories of the current vocabulary", () => {
    expect(parseUse("search")).toBe("search");
    expect(() => parseUse("train-genai")).toThrow(/--use must be one of train-ai, draft-ai-use, search/);
  });

  it("one entry per declaration, with every subject that matched and the strongest trust label", () => {
    const merged = mergeMatches([m("a", 2, {}), { ...m("a", 2, {}, "domain-verified"), matched: [{ by: "url", pattern: "https://x/*", kind: "prefix" }] }, m("b", 2, {})]);
    expect(merged).toHaveLength(2);
    expect(merged[0]).toMatchObject({ declaration: "a", trust: "domain-verified" });
    expect(merged[0]!.matched).toHaveLength(2);
  });
});

describe("the worker pool's queue", () => {
  it("gives items back in the order they came, across the compactions of its array", () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    let next = 0;
    // more in than out, then drained: the taken prefix is dropped several times on the way
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3000; i++) q.push(next++);
      for (let i = 0; i < 2000; i++) out.push(q.take());
    }
    while (q.length) out.push(q.take());
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(q.length).toBe(0);
  });
});

describe("batches", () => {
  it("sends full batches as they fill and the rest on flush, answering every caller", async () => {
    const sizes: number[] = [];
    const q = new BatchQueue<number, number>(3, 1, async (batch) => {
      sizes.push(batch.length);
      return batch.map((x) => x * 10);
    });
    const answers = Promise.all([1, 2, 3, 4, 5, 6, 7].map((x) => q.enqueue(x)));
    await q.flush();
    expect(await answers).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(sizes).toEqual([3, 3, 1]);
  });

  it("asks a query queued or in flight once, and again once it is answered", async () => {
    const sent: number[][] = [];
    const q = new BatchQueue<number, number>(2, 1, async (batch) => {
      sent.push(batch);
      return batch.map((x) => x * 10);
    });
    const first = Promise.all([1, 2, 1, 3, 2, 1].map((x) => q.enqueue(x)));
    await q.flush();
    expect(await first).toEqual([10, 20, 10, 30, 20, 10]);
    const again = q.enqueue(1);
    await q.flush();
    expect(await again).toBe(10);
    expect(sent).toEqual([[1, 2], [3], [1]]);
  });

  it("never stalls when thousands of callers queue at once and batches finish out of order", async () => {
    let inFlight = 0;
    let most = 0;
    const q = new BatchQueue<number, number>(10, 2, async (batch) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, batch[0]! % 3));
      inFlight--;
      return batch.map((x) => -x);
    });
    const all = Promise.all(Array.from({ length: 5003 }, (_, i) => q.enqueue(i)));
    await q.flush();
    const answers = await all;
    expect(answers).toHaveLength(5003);
    expect(answers[5002]).toBe(-5002);
    expect(most).toBe(2);
  });
});

describe("retries", () => {
  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it("retries 429 (honouring Retry-After) and 503, and gives up on a 4xx at once", async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      calls++;
      if (req.url === "/bad") return res.writeHead(422, { "content-type": "application/json" }).end('{"title":"no"}');
      if (calls === 1) return res.writeHead(429, { "retry-after": "0" }).end();
      if (calls === 2) return res.writeHead(503).end();
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    const retried: number[] = [];
    const policy = { retries: 3, baseMs: 10, maxMs: 50, onRetry: (_: string, n: number) => retried.push(n) };
    try {
      expect(await postJson(base, "ok", {}, policy)).toEqual({ ok: true });
      expect(retried).toEqual([1, 2]);
      calls = 10;
      await expect(postJson(base, "bad", {}, policy)).rejects.toThrow(/HTTP 422/);
      expect(calls).toBe(11);
    } finally {
      server.close();
    }
  });
});

describe("inputs", () => {
  it("reads CSV and JSONL manifests, paths relative to the manifest, and names a row without path or url", async () => {
    writeFileSync(join(dir, "m.csv"), "url,path\nhttps://a.example/1,x/1.png\n,\"/abs/2.png\"\n");
    const items = [];
    for await (const i of scanItems(join(dir, "m.csv"))) items.push(i);
    expect(items).toEqual([
      { index: 0, path: join(dir, "x/1.png"), url: "https://a.example/1" },
      { index: 1, path: "/abs/2.png" },
    ]);
    writeFileSync(join(dir, "m.jsonl"), '{"url":"https://a.example/1"}\n{"caption":"no subject"}\n');
    const it = scanItems(join(dir, "m.jsonl"));
    expect((await it.next()).value).toEqual({ index: 0, url: "https://a.example/1" });
    await expect(it.next()).rejects.toThrow(/m.jsonl:2: the row has no path, url or identifier/);
  });

  it("reads work identifiers from an identifiers column and from columns named for a kind, as the row spells them", async () => {
    writeFileSync(join(dir, "ids.csv"), 'path,identifiers,isrc\nx.mp3,"isrc:US-RC1-76-07839 doi:10.1000/182",\n,,GBAYE0000001\n');
    const csv = [];
    for await (const i of scanItems(join(dir, "ids.csv"))) csv.push(i);
    expect(csv).toEqual([
      { index: 0, path: join(dir, "x.mp3"), identifiers: ["isrc:US-RC1-76-07839", "doi:10.1000/182"] },
      { index: 1, identifiers: ["isrc:GBAYE0000001"] },
    ]);
    writeFileSync(join(dir, "ids.jsonl"), '{"identifiers":{"isbn":["0-306-40615-2"],"iswc":"T-034.524.680-1"}}\n{"url":"https://a.example/1","identifiers":["isni:0000 0001 2103 2683"],"doi":["10.1000/1","10.1000/2"]}\n');
    const jsonl = [];
    for await (const i of scanItems(join(dir, "ids.jsonl"))) jsonl.push(i);
    expect(jsonl).toEqual([
      { index: 0, identifiers: ["isbn:0-306-40615-2", "iswc:T-034.524.680-1"] },
      { index: 1, url: "https://a.example/1", identifiers: ["isni:0000 0001 2103 2683", "doi:10.1000/1", "doi:10.1000/2"] },
    ]);
    const parquet = parquetWriteBuffer({ columnData: [{ name: "isrc", data: ["USRC17607839", null] }, { name: "url", data: [null, "https://a.example/2"] }] });
    writeFileSync(join(dir, "ids.parquet"), new Uint8Array(parquet));
    const pq = [];
    for await (const i of scanItems(join(dir, "ids.parquet"))) pq.push(i);
    expect(pq).toEqual([
      { index: 0, identifiers: ["isrc:USRC17607839"] },
      { index: 1, url: "https://a.example/2" },
    ]);
  });

  it("turns a catalog row's identifiers into a declaration's member: canonical, by kind, each once; a bad one names its token", () => {
    expect(identifiersByKind(["isbn:0-306-40615-2", "ISBN:978-0-306-40615-7", "isrc:us-rc1-76-07839", "doi:https://doi.org/10.1000/abc"])).toEqual({
      isbn: ["9780306406157"],
      isrc: ["USRC17607839"],
      doi: ["10.1000/ABC"],
    });
    expect(() => identifiersByKind(["iswc:T-034.524.680-2"])).toThrow("iswc:T-034.524.680-2: check digit is 2, expected 1");
    expect(() => identifiersByKind(["ean:4006381333931"])).toThrow(/ean:4006381333931: expected kind:value/);
  });

  it("reads a Parquet manifest row group by row group, with only the path and url columns", async () => {
    const n = 2500;
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: "caption", data: Array.from({ length: n }, (_, i) => `caption ${i}`) },
        { name: "url", data: Array.from({ length: n }, (_, i) => `https://img.example/${i}.jpg`) },
        { name: "path", data: Array.from({ length: n }, (_, i) => (i % 2 ? `shard/${i}.jpg` : null)) },
      ],
      rowGroupSize: 1000,
    });
    writeFileSync(join(dir, "m.parquet"), new Uint8Array(buffer));
    const items = [];
    for await (const i of scanItems(join(dir, "m.parquet"))) items.push(i);
    expect(items).toHaveLength(n);
    expect(items[0]).toEqual({ index: 0, url: "https://img.example/0.jpg" });
    expect(items[2499]).toEqual({ index: 2499, path: join(dir, "shard/2499.jpg"), url: "https://img.example/2499.jpg" });
  });
});

describe("fingerprint cache", () => {
  it("finds a file again only with the same path, size and mtime; survives a reopen; keeps no partial results", async () => {
    const file = join(dir, "cache.jsonl");
    const r = { iscc: "ISCC:X", datahash: "1e20", units: { data: "d", instance: "i" }, kind: "binary" as const, mediatype: "application/octet-stream", filesize: 3 };
    const c = await FingerprintCache.open(file);
    c.put("/a", 3, 1000, r);
    c.put("/b", 3, 1000, { ...r, notComputed: { unit: "Content-Code Audio", reason: "fpcalc is not installed" } });
    await c.flush();
    const again = await FingerprintCache.open(file);
    expect(again.get("/a", 3, 1000)).toEqual(r);
    expect(again.get("/a", 3, 1001)).toBeUndefined();
    expect(again.get("/a", 4, 1000)).toBeUndefined();
    expect(again.get("/b", 3, 1000)).toBeUndefined();
    // a line cut by a crash is skipped, the rest kept; a later line for the same path wins
    appendFileSync(file, JSON.stringify({ p: "/a", s: 4, m: 2000, r }) + "\n" + '{"p":"/c","s":3,');
    const third = await FingerprintCache.open(file);
    expect(third.get("/a", 3, 1000)).toBeUndefined();
    expect(third.get("/a", 4, 2000)).toEqual(r);
    expect(third.size).toBe(1);
  });
});

describe("kept answers", () => {
  const empty = (): RegistryChanges => ({ upTo: 0, ended: new Set<string>(), declared: { version: 0, createdAt: 0, registry: "", declarations: [], units: [], datahashes: [] } });
  const code = (seed: number) => genIsccCodeV0([1, 2].map((k) => encodeUnit(k === 1 ? MainType.DATA : MainType.INSTANCE, 0, 0, 64, xorshiftBytes(8, seed * 10 + k)))).iscc;

  it("reads what the feed says changed: superseded ids, declared units and datahashes; mandates change nothing; anything else is not understood", () => {
    const c = empty();
    expect(
      foldFeed(c, [
        { seq: 5, declaration: { iscc: code(1), datahash: `1e20${"ab".repeat(32)}` }, receipt: { id: "ISCC:MAI5" } },
        { seq: 6, declaration: { supersedes: "ISCC:MAI1" }, receipt: { id: "ISCC:MAI6" } },
        { seq: 7, declaration: { urls: ["https://a.example/*"], supersedes: "ISCC:MAI2" } as object, receipt: { id: "ISCC:MAI7" } },
        { seq: 8, mandate: {}, receipt: { id: "ISCC:MAI8" } },
      ]),
    ).toBe(true);
    expect([...c.ended]).toEqual(["ISCC:MAI1", "ISCC:MAI2"]);
    expect(c.declared.units.map((u) => u.unitType)).toEqual(["DATA-NONE-V0", "INSTANCE-NONE-V0"]);
    expect(c.declared.datahashes).toHaveLength(1);
    expect(foldFeed(empty(), [{ seq: 9, receipt: {} }])).toBe(false);
    expect(foldFeed(empty(), [{ seq: 9, declaration: { iscc: "ISCC:NOT-A-CODE" }, receipt: {} }])).toBe(false);
  });

  it("keeps answers per source, rewritten whole; another source or a damaged file vouches for none", async () => {
    const file = join(dir, "fp.answers-x.jsonl");
    expect(AnswerCache.fileFor(join(dir, "fp.jsonl"), "x")).toBe(file);
    const a = await AnswerCache.open(file, "registry A");
    expect(a.loaded).toBeNull();
    a.put(code(1), [m("ISCC:MAI1", 1, { "train-ai": "n" })]);
    a.put(code(2), []);
    await a.save({ version: 7, anchor: "ISCC:MAI7", max_distance: 12 });
    const b = await AnswerCache.open(file, "registry A");
    expect(b.loaded).toEqual({ version: 7, anchor: "ISCC:MAI7", max_distance: 12 });
    expect(b.get(code(1))).toEqual([m("ISCC:MAI1", 1, { "train-ai": "n" })]);
    expect(b.drop((_, matches) => matches.length > 0)).toBe(1);
    expect([b.get(code(1)), b.get(code(2))]).toEqual([undefined, []]);
    expect((await AnswerCache.open(file, "registry B")).size).toBe(0);
    appendFileSync(file, '["ISCC:X",[{"decl');
    expect((await AnswerCache.open(file, "registry A")).loaded).toBeNull();
    await b.save(null);
    expect(existsSync(file)).toBe(false);
  });
});
