/**
 * The did:web resolver's bounds, in Node with `fetch` replaced by a function that plays the
 * document hosts (the Worker path through real HTTP routing is tested in
 * test/workers/federation-trust.test.ts).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { controllerListsKey, MAX_CONCURRENT } from "../../src/http/did-resolver";

const KEY = "z6MkghLt1e8m1fmANsdJJco3aCLV8Xnigr5UWwC3u5iZFPd3";
const opts = { allowLoopback: false };
const docFor = (url: string) => {
  const host = new URL(url).host;
  return { id: `did:web:${host}`, verificationMethod: [{ publicKeyMultibase: KEY }] };
};

/** A fake network: answers every document after `delayMs`, counting calls and open requests. */
function network(answer: (url: string, init: RequestInit) => Promise<Response> | Response = (u) => Response.json(docFor(u)), delayMs = 0) {
  const stats = { calls: [] as string[], inits: [] as RequestInit[], open: 0, maxOpen: 0 };
  vi.stubGlobal("fetch", async (input: string | URL, init: RequestInit) => {
    const url = String(input);
    stats.calls.push(url);
    stats.inits.push(init);
    stats.open++;
    stats.maxOpen = Math.max(stats.maxOpen, stats.open);
    try {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return await answer(url, init);
    } finally {
      stats.open--;
    }
  });
  return stats;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("did:web resolution is bounded", () => {
  it("never fetches a non-public host", async () => {
    const net = network();
    for (const did of ["did:web:127.0.0.1%3A8798", "did:web:2130706433", "did:web:localhost", "did:web:169.254.169.254", "did:web:10.0.0.1", "did:web:%zz"])
      expect(await controllerListsKey(did, KEY, opts), did).toBe(false);
    expect(net.calls).toEqual([]);
  });

  it("resolves 200 different documents through at most MAX_CONCURRENT connections", async () => {
    const net = network(undefined, 5);
    const dids = Array.from({ length: 200 }, (_, i) => `did:web:d${i}.fanout.example`);
    const results = await Promise.all(dids.map((d) => controllerListsKey(d, KEY, opts)));
    expect(results.every(Boolean)).toBe(true);
    expect(net.calls.length).toBe(200);
    expect(net.maxOpen).toBeLessThanOrEqual(MAX_CONCURRENT);
    expect(net.maxOpen).toBeGreaterThan(1);
  });

  it("shares one fetch among concurrent resolutions of one document, and caches it", async () => {
    const net = network(undefined, 5);
    const all = await Promise.all(Array.from({ length: 50 }, () => controllerListsKey("did:web:shared.example", KEY, opts)));
    expect(all.every(Boolean)).toBe(true);
    expect(await controllerListsKey("did:web:shared.example", KEY, opts)).toBe(true);
    expect(net.calls).toEqual(["https://shared.example/.well-known/did.json"]);
  });

  it("forgets documents after their TTL (5 min; failures after 1 min)", async () => {
    let up = false;
    const net = network((u) => (up ? Response.json(docFor(u)) : new Response("down", { status: 503 })));
    const now = Date.now();
    const clock = vi.spyOn(Date, "now").mockReturnValue(now);
    expect(await controllerListsKey("did:web:ttl.example", KEY, opts)).toBe(false);
    up = true;
    clock.mockReturnValue(now + 59_000);
    expect(await controllerListsKey("did:web:ttl.example", KEY, opts)).toBe(false); // the failure is cached
    clock.mockReturnValue(now + 61_000);
    expect(await controllerListsKey("did:web:ttl.example", KEY, opts)).toBe(true);
    clock.mockReturnValue(now + 61_000 + 299_000);
    expect(await controllerListsKey("did:web:ttl.example", KEY, opts)).toBe(true);
    expect(net.calls.length).toBe(2);
    clock.mockReturnValue(now + 61_000 + 301_000);
    expect(await controllerListsKey("did:web:ttl.example", KEY, opts)).toBe(true);
    expect(net.calls.length).toBe(3);
  });

  it("keeps at most 1,000 documents, dropping the least recently used", async () => {
    const net = network();
    for (let i = 0; i <= 1000; i++) await controllerListsKey(`did:web:c${i}.lru.example`, KEY, opts);
    expect(net.calls.length).toBe(1001);
    await controllerListsKey("did:web:c1000.lru.example", KEY, opts); // still cached
    expect(net.calls.length).toBe(1001);
    await controllerListsKey("did:web:c0.lru.example", KEY, opts); // evicted first
    expect(net.calls.length).toBe(1002);
  });

  it("follows no redirect", async () => {
    const net = network(() => new Response(null, { status: 302, headers: { location: "https://rights.example/redirected/did.json" } }));
    expect(await controllerListsKey("did:web:redirect.example", KEY, opts)).toBe(false);
    expect(net.inits[0]!.redirect).toBe("manual");
    expect(net.calls).toEqual(["https://redirect.example/.well-known/did.json"]);
  });

  it("stops reading a document after 64 KiB", async () => {
    let pulled = 0;
    const endless = () =>
      new Response(
        new ReadableStream({
          pull(c) {
            pulled++;
            c.enqueue(new Uint8Array(16 * 1024).fill(0x20));
          },
        }),
      );
    network(endless);
    expect(await controllerListsKey("did:web:endless.example", KEY, opts)).toBe(false);
    expect(pulled).toBeLessThan(10);
  });

  it("gives up on a slot after 10 s: the controller stays unverified, nothing more is fetched", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const release: (() => void)[] = [];
    let hold = true;
    const net = network((u) => (hold ? new Promise<Response>((ok) => release.push(() => ok(Response.json(docFor(u))))) : Response.json(docFor(u))));
    const busy = Array.from({ length: MAX_CONCURRENT }, (_, i) => controllerListsKey(`did:web:busy${i}.slot.example`, KEY, opts));
    const late = controllerListsKey("did:web:late.slot.example", KEY, opts);
    await vi.advanceTimersByTimeAsync(10_001);
    expect(await late).toBe(false);
    expect(net.calls.length).toBe(MAX_CONCURRENT);
    hold = false;
    release.forEach((r) => r());
    expect((await Promise.all(busy)).every(Boolean)).toBe(true);
    // a give-up is not cached as a failure: with slots free, it resolves
    expect(await controllerListsKey("did:web:late.slot.example", KEY, opts)).toBe(true);
  });
});
