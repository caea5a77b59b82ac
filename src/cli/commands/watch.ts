import { randomBytes } from "node:crypto";
import { signJson } from "../../domain/iscc-sig";
import { defineCommand, type Context } from "../command";
import { CONTROLLER_FLAG } from "../declaration-flags";
import { wholeNumber } from "../flags";
import { loadKey } from "../submit";
import { readNotifications, type Notification } from "../../notifications/read-notifications";
import { sleep } from "../../runtime/sleep";

function describe(m: Notification): string {
  if (m.type === "conflict.found") {
    const c = m.data.conflict as { kind: string; claim: string; counterpart: string };
    return `${m.created_at}  conflict ${c.kind}: ${c.claim} against ${c.counterpart}`;
  }
  const w = m.data.work as { subject: string; distance: number } | undefined;
  return `${m.created_at}  near-duplicate: ${m.data.declaration} by ${m.data.declarant} shares a work with your ${m.data.yours}${w ? ` (${w.subject}, distance ${w.distance})` : ""}`;
}

/** The key's party: its --controller when given, else its public key. */
async function ownParty(ctx: Context): Promise<string> {
  const keypair = await loadKey(ctx);
  return keypair.controller ?? (await signJson({}, keypair)).signature.pubkey!;
}

/** Signs a subscription request for `party` (the key, or its --controller) and posts it. */
async function subscription(ctx: Context, intent: "subscribe" | "unsubscribe", url: string): Promise<number> {
  const keypair = await loadKey(ctx);
  const signed = await signJson(
    {
      type: "OptOutSubscription",
      version: 1,
      intent,
      subscriber: keypair.controller ?? (await signJson({}, keypair)).signature.pubkey!,
      url,
      timestamp: new Date().toISOString(),
      nonce: randomBytes(16).toString("hex"),
    },
    keypair,
  );
  const { body } = await ctx.registry().post<{ id?: string; secret?: string; ended?: string[] }>("v1/subscriptions", signed);
  ctx.print(body, (b) =>
    intent === "subscribe"
      ? `Subscribed ${url}\n  id      ${b.id}\n  secret  ${b.secret}\n  Keep the secret: it verifies every delivery (Standard Webhooks v1) and is not shown again.`
      : `Unsubscribed ${url} (${b.ended!.join(", ")})`,
  );
  return 0;
}

export default defineCommand({
  name: "watch",
  args: "",
  summary: "show conflicts and near-duplicates of your works that others registered; subscribe a webhook to them",
  flags: {
    controller: CONTROLLER_FLAG,
    party: { type: "string", value: "KEY|DID", help: "whose notifications to show (default: your key, or --controller); anyone's list is public" },
    follow: { type: "boolean", help: "keep watching: print new notifications as they come" },
    interval: { type: "string", value: "SECONDS", help: "with --follow: how often to ask (default 30)" },
    subscribe: { type: "string", value: "URL", help: "have the registry POST each notification to URL (signed request; prints the webhook secret once)" },
    unsubscribe: { type: "string", value: "URL", help: "stop deliveries to URL" },
  },
  async run(ctx) {
    if (ctx.flags.subscribe !== undefined) return subscription(ctx, "subscribe", ctx.flags.subscribe);
    if (ctx.flags.unsubscribe !== undefined) return subscription(ctx, "unsubscribe", ctx.flags.unsubscribe);
    const interval = wholeNumber(ctx.flags.interval ?? "30", "--interval", "seconds");
    const party = ctx.flags.party ?? (await ownParty(ctx));
    const registry = ctx.registry();
    let after = 0;
    for (;;) {
      // Everything there is; with --follow, ask again after the interval from where it stopped.
      const read = await readNotifications(async (path) => (await registry.get<any>(path)).body, party, after);
      for (const m of read.notifications) ctx.out(ctx.json ? JSON.stringify(m) : describe(m));
      after = read.nextAfter;
      if (!ctx.flags.follow) return 0;
      await sleep(interval * 1000);
    }
  },
});
