/** What one HTTP fetch of a site's signal saw (src/check/fetcher.ts reads it; observations notarize it). */
export interface FetchedDocument {
  /** The URL asked for. */
  url: string;
  /** The URL that answered, after redirects. */
  finalUrl: string;
  redirects: string[];
  /** "ok" (any HTTP answer was read), "unreachable" (network error, timeout, refused address, too many redirects). */
  outcome: "ok" | "unreachable";
  status: number | null;
  headers: Record<string, string>;
  /** The bytes read (at most the limit). */
  body: Uint8Array;
  /** True when the body was longer than the limit and only its start was read. */
  truncated: boolean;
  /** Hex SHA-256 of `body`. */
  sha256: string;
  fetchedAt: string;
  error?: string;
}
