import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cutDelivery, DEFAULT_POLICY, peerAnswerLimits, policyFrom, retryDelayMs, webhookIdFor } from "../../src/domain/federation-policy";

describe("federation policy", () => {
  it("defaults to the documented numbers, overridable by FEDERATION_* vars, refusing bad ones", () => {
    expect(policyFrom({})).toEqual({ pushBatch: 100, pushBytes: 8 * 1024 * 1024, pullPage: 500, pullIntervalMs: 30_000, retryBaseMs: 1000, retryMaxMs: 300_000, maxAttempts: 12, requestTimeoutMs: 30_000 });
    expect(policyFrom({ FEDERATION_PULL_INTERVAL_MS: "1000", FEDERATION_MAX_ATTEMPTS: "3", FEDERATION_PUSH_BATCH: "" })).toMatchObject({ pullIntervalMs: 1000, maxAttempts: 3, pushBatch: 100 });
    expect(() => policyFrom({ FEDERATION_PUSH_BATCH: "0" })).toThrow(/FEDERATION_PUSH_BATCH/);
    expect(() => policyFrom({ FEDERATION_RETRY_BASE_MS: "1.5" })).toThrow(/integer/);
    expect(() => policyFrom({ FEDERATION_MAX_ATTEMPTS: "many" })).toThrow();
  });

  it("backs off exponentially from the base to the cap, with jitter between half and all of the delay", () => {
    const p = DEFAULT_POLICY;
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, p, 0.999999))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, p, 0))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(12, p, 0.999999)).toBe(300_000);
    expect(retryDelayMs(1000, p, 0)).toBe(150_000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, r) => {
        const nominal = Math.min(p.retryMaxMs, p.retryBaseMs * 2 ** (n - 1));
        const d = retryDelayMs(n, p, r);
        return d >= nominal / 2 && d <= nominal && retryDelayMs(n + 1, p, r) >= d;
      }),
    );
  });

  it("sums to about 18 minutes of retries before the dead letter with the defaults", () => {
    const total = (r: number) => Array.from({ length: DEFAULT_POLICY.maxAttempts - 1 }, (_, i) => retryDelayMs(i + 1, DEFAULT_POLICY, r)).reduce((a, b) => a + b, 0);
    expect(total(0.999999) / 60_000).toBeCloseTo(18.5, 0);
    expect(total(0) / 60_000).toBeCloseTo(9.3, 0);
  });

  it("names a delivery by registry and seq range, in webhook-id characters only", () => {
    expect(webhookIdFor("registry.example.org", 101, 200)).toBe("registry_example_org-101-200");
    expect(webhookIdFor("127.0.0.1:8801", 1, 1)).toBe("127_0_0_1_8801-1-1");
    expect(webhookIdFor("x".repeat(300), 1, 2)).toMatch(/^x{150}-1-2$/);
  });

  it("cuts deliveries by bytes too: two 5 MB items never travel together, an item too large for any delivery is skipped", () => {
    const MB = 1_000_000;
    const max = 8 * 1024 * 1024;
    // [small, 5 MB, 5 MB, small]: the first delivery stops before the second 5 MB item
    expect(cutDelivery([1000, 5 * MB, 5 * MB, 1000], max)).toEqual({ covers: 2, send: [0, 1], tooLarge: [] });
    expect(cutDelivery([5 * MB, 1000], max)).toEqual({ covers: 2, send: [0, 1], tooLarge: [] });
    // rows not for this peer (null) are covered without cost; an item larger than any delivery is covered, not sent
    expect(cutDelivery([null, 9 * MB, 1000, null], max)).toEqual({ covers: 4, send: [2], tooLarge: [1] });
    expect(cutDelivery([null, null], max)).toEqual({ covers: 2, send: [], tooLarge: [] });
    expect(cutDelivery([], max)).toEqual({ covers: 0, send: [], tooLarge: [] });
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 2, max: 3000 }), { nil: null }), { maxLength: 40 }), fc.integer({ min: 100, max: 5000 }), (sizes, limit) => {
        let rest = sizes;
        while (rest.length) {
          const cut = cutDelivery(rest, limit);
          expect(cut.covers).toBeGreaterThan(0); // always progresses
          // what is sent fits: envelope, items, commas
          const bytes = 19 + cut.send.reduce((a, i) => a + rest[i]!, 0) + Math.max(0, cut.send.length - 1);
          expect(bytes).toBeLessThanOrEqual(limit);
          // nothing that fits alone is skipped; everything skipped could never fit
          for (const i of cut.tooLarge) expect(19 + rest[i]!).toBeGreaterThan(limit);
          for (let i = 0; i < cut.covers; i++) if (rest[i] !== null) expect(cut.send.includes(i) || cut.tooLarge.includes(i)).toBe(true);
          rest = rest.slice(cut.covers);
        }
      }),
    );
  });

  it("reads a peer's answers no further than an honest one can be long", () => {
    const limits = peerAnswerLimits({ pullPage: 500 }, { declarationBytes: 32 * 1024, receiptBytes: 8 * 1024 });
    expect(limits.feedPage).toBe(1024 + 500 * (40 * 1024 + 64));
    expect(limits.checkpoint).toBe(64 * 1024);
    expect(policyFrom({ FEDERATION_PUSH_BYTES: "1048576" }).pushBytes).toBe(1048576);
    expect(() => policyFrom({ FEDERATION_PUSH_BYTES: "100" })).toThrow(/FEDERATION_PUSH_BYTES/);
  });
});
