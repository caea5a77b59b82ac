/**
 * FAKE origins for the workers tests of POST /v1/observations (vitest.config.ts routes the
 * Worker's outbound fetches through test/fakes/outbound.ts). What each host does:
 * - reserved.observe.example: robots.txt with a Content-Usage rule and a Content-Signal line, a
 *   tdmrep.json, and /art/a.html with a Content-Usage header and a robots meta tag;
 * - hop.observe.example: robots.txt as reserved's; every other path redirects (302) to the same
 *   path on 127.0.0.1 (a registry must not follow a public host into its own network);
 * - big.observe.example: robots.txt as reserved's, and /huge a 5 MiB page (more than the 4 MiB read);
 * - trap.observe.example: every path, robots.txt too, redirects to 10.0.0.1, so nothing can be read.
 */
export const OBSERVED_ROBOTS = "User-agent: *\nAllow: /\nContent-Usage: /art/ train-ai=n, search=y\nContent-Signal: ai-input=no\n";
export const OBSERVED_TDMREP = JSON.stringify([{ location: "/art/*", "tdm-reservation": 1, "tdm-policy": "https://reserved.observe.example/policy.json" }]);
export const OBSERVED_PAGE = '<html><head><meta name="robots" content="noai"></head><body>a</body></html>';
export const HUGE_BYTES = 5 * 1024 * 1024;

const text = (body: string, type = "text/plain", headers: Record<string, string> = {}) => new Response(body, { headers: { "content-type": type, ...headers } });

export function observedSite(request: Request): Response | null {
  const url = new URL(request.url);
  if (!url.hostname.endsWith(".observe.example")) return null;
  const site = url.hostname.slice(0, -".observe.example".length);
  if (site === "trap") return new Response(null, { status: 301, headers: { location: `http://10.0.0.1${url.pathname}` } });
  if (site === "hop" && url.pathname !== "/robots.txt") return new Response(null, { status: 302, headers: { location: `http://127.0.0.1:9${url.pathname}` } });
  if (url.pathname === "/robots.txt" && (site === "reserved" || site === "big" || site === "hop")) return text(OBSERVED_ROBOTS);
  if (site === "reserved" && url.pathname === "/.well-known/tdmrep.json") return text(OBSERVED_TDMREP, "application/json");
  if (site === "reserved" && url.pathname === "/art/a.html") return text(OBSERVED_PAGE, "text/html", { "content-usage": "train-ai=n" });
  if (site === "big" && url.pathname === "/huge") return text("x".repeat(HUGE_BYTES), "text/html");
  return new Response("not found", { status: 404 });
}
