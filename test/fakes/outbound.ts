/**
 * Where the Worker's outbound fetches go in the workers tests (vitest.config.ts: miniflare's
 * outboundService), instead of the network: fake peer registries, fake did:web hosts, fake origins to
 * observe and a subscriber's webhook receiver. Every request URL is recorded, so a test can prove
 * what the Worker never fetched:
 * GET https://outbound-log.test/__requests?host=<suffix> lists those to hosts ending in <suffix>.
 */
import { fakeDidHost } from "./did-hosts";
import { observedSite } from "./observed-sites";
import { hostilePeerRegistry, HOSTILE_PEER } from "./hostile-peer";
import { fakePeerRegistry, FAKE_PEER } from "./peer-registry";
import { RECEIVER, webhookReceiver } from "./webhook-receiver";

const requested: string[] = [];

export async function outbound(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host === "outbound-log.test") {
    const suffix = url.searchParams.get("host") ?? "";
    return Response.json(requested.filter((u) => new URL(u).host.endsWith(suffix)));
  }
  requested.push(request.url);
  if (requested.length > 10_000) requested.splice(0, 5_000);
  if (url.host === FAKE_PEER) return fakePeerRegistry(request);
  if (url.host === HOSTILE_PEER) return hostilePeerRegistry(request);
  if (url.host === RECEIVER) return webhookReceiver(request);
  return observedSite(request) ?? (await fakeDidHost(request)) ?? new Response("not found", { status: 404 });
}
