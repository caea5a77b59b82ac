/**
 * Cold starts: an isolate's first request of any kind starts loading the URL filter in its
 * background (src/http/warm-start.ts), so its first lookup does not pay for the isolate's first D1
 * round trip. Each test file runs in its own isolate: this file's first request is the isolate's.
 */
import { describe, expect, it } from "vitest";
import { declaredUrls } from "../../src/filter/declared-urls";
import { get } from "./helpers";

describe("warm start", () => {
  it("the first request of an isolate, of any kind, loads the URL filter in its background; later ones do not", async () => {
    expect(declaredUrls.hasFilter).toBe(false);
    expect((await get("/.well-known/opt-out-registry")).status).toBe(200);
    for (let k = 0; k < 200 && !declaredUrls.hasFilter; k++) await new Promise((r) => setTimeout(r, 10));
    expect(declaredUrls.hasFilter).toBe(true);
    const checks = declaredUrls.stats.versionChecks;
    expect(checks).toBe(1);
    expect((await get("/.well-known/opt-out-registry")).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(declaredUrls.stats.versionChecks).toBe(checks);
  });
});
