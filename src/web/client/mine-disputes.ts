/**
 * My declarations, second half: the conflicts that concern the loaded key (and its did:web
 * controller), each side with its label and what matched, and the notifications `optout watch`
 * shows, read through the same client (src/notifications/read-notifications.ts).
 */
import { readNotifications, type Notification } from "../../notifications/read-notifications";
import type { Translator } from "../i18n/translate";
import { api } from "./api";
import { $, h } from "./page";

interface Conflict {
  id: string;
  kind: "opposite-preferences" | "unverified-claim" | "domain-claim";
  claim: string;
  counterpart: string;
  matched: { work?: { subject: string; claim: string; counterpart: string; distance: number }; categories?: string[]; url?: string; domain?: string };
  found_at: string;
}

interface Side {
  id: string;
  declarant: string;
  controller: string | null;
  controller_verified: boolean;
  agent: { label: string; member: string; mandate: string | null } | null;
}

/** Conflicts shown with both sides' labels: each side is one read, so a long list shows its newest first, this many. */
const SHOWN = 50;

function sideLabel(tr: Translator, side: Side | undefined, parties: readonly string[]): string {
  if (!side) return "";
  const label = side.agent
    ? `${tr.trust(side.agent.label)}, ${side.agent.member}`
    : side.controller_verified && side.controller
      ? tr.t("mine.side.verified", { controller: side.controller })
      : tr.trust("self-asserted");
  const yours = parties.includes(side.declarant) || (side.controller_verified && parties.includes(side.controller ?? "")) || parties.includes(side.agent?.member ?? "");
  return yours ? `${label}; ${tr.t("mine.side.yours")}` : label;
}

function matchedText(tr: Translator, c: Conflict): string[] {
  const m = c.matched;
  const out: string[] = [];
  if (m.work) out.push(tr.t("mine.conflict.work", { subject: m.work.subject, claim: m.work.claim, counterpart: m.work.counterpart, distance: m.work.distance }));
  if (m.categories?.length) out.push(tr.t("mine.conflict.categories", { categories: m.categories.map((k) => tr.pref(k)).join(", ") }));
  if (m.url) out.push(tr.t("mine.conflict.domain", { url: m.url, domain: m.domain ?? "" }));
  return out;
}

export async function showConflicts(tr: Translator, parties: readonly string[]): Promise<void> {
  const list = $("mine-conflicts");
  const status = $("mine-conflicts-status");
  list.replaceChildren();
  status.textContent = tr.t("mine.conflicts.loading");
  const byId = new Map<string, Conflict>();
  for (const party of parties) {
    const page = await api<{ conflicts: Conflict[] }>(tr, "GET", `/v1/conflicts?declarant=${encodeURIComponent(party)}&limit=1000`);
    for (const c of page.conflicts) byId.set(c.id, c);
  }
  const conflicts = [...byId.values()].sort((a, b) => b.found_at.localeCompare(a.found_at)).slice(0, SHOWN);
  const ids = [...new Set(conflicts.flatMap((c) => [c.claim, c.counterpart]))];
  const sides = new Map<string, Side>();
  await Promise.all(ids.map(async (id) => sides.set(id, await api<Side>(tr, "GET", `/v1/declarations/${encodeURIComponent(id)}`))));
  const side = (role: "claim" | "counterpart", id: string) =>
    h(
      "li",
      {},
      `${tr.t(role === "claim" ? "mine.conflict.claim" : "mine.conflict.counterpart")}: `,
      h("a", { class: "mono", href: `/directory/${encodeURIComponent(id)}` }, id),
      " ",
      h("span", { class: "trust" }, `(${sideLabel(tr, sides.get(id), parties)})`),
    );
  list.replaceChildren(
    ...conflicts.map((c) =>
      h(
        "article",
        { class: "card", "aria-labelledby": `conflict-${c.id}` },
        h("h3", { id: `conflict-${c.id}` }, tr.t(`conflict.${c.kind}`)),
        h("ul", { class: "plain" }, side("claim", c.claim), side("counterpart", c.counterpart), ...matchedText(tr, c).map((t) => h("li", {}, t)), h("li", {}, tr.t("mine.conflict.found", { when: tr.dateTime(c.found_at) }))),
      ),
    ),
  );
  status.textContent = conflicts.length ? "" : tr.t("mine.conflicts.none");
}

function noticeText(tr: Translator, m: Notification): string {
  if (m.type === "conflict.found") {
    const c = m.data.conflict as Conflict;
    return tr.t("mine.notice.conflict", { kind: tr.t(`conflict.${c.kind}`), claim: c.claim, counterpart: c.counterpart });
  }
  const w = m.data.work as Conflict["matched"]["work"];
  const text = tr.t("mine.notice.near", { declaration: m.data.declaration, declarant: m.data.declarant, yours: m.data.yours });
  return w ? `${text} (${tr.t("mine.conflict.work", { subject: w.subject, claim: w.claim, counterpart: w.counterpart, distance: w.distance })})` : text;
}

export async function showNotifications(tr: Translator, parties: readonly string[]): Promise<void> {
  const list = $("mine-notices");
  const status = $("mine-notices-status");
  list.replaceChildren();
  const all = new Map<string, Notification>();
  for (const party of parties) {
    const { notifications } = await readNotifications((path) => api(tr, "GET", `/${path}`), party);
    // The key and its controller are each told of the same event: shown once.
    for (const m of notifications) all.set(`${m.type} ${JSON.stringify(m.data)}`, m);
  }
  const shown = [...all.values()].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.n - a.n);
  list.replaceChildren(...shown.map((m) => h("li", { class: "notice" }, h("time", { datetime: m.created_at }, tr.dateTime(m.created_at)), " ", noticeText(tr, m))));
  status.textContent = shown.length ? "" : tr.t("mine.notifications.none");
}
