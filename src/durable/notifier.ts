import { DurableObject } from "cloudflare:workers";
import { retryDelayMs } from "../domain/federation-policy";
import { signWebhookHmac } from "../domain/webhook-hmac";
import type { Env } from "../env";
import { dueSubscriptions, markDelivered, markFailed, nextRetryAt, undelivered, type SubscriptionRow } from "../store/subscriptions";

/** How notifications are delivered (README, "Notifications"); the environment may shorten the waits (tests). */
export interface NotifyPolicy {
  retryBaseMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
}

export function notifyPolicy(env: Pick<Env, "NOTIFY_RETRY_BASE_MS">): NotifyPolicy {
  const base = env.NOTIFY_RETRY_BASE_MS ? Number(env.NOTIFY_RETRY_BASE_MS) : 10_000;
  if (!Number.isInteger(base) || base < 10 || base > 3600_000) throw new Error(`NOTIFY_RETRY_BASE_MS must be an integer in 10–3600000, got ${env.NOTIFY_RETRY_BASE_MS}`);
  return { retryBaseMs: base, retryMaxMs: 3600_000, requestTimeoutMs: 15_000 };
}

/** Subscriptions one alarm serves, and messages per subscription, before it reschedules itself. */
const SUBSCRIPTIONS_PER_ALARM = 50;
const MESSAGES_PER_SUBSCRIPTION = 20;

/**
 * Delivers notifications to subscriptions, one Standard Webhooks message per notification, in
 * the order they were found. The outbox is D1: conflict detection writes the notifications, each
 * subscription's `cursor` says what its endpoint has acknowledged (a 2xx), so nothing is lost if
 * this object dies. A failure is retried with exponential backoff and jitter (capped at an hour)
 * and with the same webhook-id, so a receiver can drop a repeat; the other subscriptions go on.
 * One object (named "notifier") serves them all; endpoints are called in parallel, each in order.
 */
export class Notifier extends DurableObject<Env> {
  /** Something new may be due: deliver now. */
  async poke(): Promise<void> {
    const alarm = await this.ctx.storage.getAlarm();
    const now = Date.now();
    if (alarm === null || alarm > now) await this.ctx.storage.setAlarm(now);
  }

  override async alarm(): Promise<void> {
    const policy = notifyPolicy(this.env);
    let more = false;
    try {
      const due = await dueSubscriptions(this.env.DB, Date.now(), SUBSCRIPTIONS_PER_ALARM);
      const results = await Promise.all(due.map((s) => this.deliver(s, policy)));
      more = due.length === SUBSCRIPTIONS_PER_ALARM || results.some((r) => r === "more");
    } catch (e) {
      console.error("notifier:", e);
    }
    if (more) return this.ctx.storage.setAlarm(Date.now());
    const retry = await nextRetryAt(this.env.DB).catch(() => Date.now() + policy.retryBaseMs);
    if (retry !== null) await this.ctx.storage.setAlarm(Math.max(retry, Date.now()));
  }

  /** Delivers what `s` has not had yet, in order, stopping at the first failure. */
  private async deliver(s: SubscriptionRow, policy: NotifyPolicy): Promise<"more" | "done" | "failed"> {
    const pending = await undelivered(this.env.DB, s, MESSAGES_PER_SUBSCRIPTION);
    for (const m of pending) {
      const body = JSON.stringify({ type: m.type, timestamp: m.createdAt, data: { party: m.party, ...(JSON.parse(m.data) as object) } });
      const headers = await signWebhookHmac({ id: m.id, timestamp: Math.floor(Date.now() / 1000), body }, s.secret);
      let error: string | null = null;
      try {
        const res = await fetch(s.url, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json", "user-agent": `opt-out-registry ${this.env.REGISTRY_NAME}` },
          body,
          signal: AbortSignal.timeout(policy.requestTimeoutMs),
        });
        await res.body?.cancel();
        if (!res.ok) error = `${s.url} answered ${res.status}`;
      } catch (e) {
        error = `${s.url}: ${(e as Error).message}`;
      }
      if (error !== null) {
        const attempts = s.attempts + 1;
        await markFailed(this.env.DB, s.id, attempts, Date.now() + retryDelayMs(attempts, policy, Math.random()), error);
        return "failed";
      }
      await markDelivered(this.env.DB, s.id, m.n, new Date().toISOString());
      s.attempts = 0;
    }
    return pending.length === MESSAGES_PER_SUBSCRIPTION ? "more" : "done";
  }
}

export function notifier(env: Env) {
  return env.NOTIFIER.get(env.NOTIFIER.idFromName("notifier"));
}
