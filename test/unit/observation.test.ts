import { describe, expect, it } from "vitest";
import { buildObservation, OBSERVATION_MAX_BYTES, ObservationTooLarge, type ObservationInput, type ObservedSource } from "../../src/domain/observation";
import { canonicalize } from "../../src/encoding/canonical-json";
import { logEntry } from "../../src/log/entry";

const unknown = { "train-ai": "unknown", "draft-ai-use": "unknown", search: "unknown" } as const;
const source = (over: Partial<ObservedSource> = {}): ObservedSource => ({ kind: "content-usage-header", url: "https://a.example/x", status: "stated", statement: "train-ai=n", preferences: { ...unknown, "train-ai": "n" }, ...over });
const doc = (url: string, body = "User-agent: *\nAllow: /\n") => ({
  url,
  finalUrl: url,
  redirects: [],
  outcome: "ok" as const,
  status: 200,
  headers: { "content-type": "text/plain" },
  body: new TextEncoder().encode(body),
  truncated: false,
  sha256: "00".repeat(32),
  fetchedAt: "2026-12-06T12:00:00.000Z",
});
const input = (over: Partial<ObservationInput> = {}): ObservationInput => ({
  url: "https://A.example/x",
  userAgent: "optout-registry",
  observedAt: "2026-12-06T12:00:00.000Z",
  vocabulary: 2,
  documents: [doc("https://a.example/robots.txt")],
  sources: [source()],
  counted: (s) => s.status === "stated",
  ...over,
});

describe("buildObservation", () => {
  it("states what was read: the URL's host, each document's size and hash, each statement and what it said", () => {
    const o = buildObservation(input());
    expect(o).toMatchObject({ type: "OptOutObservation", version: 1, url: "https://a.example/x", host: "a.example", content_usage: "train-ai=n" });
    expect(o.documents[0]).toMatchObject({ url: "https://a.example/robots.txt", bytes: 23, status: 200, truncated: false });
    expect(o.preferences["train-ai"]).toBe("n");
  });

  it("combines only the sources that count (an unread source never allows)", () => {
    const o = buildObservation(input({ sources: [source({ status: "malformed", preferences: { ...unknown, "train-ai": "y" } }), source({ kind: "ai-txt", preferences: { ...unknown, search: "y" } })] }));
    expect(o.preferences).toEqual({ "train-ai": "unknown", "draft-ai-use": "unknown", search: "y" });
    expect(o.sources).toHaveLength(2);
  });

  it("stays within a log entry: statements, details, headers, sources and documents are bounded", () => {
    const long = "x".repeat(5000);
    const many = Array.from({ length: 200 }, (_, i) => source({ statement: long, detail: long, url: `https://a.example/${i}` }));
    const docs = Array.from({ length: 40 }, (_, i) => ({ ...doc(`https://a.example/d${i}`), headers: { link: long } }));
    const o = buildObservation(input({ sources: many, documents: docs }));
    expect(o.documents).toHaveLength(16);
    expect(o.documents[0]!.headers.link).toHaveLength(512);
    expect(o.sources[0]!.statement).toHaveLength(1024);
    expect(o.sources[0]!.detail).toHaveLength(256);
    expect(o.sources.length).toBeLessThan(48);
    expect(o.sources.length + o.omitted_sources!).toBe(200);
    expect(new TextEncoder().encode(canonicalize(o)).length).toBeLessThanOrEqual(OBSERVATION_MAX_BYTES);
    expect(buildObservation(input({ sources: many.slice(0, 3) })).omitted_sources).toBeUndefined();
    // Documents are what was fetched and are not dropped: more than an entry holds is refused.
    const longUrls = Array.from({ length: 16 }, (_, i) => ({ ...doc(`https://a.example/${i}/${long}`), redirects: [long, long] }));
    expect(() => buildObservation(input({ documents: longUrls }))).toThrow(ObservationTooLarge);
  });
});

describe("log entries name their record", () => {
  it("{ declaration, receipt } and { observation, receipt }; any other record is refused", () => {
    const receipt = { type: "R" };
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    expect(decode(logEntry({ type: "OptOutDeclaration", a: 1 }, receipt))).toBe('{"declaration":{"a":1,"type":"OptOutDeclaration"},"receipt":{"type":"R"}}');
    expect(decode(logEntry({ type: "OptOutObservation" }, receipt))).toBe('{"observation":{"type":"OptOutObservation"},"receipt":{"type":"R"}}');
    expect(() => logEntry({ type: "Something" }, receipt)).toThrow(/no log entry kind/);
    expect(() => logEntry({}, receipt)).toThrow(/no log entry kind/);
  });
});
