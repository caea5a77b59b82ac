/**
 * The Cache API's default cache (the colo's; Miniflare's locally), or null where the runtime has no
 * Cache API (Node, a test calling code directly). workers-types declare `caches.default` only on
 * Cloudflare's own `CacheStorage`, hence the cast.
 */
export function defaultCache(): Cache | null {
  return typeof caches === "undefined" ? null : (caches as unknown as { default: Cache }).default;
}
