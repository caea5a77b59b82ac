/**
 * The declare page: key, for whom (oneself, or as an agent for one member or a catalog's members),
 * files fingerprinted in Web Workers, URL patterns, preferences; signed here, sent in batches. An
 * agent sees, per declaration, the label the registry answered and which mandate.
 */
import type { CatalogRow } from "../../catalog/catalog-row";
import {
  checkDeclareInput,
  draftCatalog,
  draftDeclarations,
  fieldOfPointer,
  isniOf,
  memberProblem,
  onBehalfOf,
  type DeclareField,
  type DeclareFor,
  type DeclareInput,
  type Fingerprint,
  type Unsigned,
} from "../declaration-drafts";
import { api, ApiError } from "./api";
import { fingerprintFiles, type FingerprintRun } from "./fingerprint";
import { currentKey, initKeyPanel } from "./key-panel";
import { $, dropZone, fieldError, h, page } from "./page";
import { readPreferenceChoices } from "./preference-choices";
import { sendAll, signAll, type ItemResult } from "./sign-and-send";

const { tr } = page();
initKeyPanel();

/** The page's form fields by the name checkDeclareInput and the registry's pointers use. */
const FIELD_IDS: Record<DeclareField, string> = {
  member: "declare-member",
  catalog: "declare-catalog",
  urls: "declare-urls",
  prefs: "declare-prefs",
  policy: "declare-policy",
  name: "declare-name",
  form: "declare",
};

let files: (Fingerprint & { name: string })[] = [];
let running: FingerprintRun | null = null;
const status = $("declare-files-status");
const progressBox = $("declare-progress-box");
const progress = $<HTMLProgressElement>("declare-progress");

function showFiles(extra = ""): void {
  status.textContent = (files.length ? tr.t("declare.files.ready", { n: files.length }) : "") + (extra ? ` ${extra}` : "");
  $("declare-clear").hidden = files.length === 0;
}

async function addFiles(list: File[]): Promise<void> {
  if (running || !list.length) return;
  progressBox.hidden = false;
  progress.max = list.length;
  progress.value = 0;
  status.textContent = tr.t("declare.progress.text", { done: 0, total: list.length });
  running = fingerprintFiles(list, (done, total) => {
    progress.value = done;
    // A live region read every few files, not on each one, so a screen reader is not flooded.
    if (done === total || done % Math.max(1, Math.ceil(total / 20)) === 0) status.textContent = tr.t("declare.progress.text", { done, total });
  });
  const run = running;
  const results = await run.done;
  const cancelled = results.length < list.length;
  running = null;
  progressBox.hidden = true;
  const failed = results.filter((r) => r.error);
  const partial = results.filter((r) => r.notComputed);
  files = files.concat(results.filter((r) => r.iscc).map((r) => ({ name: r.file.name, iscc: r.iscc!, datahash: r.datahash! })));
  showFiles(
    [
      cancelled ? tr.t("declare.cancelled", { n: results.length }) : "",
      partial.length ? tr.t("declare.files.nocontent", { n: partial.length, reason: partial[0]!.notComputed! }) : "",
      ...failed.map((r) => `${r.file.name}: ${r.error}`),
    ]
      .filter(Boolean)
      .join(" "),
  );
}

const fileInput = $<HTMLInputElement>("declare-files");
fileInput.addEventListener("change", () => {
  const list = [...(fileInput.files ?? [])];
  fileInput.value = "";
  void addFiles(list);
});
dropZone($("declare-drop"), (list) => void addFiles(list));
$("declare-cancel").addEventListener("click", () => running?.cancel());
$("declare-clear").addEventListener("click", () => {
  files = [];
  showFiles();
  fileInput.focus();
});

/** Whom the page declares for; the works and details cards are the catalog's rows in catalog mode. */
function mode(): DeclareFor {
  return (document.querySelector<HTMLInputElement>('input[name="declare-for"]:checked')?.value ?? "self") as DeclareFor;
}
function showMode(): void {
  const m = mode();
  $("declare-member-box").hidden = m === "self";
  $("declare-catalog-box").hidden = m !== "catalog";
  $("declare-works").hidden = m === "catalog";
  $("declare-details").hidden = m === "catalog";
}
for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="declare-for"]')) radio.addEventListener("change", showMode);
showMode();

/**
 * Members named by ISNI (the field, or a catalog's member column) become the member a mandate to
 * this agent names with that `member_isni` and that is in force now; an ISNI no such mandate states
 * is a problem to show. One listing of the agent's mandates (by its key and its controller).
 */
async function membersByIsni(names: string[], agents: string[]): Promise<{ members: Map<string, string>; unknown: string[] }> {
  const wanted = new Set(names.map((n) => isniOf(n)).filter((x): x is string => x !== null));
  const members = new Map<string, string>();
  if (!wanted.size) return { members, unknown: [] };
  for (const agent of agents) {
    const page = await api<{ mandates: { in_force: boolean; member: string; mandate: { member_isni?: string } }[] }>(tr, "GET", `/v1/mandates?agent=${encodeURIComponent(agent)}&limit=1000`);
    for (const m of page.mandates) if (m.in_force && m.mandate.member_isni && wanted.has(m.mandate.member_isni)) members.set(m.mandate.member_isni, m.member);
  }
  return { members, unknown: [...wanted].filter((i) => !members.has(i)) };
}

/** The catalog's rows, read with optout import's own parser (loaded when a catalog is chosen). */
let catalog: { name: string; rows: CatalogRow[] } | null = null;
const catalogInput = $<HTMLInputElement>("declare-catalog");
catalogInput.addEventListener("change", async () => {
  catalog = null;
  fieldError("declare-catalog", "");
  $("declare-catalog-status").textContent = "";
  const file = catalogInput.files?.[0];
  if (!file) return;
  try {
    const { catalogTextRows } = await import("../../catalog/catalog-text");
    catalog = { name: file.name, rows: catalogTextRows(await file.text(), file.name) };
    $("declare-catalog-status").textContent = tr.t("declare.catalog.ready", { n: catalog.rows.length, file: file.name });
  } catch (e) {
    fieldError("declare-catalog", (e as Error).message);
  }
});

function clearErrors(): void {
  for (const id of Object.values(FIELD_IDS)) fieldError(id, "");
}

function showProblem(field: DeclareField, message: string, focus: boolean): void {
  const id = FIELD_IDS[field];
  const err = document.getElementById(`${id}-error`);
  if (err && err.textContent) err.textContent += " " + message;
  else fieldError(id, message);
  if (focus) (field === "prefs" ? document.querySelector<HTMLInputElement>("#declare-form input[data-pref]") : document.getElementById(field === "form" ? "declare-files" : id))?.focus();
}

const submit = $<HTMLButtonElement>("declare-submit");
const out = $("declare-status");

$("declare-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors();
  const key = currentKey();
  if (!key) {
    showProblem("form", tr.t("declare.error.nokey"), false);
    $("key-create").focus();
    return;
  }
  if (running) return showProblem("form", tr.t("declare.error.busy"), false);
  const input: DeclareInput = {
    files,
    urls: $<HTMLTextAreaElement>("declare-urls").value,
    preferences: readPreferenceChoices($("declare-form")),
    name: $<HTMLInputElement>("declare-name").value,
    policy: $<HTMLInputElement>("declare-policy").value,
  };
  const forWhom = mode();
  let member = $<HTMLInputElement>("declare-member").value;
  if (forWhom !== "self") {
    const named = [member, ...(forWhom === "catalog" ? (catalog?.rows ?? []).map((r) => r.member ?? "") : [])];
    let byIsni;
    try {
      byIsni = await membersByIsni(named, [key.file.pubkey, ...(key.file.controller ? [key.file.controller] : [])]);
    } catch (err) {
      return showProblem("form", err instanceof ApiError ? err.message : String(err), false);
    }
    if (byIsni.unknown.length) return showProblem("member", tr.t("declare.error.isni", { isni: byIsni.unknown.join(", ") }), true);
    const resolve = (m: string) => byIsni.members.get(isniOf(m) ?? "") ?? m;
    member = resolve(member);
    if (catalog) catalog = { ...catalog, rows: catalog.rows.map((r) => (r.member ? { ...r, member: resolve(r.member) } : r)) };
  }
  let drafts: Unsigned[];
  let subjects: string[];
  const memberIssue = memberProblem(forWhom, member);
  if (forWhom === "catalog") {
    if (memberIssue) showProblem(memberIssue.field, tr.t(memberIssue.key), true);
    if (!catalog) return showProblem("catalog", tr.t("declare.error.nocatalog"), !memberIssue);
    if (memberIssue) return;
    const drafted = draftCatalog(catalog.rows, input.preferences, member);
    if (drafted.problems.length) {
      const lines = drafted.problems.slice(0, 5).map((p) => tr.t("declare.error.row", { where: p.where, reason: p.detail ?? tr.t(p.key!, p.vars) }));
      return showProblem("catalog", lines.join(" ") + (drafted.problems.length > 5 ? " …" : ""), true);
    }
    drafts = drafted.drafts;
    subjects = catalog.rows.map((r) => r.name ?? [r.iscc, r.datahash, ...(r.urls ?? []), ...(r.identifiers ?? [])].filter(Boolean).join(" "));
  } else {
    const problems = [...(memberIssue ? [memberIssue] : []), ...checkDeclareInput(input)];
    problems.forEach((p, i) => showProblem(p.field, tr.t(p.key, p.vars), i === 0));
    if (problems.length) return;
    drafts = draftDeclarations(input);
    if (forWhom === "member") drafts = onBehalfOf(drafts, member);
    subjects = drafts.map((d, i) => (d.iscc ? (files[i]?.name ?? d.iscc) : (d.urls ?? []).join(" ")));
  }

  submit.disabled = true;
  try {
    out.textContent = tr.t("declare.signing", { done: 0, total: drafts.length });
    const signed = await signAll(drafts, key.keypair, (done) => (out.textContent = tr.t("declare.signing", { done, total: drafts.length })));
    out.textContent = tr.t("declare.sending", { done: 0, total: signed.length });
    const results = await sendAll(tr, signed, (done) => (out.textContent = tr.t("declare.sending", { done, total: signed.length })));
    showReceipts(results, subjects, forWhom !== "self");
    const refused = results.filter((r) => r.outcome === "invalid" || r.outcome === "rejected");
    const ok = results.length - refused.length;
    out.textContent = tr.t("declare.done", { n: ok });
    if (refused.length) {
      const first = refused[0]!.problem;
      const pointer = first?.errors?.[0]?.pointer ?? "";
      showProblem(fieldOfPointer(pointer), tr.t("declare.error.refused", { n: refused.length, detail: first?.errors?.[0]?.detail ?? first?.detail ?? "" }), true);
    } else if (forWhom !== "catalog") {
      files = [];
      showFiles();
    }
  } catch (err) {
    out.textContent = "";
    showProblem("form", err instanceof ApiError ? err.message : String(err), false);
  } finally {
    submit.disabled = false;
  }
});

function showReceipts(results: ItemResult[], subjects: string[], asAgent: boolean): void {
  const cols = [
    tr.t("directory.col.subjects"),
    ...(asAgent ? [tr.t("declare.col.for")] : []),
    tr.t("directory.col.id"),
    tr.t("directory.col.status"),
    tr.t("directory.col.registered"),
    tr.t("nav.evidence"),
  ];
  const cell = (i: number, ...content: (Node | string)[]) => h("td", { "data-label": cols[i] }, ...content);
  const rows = results.map((r, i) => {
    const c = asAgent ? 1 : 0;
    return h(
      "tr",
      {},
      cell(0, subjects[i] ?? ""),
      // The registry's answer: who it speaks for, and on what authority (README, Mandates).
      asAgent ? cell(1, ...(r.agent ? agentCell(r.agent) : ["—"])) : null,
      cell(1 + c, r.id ? h("a", { class: "mono", href: `/directory/${encodeURIComponent(r.id)}` }, r.id) : h("span", { class: "bad" }, r.problem?.errors?.[0]?.detail ?? r.problem?.detail ?? r.outcome)),
      cell(2 + c, r.outcome === "created" ? tr.t("declare.receipt.new") : r.outcome === "exists" ? tr.t("declare.receipt.known") : "—"),
      cell(3 + c, r.receipt?.registered_at ? tr.dateTime(r.receipt.registered_at) : ""),
      cell(4 + c, r.id ? h("a", { href: `/v1/declarations/${encodeURIComponent(r.id)}/evidence`, download: true }, tr.t("decl.evidence")) : ""),
    );
  });
  const table = h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "stack" }, h("thead", {}, h("tr", {}, ...cols.map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, ...rows)),
  );
  $("declare-receipts").prepend(table);
}

function agentCell(a: NonNullable<ItemResult["agent"]>): (Node | string)[] {
  return [
    h("span", { class: "mono" }, a.member),
    " ",
    ...(a.member_isni ? [h("span", { class: "mono" }, `ISNI ${a.member_isni}`), " "] : []),
    h("span", { class: `trust ${a.label}` }, `(${tr.trust(a.label)})`),
    " ",
    a.mandate ? h("a", { class: "mono", href: `/v1/mandates/${encodeURIComponent(a.mandate)}` }, tr.t("declare.agent.mandate", { id: a.mandate })) : h("span", {}, tr.t("declare.agent.nomandate")),
  ];
}
