import { sleep } from "./sleep";

/**
 * Waits until `busy()` is false or `maxMs` have passed, looking again every `stepMs` with this
 * request's own timer. For a request that needs what another request is loading into the isolate
 * (the URL filter, the unit index): Workers forbid one request to use I/O another started ("Cannot
 * perform I/O on behalf of a different request"), so it never awaits the other's promise; it looks
 * at the isolate's state instead, which the other request's load updates.
 */
export async function pollWhile(busy: () => boolean, maxMs: number, stepMs = 2): Promise<void> {
  const until = Date.now() + maxMs;
  while (busy() && Date.now() < until) await sleep(stepMs);
}
