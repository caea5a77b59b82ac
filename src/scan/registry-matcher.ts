/**
 * Matching scanned items against a registry over HTTP: ISCC-CODEs through POST /v1/match in batches of
 * 1,000 (the registry decomposes each code and matches its units by similarity, its instance unit also
 * against declared datahashes), URLs and work identifiers through POST /v1/lookup in batches of 10,000.
 * All retry on 429 and 5xx (retrying-fetch.ts). Answers become ItemMatch lists (verdict.ts).
 */
import { BatchQueue } from "./batch-queue";
import { postJson, type RetryPolicy } from "./retrying-fetch";
import type { ItemMatch, TrustLabel } from "./verdict";

export const MATCH_BATCH = 1_000;
export const LOOKUP_BATCH = 10_000;

interface Citation {
  id: string;
  controller_verified: boolean;
  vocabulary: number;
  preferences: Record<string, "y" | "n">;
}

interface MatchAnswer {
  max_distance: number;
  registry_version?: number;
  results: {
    iscc: string;
    error?: { detail: string };
    matches?: { declaration: Citation; decides: boolean; units: { unit_type: string; declared: string; distance: number }[] }[];
  }[];
}

interface LookupAnswer {
  results: {
    url: string;
    error?: { detail: string };
    declarations?: { id: string; pattern: string; kind: string; verification: TrustLabel; vocabulary: number; preferences: Record<string, "y" | "n"> }[];
  }[];
}

interface IdentifierAnswer {
  identifiers: {
    identifier: string;
    error?: { detail: string };
    declarations?: { id: string; identifier: string; verification: TrustLabel; vocabulary: number; preferences: Record<string, "y" | "n"> }[];
  }[];
}

/** Per item: its matches, or why the registry refused the query. */
export type Found = { matches: ItemMatch[] } | { error: string };

const trustOf = (c: Citation): TrustLabel => (c.controller_verified ? "controller-verified" : "self-asserted");

/** A declared datahash is a multihash (`1e20…`); every other declared subject a unit is matched to is an ISCC unit. */
export function fromMatchResult(r: MatchAnswer["results"][number]): Found {
  if (r.error) return { error: r.error.detail };
  return {
    matches: (r.matches ?? [])
      .filter((m) => m.decides)
      .map((m) => ({
        declaration: m.declaration.id,
        matched: m.units.map((u) =>
          u.declared.startsWith("1e20")
            ? { by: "datahash" as const, declared: u.declared }
            : { by: "iscc" as const, unit_type: u.unit_type, declared: u.declared, distance: u.distance },
        ),
        trust: trustOf(m.declaration),
        vocabulary: m.declaration.vocabulary,
        preferences: m.declaration.preferences,
      })),
  };
}

export function fromLookupResult(r: LookupAnswer["results"][number]): Found {
  if (r.error) return { error: r.error.detail };
  return {
    matches: (r.declarations ?? []).map((d) => ({
      declaration: d.id,
      matched: [{ by: "url" as const, pattern: d.pattern, kind: d.kind }],
      trust: d.verification,
      vocabulary: d.vocabulary,
      preferences: d.preferences,
    })),
  };
}

export function fromIdentifierResult(r: IdentifierAnswer["identifiers"][number]): Found {
  if (r.error) return { error: r.error.detail };
  return {
    matches: (r.declarations ?? []).map((d) => ({
      declaration: d.id,
      matched: [{ by: "identifier" as const, identifier: d.identifier }],
      trust: d.verification,
      vocabulary: d.vocabulary,
      preferences: d.preferences,
    })),
  };
}

export interface Matcher {
  matchCode(iscc: string): Promise<Found>;
  lookupUrl(url: string): Promise<Found>;
  /** A work identifier, `kind:value` in canonical form. */
  lookupIdentifier(identifier: string): Promise<Found>;
  flush(): Promise<void>;
  /** Called once the scan is over, to keep what a later scan can reuse (cached-matcher.ts). */
  finish?(): Promise<void>;
  /** Codes answered from kept answers, for the summary. */
  readonly reused?: number;
  /** Requests sent, for the summary. */
  readonly requests: number;
}

export class RegistryMatcher implements Matcher {
  requests = 0;
  /**
   * The lowest registry version a match answer said it reflects (Infinity: no answer yet; null: an answer
   * did not say, as with the Vectorize backend), and the distance the registry matched at.
   */
  answeredVersion: number | null = Infinity;
  maxDistanceUsed: number | undefined;
  private codes: BatchQueue<string, Found>;
  private urls: BatchQueue<string, Found>;
  private identifiers: BatchQueue<string, Found>;

  constructor(base: URL, policy: RetryPolicy, maxDistance?: number, concurrency = 2) {
    this.codes = new BatchQueue(MATCH_BATCH, concurrency, async (iscc) => {
      this.requests++;
      const body = await postJson<MatchAnswer>(base, "v1/match", { iscc, ...(maxDistance !== undefined ? { max_distance: maxDistance } : {}) }, policy);
      const v = body.registry_version;
      this.answeredVersion = typeof v === "number" && this.answeredVersion !== null ? Math.min(this.answeredVersion, v) : null;
      this.maxDistanceUsed = body.max_distance;
      return body.results.map(fromMatchResult);
    });
    this.urls = new BatchQueue(LOOKUP_BATCH, concurrency, async (urls) => {
      this.requests++;
      const body = await postJson<LookupAnswer>(base, "v1/lookup", { urls }, policy);
      return body.results.map(fromLookupResult);
    });
    this.identifiers = new BatchQueue(LOOKUP_BATCH, concurrency, async (identifiers) => {
      this.requests++;
      const body = await postJson<IdentifierAnswer>(base, "v1/lookup", { identifiers }, policy);
      return body.identifiers.map(fromIdentifierResult);
    });
  }

  matchCode(iscc: string) {
    return this.codes.enqueue(iscc);
  }

  lookupUrl(url: string) {
    return this.urls.enqueue(url);
  }

  lookupIdentifier(identifier: string) {
    return this.identifiers.enqueue(identifier);
  }

  async flush() {
    await Promise.all([this.codes.flush(), this.urls.flush(), this.identifiers.flush()]);
  }
}
