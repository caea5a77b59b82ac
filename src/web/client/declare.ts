/** The declare page: key, files fingerprinted in Web Workers, URL patterns, preferences; signed here, sent in batches. */
import { checkDeclareInput, draftDeclarations, fieldOfPointer, type DeclareField, type DeclareInput, type Fingerprint } from "../declaration-drafts";
import { ApiError } from "./api";
import { fingerprintFiles, type FingerprintRun } from "./fingerprint";
import { currentKey, initKeyPanel } from "./key-panel";
import { $, dropZone, fieldError, h, page } from "./page";
import { readPreferenceChoices } from "./preference-choices";
import { sendAll, signAll, type ItemResult } from "./sign-and-send";

const { tr } = page();
initKeyPanel();

/** The page's form fields by the name checkDeclareInput and the registry's pointers use. */
const FIELD_IDS: Record<DeclareField, string> = {
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
  const problems = checkDeclareInput(input);
  problems.forEach((p, i) => showProblem(p.field, tr.t(p.key, p.vars), i === 0));
  if (problems.length) return;

  submit.disabled = true;
  try {
    const drafts = draftDeclarations(input);
    out.textContent = tr.t("declare.signing", { done: 0, total: drafts.length });
    const signed = await signAll(drafts, key.keypair, (done) => (out.textContent = tr.t("declare.signing", { done, total: drafts.length })));
    out.textContent = tr.t("declare.sending", { done: 0, total: signed.length });
    const results = await sendAll(tr, signed, (done) => (out.textContent = tr.t("declare.sending", { done, total: signed.length })));
    showReceipts(results, drafts.map((d, i) => (d.iscc ? (files[i]?.name ?? d.iscc) : (d.urls ?? []).join(" "))));
    const refused = results.filter((r) => r.outcome === "invalid" || r.outcome === "rejected");
    const ok = results.length - refused.length;
    out.textContent = tr.t("declare.done", { n: ok });
    if (refused.length) {
      const first = refused[0]!.problem;
      const pointer = first?.errors?.[0]?.pointer ?? "";
      showProblem(fieldOfPointer(pointer), tr.t("declare.error.refused", { n: refused.length, detail: first?.errors?.[0]?.detail ?? first?.detail ?? "" }), true);
    } else {
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

function showReceipts(results: ItemResult[], subjects: string[]): void {
  const cols = [tr.t("directory.col.subjects"), tr.t("directory.col.id"), tr.t("directory.col.status"), tr.t("directory.col.registered"), tr.t("nav.evidence")];
  const cell = (i: number, ...content: (Node | string)[]) => h("td", { "data-label": cols[i] }, ...content);
  const rows = results.map((r, i) =>
    h(
      "tr",
      {},
      cell(0, subjects[i] ?? ""),
      cell(1, r.id ? h("a", { class: "mono", href: `/directory/${encodeURIComponent(r.id)}` }, r.id) : h("span", { class: "bad" }, r.problem?.errors?.[0]?.detail ?? r.problem?.detail ?? r.outcome)),
      cell(2, r.outcome === "created" ? tr.t("declare.receipt.new") : r.outcome === "exists" ? tr.t("declare.receipt.known") : "—"),
      cell(3, r.receipt?.registered_at ? tr.dateTime(r.receipt.registered_at) : ""),
      cell(4, r.id ? h("a", { href: `/v1/declarations/${encodeURIComponent(r.id)}/evidence`, download: true }, tr.t("decl.evidence")) : ""),
    ),
  );
  const table = h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "stack" }, h("thead", {}, h("tr", {}, ...cols.map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, ...rows)),
  );
  $("declare-receipts").prepend(table);
}
