/**
 * A party's notifications as `GET /v1/notifications` pages them, read by `optout watch` and by the
 * web app's My declarations: one client for both, so they show the same list. The caller brings
 * its own GET (the CLI's registry client, the browser's fetch).
 */
export interface Notification {
  n: number;
  id: string;
  type: "conflict.found" | "declaration.near-duplicate";
  party: string;
  data: Record<string, any>;
  created_at: string;
}

export type GetJson = <T>(path: string) => Promise<T>;

/** Every notification of `party` with `n` above `after`, oldest first, and the `after` to ask from next. */
export async function readNotifications(get: GetJson, party: string, after = 0, limit = 500): Promise<{ notifications: Notification[]; nextAfter: number }> {
  const notifications: Notification[] = [];
  for (;;) {
    const page = await get<{ notifications: Notification[]; next_after: number }>(`v1/notifications?party=${encodeURIComponent(party)}&after=${after}&limit=${limit}`);
    notifications.push(...page.notifications);
    after = page.next_after;
    if (page.notifications.length < limit) return { notifications, nextAfter: after };
  }
}
