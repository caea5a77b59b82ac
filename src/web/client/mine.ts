/** My declarations: listed by the loaded key (and its did:web controller); updated and revoked, signed here; conflicts and notifications (mine-disputes.ts). */
import { toCurrent, vocabularyOf } from "../../domain/preferences";
import { draftRevoke, draftUpdate } from "../declaration-drafts";
import { api, ApiError } from "./api";
import { currentKey, initKeyPanel, onKeyChange } from "./key-panel";
import { showConflicts, showNotifications } from "./mine-disputes";
import { $, h, page } from "./page";
import { readPreferenceChoices } from "./preference-choices";
import { sendAll, signAll } from "./sign-and-send";

interface Stored {
  id: string;
  seq: number;
  status: "active" | "superseded" | "revoked";
  registered_at: string;
  declaration: { iscc?: string; datahash?: string; urls?: string[]; name?: string; intent: string; supersedes?: string; vocabulary?: number; preferences?: Record<string, "y" | "n"> };
}

const { tr } = page();
const list = $("mine-list");
const status = $("mine-status");
const more = $<HTMLButtonElement>("mine-more");
/** One cursor per query (the key, and its controller when it has one); null when exhausted. */
let cursors: Map<string, string | null> = new Map();
let shown = new Map<string, Stored>();

function prefForm(d: Stored): HTMLElement {
  const prefix = `upd-${d.seq}`;
  const tpl = $<HTMLTemplateElement>("mine-pref-template").content.cloneNode(true) as DocumentFragment;
  for (const el of tpl.querySelectorAll<HTMLElement>("*"))
    for (const attr of ["id", "name", "for", "aria-describedby"]) {
      const v = el.getAttribute(attr);
      if (v?.includes("__P__")) el.setAttribute(attr, v.replaceAll("__P__", prefix));
    }
  // The form speaks the current vocabulary: a declaration signed under an older one starts from its mapping.
  const current: Record<string, string> = toCurrent(vocabularyOf(d.declaration), d.declaration.preferences ?? {});
  for (const input of tpl.querySelectorAll<HTMLInputElement>("input[data-pref]"))
    input.checked = (current[input.dataset.pref!] ?? "unknown").replace("unknown", "") === input.value;
  const error = h("p", { class: "error", role: "alert", id: `${prefix}-error` });
  const form = h(
    "form",
    { class: "card", "aria-label": `${tr.t("mine.update")} ${d.id}` },
    tpl,
    error,
    h("button", { type: "submit" }, tr.t("mine.update.save")),
    h("button", { type: "button", class: "secondary", onclick: () => form.remove() }, tr.t("mine.update.cancel")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const prefs = readPreferenceChoices(form);
    if (!Object.keys(prefs).length) {
      error.textContent = tr.t("declare.error.nopref");
      return;
    }
    await act(() => draftUpdate(d.declaration, d.id, prefs), error, (id) => tr.t("mine.updated", { id }));
  });
  return form;
}

/** Signs one update or revoke, sends it, then reloads the list; problems go to `errorEl`. */
async function act(draft: () => ReturnType<typeof draftRevoke>, errorEl: HTMLElement, said: (id: string) => string): Promise<void> {
  const key = currentKey();
  if (!key) return;
  try {
    const [signed] = await signAll([draft()], key.keypair);
    const [r] = await sendAll(tr, [signed!]);
    if (r!.outcome === "invalid" || r!.outcome === "rejected") {
      errorEl.textContent = r!.problem?.errors?.[0]?.detail ?? r!.problem?.detail ?? r!.outcome;
      return;
    }
    await reload();
    status.textContent = said(r!.id!);
  } catch (err) {
    errorEl.textContent = err instanceof ApiError ? err.message : (err as Error).message;
  }
}

function card(d: Stored): HTMLElement {
  const body = d.declaration;
  const error = h("p", { class: "error", role: "alert" });
  const actions = h("div", {});
  const el = h(
    "article",
    { class: "card", "aria-labelledby": `decl-${d.seq}` },
    h(
      "h3",
      { id: `decl-${d.seq}` },
      h("a", { class: "mono", href: `/directory/${encodeURIComponent(d.id)}` }, d.id),
      " ",
      // A revocation is a record, not a preference that applies: it gets no status of its own.
      body.intent === "revoke" ? h("span", { class: "status unknown" }, tr.t("status.revocation")) : h("span", { class: `status ${d.status}` }, tr.t(`status.${d.status}`)),
    ),
    h(
      "ul",
      { class: "plain" },
      body.name ? h("li", {}, body.name) : null,
      body.iscc ? h("li", { class: "mono" }, body.iscc) : null,
      ...(body.urls ?? []).map((u) => h("li", { class: "mono" }, u)),
      body.intent === "revoke" ? h("li", {}, `${tr.t("decl.supersedes")}: `, h("a", { class: "mono", href: `/directory/${encodeURIComponent(body.supersedes!)}` }, body.supersedes!)) : null,
      body.preferences
        ? h(
            "li",
            {},
            Object.entries(body.preferences)
              .map(([k, v]) => `${tr.pref(k)}: ${tr.t(v === "y" ? "value.y" : "value.n")}`)
              .join(" · "),
          )
        : null,
      h("li", {}, `${tr.t("decl.registered")}: ${tr.dateTime(d.registered_at)}`),
    ),
    actions,
    error,
  );
  actions.append(h("a", { class: "button secondary", href: `/v1/declarations/${encodeURIComponent(d.id)}/evidence`, download: true }, tr.t("decl.evidence")));
  if (d.status === "active" && body.intent !== "revoke") {
    actions.append(
      h(
        "button",
        {
          type: "button",
          onclick: (e: Event) => {
            const existing = el.querySelector("form");
            if (existing) return existing.querySelector<HTMLInputElement>("input")?.focus();
            const form = prefForm(d);
            (e.target as HTMLElement).parentElement!.after(form);
            form.querySelector<HTMLInputElement>("input:checked, input")?.focus();
          },
        },
        tr.t("mine.update"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "danger",
          onclick: () => {
            if (confirm(tr.t("mine.revoke.confirm", { id: d.id }))) void act(() => draftRevoke(d.id), error, () => tr.t("mine.revoked"));
          },
        },
        tr.t("mine.revoke"),
      ),
    );
  }
  return el;
}

async function loadMore(): Promise<void> {
  for (const [who, cursor] of cursors) {
    if (cursor === null) continue;
    const q = new URLSearchParams({ declarant: who, limit: "100" });
    if (cursor) q.set("cursor", cursor);
    const page = await api<{ declarations: Stored[]; next_cursor: string | null }>(tr, "GET", `/v1/declarations?${q}`);
    for (const d of page.declarations) shown.set(d.id, d);
    cursors.set(who, page.next_cursor);
  }
  // Newest first: what a person just did is at the top.
  const all = [...shown.values()].sort((a, b) => b.seq - a.seq);
  list.replaceChildren(...all.map(card));
  more.hidden = ![...cursors.values()].some((c) => c !== null);
  status.textContent = all.length ? tr.t("mine.count", { n: all.length }) : tr.t("mine.none");
}

async function reload(): Promise<void> {
  const key = currentKey();
  shown = new Map();
  list.replaceChildren();
  if (!key) {
    more.hidden = true;
    status.textContent = tr.t("mine.nokey");
    for (const id of ["mine-conflicts", "mine-notices", "mine-conflicts-status", "mine-notices-status"]) $(id).replaceChildren();
    return;
  }
  cursors = new Map([[key.file.pubkey, ""]]);
  if (key.file.controller) cursors.set(key.file.controller, "");
  status.textContent = tr.t("mine.loading");
  const parties = [...cursors.keys()];
  const said = (el: string) => (err: unknown) => ($(el).textContent = err instanceof ApiError ? err.message : String(err));
  await Promise.all([
    loadMore().catch(said("mine-status")),
    showConflicts(tr, parties).catch(said("mine-conflicts-status")),
    showNotifications(tr, parties).catch(said("mine-notices-status")),
  ]);
}

initKeyPanel();
onKeyChange(() => void reload());
more.addEventListener("click", () => void loadMore());
void reload();
