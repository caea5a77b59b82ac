/**
 * Federation delivery policy: retry schedule, dead-letter threshold, batch sizes and the pull
 * schedule. Pure (no I/O) so the numbers the README documents are the numbers tested.
 */

export interface FederationPolicy {
  /** Declarations per webhook delivery. */
  pushBatch: number;
  /** Bytes per webhook delivery: a batch is cut before it grows past this (see cutDelivery). */
  pushBytes: number;
  /** Items asked per page when pulling a peer's feed. */
  pullPage: number;
  /** How often each peer's feed is pulled (anti-entropy), ms. */
  pullIntervalMs: number;
  /** First retry delay after a failed delivery, ms; doubles per consecutive failure. */
  retryBaseMs: number;
  /** Longest retry delay, ms. */
  retryMaxMs: number;
  /** Consecutive failed deliveries after which the peer is dead-lettered (pushing stops until replay). */
  maxAttempts: number;
  /** Per-request timeout of pushes and pulls, ms. */
  requestTimeoutMs: number;
}

export const DEFAULT_POLICY: FederationPolicy = {
  pushBatch: 100,
  // The receiver's documented body limit (LIMITS.webhookBytes): larger bodies are answered 413.
  pushBytes: 8 * 1024 * 1024,
  pullPage: 500,
  pullIntervalMs: 30_000,
  retryBaseMs: 1_000,
  retryMaxMs: 5 * 60_000,
  maxAttempts: 12,
  requestTimeoutMs: 30_000,
};

/** Which environment variable overrides which policy field (all integers, milliseconds or counts). */
export const POLICY_VARS = {
  pushBatch: "FEDERATION_PUSH_BATCH",
  pushBytes: "FEDERATION_PUSH_BYTES",
  pullPage: "FEDERATION_PULL_PAGE",
  pullIntervalMs: "FEDERATION_PULL_INTERVAL_MS",
  retryBaseMs: "FEDERATION_RETRY_BASE_MS",
  retryMaxMs: "FEDERATION_RETRY_MAX_MS",
  maxAttempts: "FEDERATION_MAX_ATTEMPTS",
  requestTimeoutMs: "FEDERATION_REQUEST_TIMEOUT_MS",
} as const satisfies Record<keyof FederationPolicy, string>;

/** The variables, as the Worker's Env has them (optional strings). */
export type PolicyVars = { readonly [V in (typeof POLICY_VARS)[keyof FederationPolicy]]?: string };

const BOUNDS: Record<keyof FederationPolicy, [number, number]> = {
  pushBatch: [1, 1000],
  pushBytes: [64 * 1024, 64 * 1024 * 1024],
  pullPage: [1, 1000],
  pullIntervalMs: [100, 24 * 3600_000],
  retryBaseMs: [10, 3600_000],
  retryMaxMs: [10, 24 * 3600_000],
  maxAttempts: [1, 1000],
  requestTimeoutMs: [100, 300_000],
};

/** The policy from (string) environment variables; a missing variable keeps the default, a bad one throws. */
export function policyFrom(vars: PolicyVars): FederationPolicy {
  const out = { ...DEFAULT_POLICY };
  for (const key of Object.keys(POLICY_VARS) as (keyof FederationPolicy)[]) {
    const raw = vars[POLICY_VARS[key]];
    if (raw === undefined || raw === "") continue;
    const n = Number(raw);
    const [lo, hi] = BOUNDS[key];
    if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${POLICY_VARS[key]} must be an integer in ${lo}–${hi}, got ${String(raw)}`);
    out[key] = n;
  }
  return out;
}

/**
 * Delay before retry number `attempt` (1 = after the first failure): exponential, capped, with
 * "equal jitter" (half fixed, half random) so that peers failing together do not retry together,
 * while a retry never comes sooner than half the nominal delay. `random` is in [0, 1).
 */
export function retryDelayMs(attempt: number, p: Pick<FederationPolicy, "retryBaseMs" | "retryMaxMs">, random: number): number {
  const nominal = Math.min(p.retryMaxMs, p.retryBaseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.round(nominal / 2 + (nominal / 2) * random);
}

/** Webhook ids name the range of local `seq` a delivery covers, so a retry of it keeps its id. */
export function webhookIdFor(registryName: string, firstSeq: number, lastSeq: number): string {
  return `${registryName.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 150)}-${firstSeq}-${lastSeq}`;
}

/** Bytes of `{"declarations":[` and `]}` around the items of a webhook body. */
const ENVELOPE_BYTES = 19;

/**
 * How a run of outbox rows (in seq order) becomes one webhook delivery within `maxBytes`. Each
 * entry is the byte size of the item as it would be sent, or null for a row this peer is not sent
 * (it came from them). Returns how many rows the delivery covers from the front (the cursor moves
 * past them all), which of those to send, and which are too large to send at all: an item that
 * cannot fit an empty delivery would make the peer answer 413 forever and dead-letter the link,
 * so it is skipped and counted instead. At least one row is always covered when there is one.
 */
export function cutDelivery(sizes: readonly (number | null)[], maxBytes: number): { covers: number; send: number[]; tooLarge: number[] } {
  const send: number[] = [];
  const tooLarge: number[] = [];
  let bytes = ENVELOPE_BYTES;
  let i = 0;
  for (; i < sizes.length; i++) {
    const size = sizes[i];
    if (size === null || size === undefined) continue;
    const cost = size + (send.length ? 1 : 0); // the comma between items
    if (ENVELOPE_BYTES + size > maxBytes) {
      tooLarge.push(i);
      continue;
    }
    if (bytes + cost > maxBytes) break;
    bytes += cost;
    send.push(i);
  }
  return { covers: i, send, tooLarge };
}

/**
 * Most bytes read from a peer's answers before giving up on them: a peer's answer is read no
 * further than an honest one can be long, so a hostile or broken peer cannot make this registry
 * buffer without bound. A feed page holds at most what was asked, each item within the
 * declaration and receipt limits.
 */
export function peerAnswerLimits(p: Pick<FederationPolicy, "pullPage">, item: { declarationBytes: number; receiptBytes: number }) {
  return {
    feedPage: 1024 + p.pullPage * (item.declarationBytes + item.receiptBytes + 64),
    webhookAnswer: 4 * 1024 * 1024,
    checkpoint: 64 * 1024,
    consistencyProof: 64 * 1024,
    descriptor: 64 * 1024,
  };
}
