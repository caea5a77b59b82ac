/** Check (the home page): URLs and files against the registry; the island does the asking. */
import type { Translator } from "../i18n/translate";
import { UrlLinesField } from "./parts";

export function CheckPage({ tr }: { tr: Translator }) {
  return (
    <>
      <h1>{tr.t("check.title")}</h1>
      <p class="lead">{tr.t("check.lead")}</p>
      <form class="card" id="check-urls-form" novalidate>
        <UrlLinesField id="check-urls" label={tr.t("check.urls.label")} hint={tr.t("check.urls.hint")} rows={4} />
        <button type="submit">{tr.t("check.urls.submit")}</button>
      </form>
      <div class="card drop" id="check-drop">
        <label for="check-files">{tr.t("check.files.label")}</label>
        <input type="file" id="check-files" multiple aria-describedby="check-files-hint" />
        <p class="hint" id="check-files-hint">
          {tr.t("check.files.hint")} {tr.t("check.drop")}
        </p>
        <p class="error" id="check-files-error" role="alert"></p>
      </div>
      <section aria-labelledby="check-results-heading">
        <h2 id="check-results-heading">{tr.t("check.results")}</h2>
        <p id="check-progress" role="status" aria-live="polite"></p>
        <div id="check-results" aria-live="polite"></div>
      </section>
    </>
  );
}
