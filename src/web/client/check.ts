/** The check page: URLs through POST /v1/lookup, files fingerprinted here and matched through POST /v1/match. */
import { normalizeUrl, UrlError } from "../../domain/url-normalize";
import { api, ApiError } from "./api";
import { fingerprintFiles } from "./fingerprint";
import { $, dropZone, fieldError, h, page } from "./page";
import { resultBlock, type Cited } from "./results-view";

interface Lookup {
  url: string;
  opted_out?: boolean;
  preferences?: Record<string, string>;
  content_usage?: string;
  declarations?: { id: string; verification: string; preferences: Record<string, string>; pattern: string }[];
  error?: { pointer: string; detail: string };
}

interface MatchAnswer {
  results: {
    iscc: string;
    opted_out?: boolean;
    preferences?: Record<string, string>;
    content_usage?: string;
    matches?: { declaration: { id: string; preferences: Record<string, string> }; verification: Cited["verification"]; units: { unit_type: string; distance: number; similarity: number }[] }[];
    error?: { pointer: string; detail: string };
  }[];
}

const { tr } = page();
const results = $("check-results");
const progress = $("check-progress");

$("check-urls-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const lines = $<HTMLTextAreaElement>("check-urls")
    .value.split(/\r?\n/)
    .map((l) => l.trim());
  const urls = lines.filter(Boolean);
  if (!urls.length) return fieldError("check-urls", tr.t("check.error.nourls"));
  for (const [i, line] of lines.entries()) {
    if (!line) continue;
    try {
      normalizeUrl(line);
    } catch (err) {
      if (!(err instanceof UrlError)) throw err;
      $("check-urls").focus();
      return fieldError("check-urls", tr.t("check.error.url", { line: i + 1, reason: err.message }));
    }
  }
  fieldError("check-urls", "");
  progress.textContent = tr.t("check.asking");
  try {
    const answer = await api<{ results: Lookup[] }>(tr, "POST", "/v1/lookup", { urls });
    results.replaceChildren(
      ...answer.results.map((r) =>
        resultBlock(
          tr,
          r.url,
          r,
          (r.declarations ?? []).map((d): Cited => ({ id: d.id, verification: d.verification, preferences: d.preferences, detail: d.pattern })),
          "check.declarations",
        ),
      ),
    );
    progress.textContent = tr.t("check.results") + ": " + tr.number(answer.results.length);
  } catch (err) {
    progress.textContent = "";
    fieldError("check-urls", err instanceof ApiError ? err.message : String(err));
  }
});

async function checkFiles(files: File[]): Promise<void> {
  fieldError("check-files", "");
  results.replaceChildren();
  progress.textContent = tr.t("check.fingerprinting", { done: 0, total: files.length });
  const run = fingerprintFiles(files, (done, total) => (progress.textContent = tr.t("check.fingerprinting", { done, total })));
  const done = await run.done;
  const coded = done.filter((r) => r.iscc);
  const blocks: HTMLElement[] = done.filter((r) => r.error).map((r) => h("div", { class: "result" }, h("h3", {}, r.file.name), h("p", { class: "error" }, r.error!)));
  if (coded.length) {
    progress.textContent = tr.t("check.asking");
    try {
      // Up to 1,000 codes a request (POST /v1/match).
      for (let i = 0; i < coded.length; i += 1000) {
        const part = coded.slice(i, i + 1000);
        const answer = await api<MatchAnswer>(tr, "POST", "/v1/match", { iscc: part.map((r) => r.iscc) });
        answer.results.forEach((r, j) => {
          const cited = (r.matches ?? []).map((m): Cited => {
            const best = m.units.reduce((a, b) => (b.similarity > a.similarity ? b : a));
            return {
              id: m.declaration.id,
              verification: m.verification,
              preferences: m.declaration.preferences,
              detail: `${tr.t("check.similarity", { pct: tr.percent(best.similarity) })}, ${tr.t("check.distance", { bits: best.distance, unit: best.unit_type })}`,
            };
          });
          const block = resultBlock(tr, part[j]!.file.name, r, cited, "check.matches");
          block.querySelector("h3")!.after(h("p", { class: "mono" }, r.iscc));
          const missing = part[j]!.notComputed;
          if (missing) block.querySelector("p.mono")!.after(h("p", { class: "hint" }, tr.t("check.nocontent", { reason: missing })));
          if (!cited.length) block.append(h("p", {}, tr.t("check.nomatch")));
          blocks.push(block);
        });
      }
    } catch (err) {
      fieldError("check-files", err instanceof ApiError ? err.message : String(err));
    }
  }
  results.replaceChildren(...blocks);
  progress.textContent = tr.t("check.results") + ": " + tr.number(done.length);
}

const input = $<HTMLInputElement>("check-files");
input.addEventListener("change", () => {
  if (input.files?.length) void checkFiles([...input.files]);
});
dropZone($("check-drop"), (files) => void checkFiles(files));
