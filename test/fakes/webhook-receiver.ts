/**
 * A subscriber's webhook receiver for the workers tests, at https://hooks.receiver.test/<path>
 * (reached through test/fakes/outbound.ts, so it runs in Node, outside the Worker). It verifies
 * every delivery with the Standard Webhooks reference library (`standardwebhooks`), sharing no
 * code with the registry, and records what it got:
 * - POST /__secret/<path> with the secret as body: what deliveries to <path> are verified with;
 * - POST /__fail/<path>?times=N: the next N deliveries to <path> are answered 500;
 * - GET /__deliveries/<path>: every delivery to <path>, failed ones included, in arrival order.
 */
import { Webhook } from "standardwebhooks";

export const RECEIVER = "hooks.receiver.test";

interface Delivery {
  id: string | null;
  status: number;
  verified: boolean;
  error: string | null;
  payload: unknown;
}

const secrets = new Map<string, string>();
const failures = new Map<string, number>();
const deliveries = new Map<string, Delivery[]>();

export async function webhookReceiver(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const [, head, ...rest] = url.pathname.split("/");
  const control = (p: string) => rest.join("/") || p;
  if (head === "__secret") return secrets.set(control(""), await request.text()), new Response(null, { status: 204 });
  if (head === "__fail") return failures.set(control(""), Number(url.searchParams.get("times") ?? 1)), new Response(null, { status: 204 });
  if (head === "__deliveries") return Response.json(deliveries.get(control("")) ?? []);
  const path = url.pathname.slice(1);
  const body = await request.text();
  const headers = Object.fromEntries(request.headers);
  const list = deliveries.get(path) ?? [];
  deliveries.set(path, list);
  let payload: unknown = null;
  let error: string | null = null;
  try {
    payload = new Webhook(secrets.get(path) ?? "whsec_").verify(body, headers);
  } catch (e) {
    error = (e as Error).message;
  }
  const failing = failures.get(path) ?? 0;
  const status = error ? 401 : failing > 0 ? 500 : 204;
  if (failing > 0 && !error) failures.set(path, failing - 1);
  list.push({ id: headers["webhook-id"] ?? null, status, verified: error === null, error, payload });
  return new Response(null, { status });
}
