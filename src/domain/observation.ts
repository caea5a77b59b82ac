/**
 * A notarized observation: what this registry itself fetched from an origin about one URL, when,
 * and the SHA-256 of every body it read — signed by the registry and appended to the transparency
 * log like a declaration, so a rightsholder can later prove that a reservation was published at a
 * given time. Built from what `siteSignals` (src/check) read; pure.
 *
 * An observation states facts about bytes, not their meaning alone: each document keeps its URL,
 * the URL that answered, redirects, status, the preference headers, byte count and hash; each
 * statement read keeps its raw text and what it said in the vocabulary of the day. It is bounded so
 * that its log entry stays within the 65,535 bytes a tlog-tiles entry bundle can carry: statements
 * are cut at 1,024 characters, details at 256, headers at 512; at most 16 documents are kept, and
 * at most 48 sources, fewer when they would not fit (`omitted_sources` counts the rest).
 */
import type { FetchedDocument } from "./fetched-document";
import { canonicalize } from "../encoding/canonical-json";
import { combinePreferences, contentUsageHeader, type ResolvedPreferences } from "./preferences";

export interface ObservedDocument {
  url: string;
  final_url: string;
  redirects: string[];
  outcome: "ok" | "unreachable";
  status: number | null;
  /** The headers that carry preferences or describe the body, as received. */
  headers: Record<string, string>;
  /** Bytes read (at most the fetch limit), their SHA-256, and whether the body was longer. */
  bytes: number;
  sha256: string;
  truncated: boolean;
  fetched_at: string;
  error?: string;
}

export interface ObservedSource {
  kind: string;
  url: string;
  status: string;
  statement: string | null;
  preferences: ResolvedPreferences;
  detail?: string;
}

export interface Observation {
  type: "OptOutObservation";
  version: 1;
  url: string;
  /** host[:port] of `url`, lower case: what GET /v1/observations?host= selects on. */
  host: string;
  user_agent: string;
  observed_at: string;
  /** The vocabulary `preferences` and every source's are in. */
  vocabulary: number;
  documents: ObservedDocument[];
  sources: ObservedSource[];
  /** What the site's statements combine to (AIPREF's rule over the sources that count). */
  preferences: ResolvedPreferences;
  content_usage: string;
  /** How many sources were read but not listed (beyond MAX_SOURCES, or beyond what one log entry holds). */
  omitted_sources?: number;
}

/** The bytes an entry bundle can hold for one entry, minus room for the receipt beside it. */
export const OBSERVATION_MAX_BYTES = 60_000;
const MAX_SOURCES = 48;
const MAX_DOCUMENTS = 16;

const byteLength = (s: string) => new TextEncoder().encode(s).length;
const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

export class ObservationTooLarge extends Error {
  constructor(bytes: number) {
    super(`the observation is ${bytes} bytes, more than a log entry holds (${OBSERVATION_MAX_BYTES})`);
  }
}

export interface ObservationInput<S extends ObservedSource = ObservedSource> {
  url: string;
  userAgent: string;
  observedAt: string;
  vocabulary: number;
  documents: FetchedDocument[];
  sources: S[];
  /** The sources that count towards `preferences` (as the check's verdict counts them). */
  counted: (s: S) => boolean;
}

export function buildObservation<S extends ObservedSource>(input: ObservationInput<S>): Observation {
  const url = new URL(input.url);
  const documents: ObservedDocument[] = input.documents.slice(0, MAX_DOCUMENTS).map((d) => ({
    url: d.url,
    final_url: d.finalUrl,
    redirects: d.redirects,
    outcome: d.outcome,
    status: d.status,
    headers: Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k, cut(v, 512)])),
    bytes: d.body.length,
    sha256: d.sha256,
    truncated: d.truncated,
    fetched_at: d.fetchedAt,
    ...(d.error !== undefined ? { error: cut(d.error, 256) } : {}),
  }));
  const bounded: ObservedSource[] = input.sources.slice(0, MAX_SOURCES).map((s) => ({
    kind: s.kind,
    url: s.url,
    status: s.status,
    statement: s.statement === null ? null : cut(s.statement, 1024),
    preferences: s.preferences,
    ...(s.detail !== undefined ? { detail: cut(s.detail, 256) } : {}),
  }));
  const preferences = combinePreferences(input.sources.filter(input.counted).map((s) => s.preferences));
  const observation: Observation = {
    type: "OptOutObservation",
    version: 1,
    url: url.href,
    host: url.host,
    user_agent: input.userAgent,
    observed_at: input.observedAt,
    vocabulary: input.vocabulary,
    documents,
    sources: [],
    preferences,
    content_usage: contentUsageHeader(preferences),
  };
  // Sources in the order read while they fit (room is kept for `omitted_sources`); `preferences`
  // still combines every source, and says how many are not shown.
  let size = byteLength(canonicalize(observation)) + 32;
  if (size > OBSERVATION_MAX_BYTES) throw new ObservationTooLarge(size);
  for (const s of bounded) {
    const n = byteLength(canonicalize(s)) + (observation.sources.length ? 1 : 0);
    if (size + n > OBSERVATION_MAX_BYTES) break;
    observation.sources.push(s);
    size += n;
  }
  if (observation.sources.length < input.sources.length) observation.omitted_sources = input.sources.length - observation.sources.length;
  return observation;
}
