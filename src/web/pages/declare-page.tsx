/** Declare: key, files and URL patterns, preferences, details; signed and sent by the island. */
import type { Translator } from "../i18n/translate";
import { KeyPanel, PreferenceChoices, UrlLinesField } from "./parts";

export function DeclarePage({ tr }: { tr: Translator }) {
  return (
    <>
      <h1>{tr.t("declare.title")}</h1>
      <p class="lead">{tr.t("declare.lead")}</p>
      <KeyPanel tr={tr} />
      <form id="declare-form" novalidate>
        <section class="card" aria-labelledby="works-heading">
          <h2 id="works-heading">{tr.t("declare.works")}</h2>
          <div class="drop" id="declare-drop">
            <label for="declare-files">{tr.t("declare.files.label")}</label>
            <input type="file" id="declare-files" multiple aria-describedby="declare-files-hint declare-files-status" />
            <p class="hint" id="declare-files-hint">
              {tr.t("declare.files.hint")} {tr.t("check.drop")}
            </p>
          </div>
          <div id="declare-progress-box" hidden>
            <label for="declare-progress">{tr.t("declare.progress")}</label>
            <progress id="declare-progress" max={1} value={0}></progress>
            <button type="button" id="declare-cancel" class="secondary">
              {tr.t("declare.cancel")}
            </button>
          </div>
          <p id="declare-files-status" role="status" aria-live="polite"></p>
          <button type="button" id="declare-clear" class="secondary" hidden>
            {tr.t("declare.files.clear")}
          </button>
          <UrlLinesField id="declare-urls" label={tr.t("declare.urls.label")} hint={tr.t("declare.urls.hint")} rows={3} />
        </section>
        <section class="card" aria-labelledby="prefs-heading">
          <h2 id="prefs-heading">{tr.t("declare.prefs")}</h2>
          <p class="hint">{tr.t("declare.prefs.hint")}</p>
          <PreferenceChoices tr={tr} idPrefix="pref" initial={{ "train-ai": "n" }} />
          <p class="error" id="declare-prefs-error" role="alert"></p>
        </section>
        <section class="card" aria-labelledby="details-heading">
          <h2 id="details-heading">{tr.t("declare.details")}</h2>
          <label for="declare-name">{tr.t("declare.name.label")}</label>
          <input type="text" id="declare-name" name="name" maxlength={500} aria-describedby="declare-name-error" />
          <p class="error" id="declare-name-error" role="alert"></p>
          <label for="declare-policy">{tr.t("declare.policy.label")}</label>
          <input type="url" id="declare-policy" name="policy" maxlength={2048} aria-describedby="declare-policy-hint declare-policy-error" />
          <p class="hint" id="declare-policy-hint">
            {tr.t("declare.policy.hint")}
          </p>
          <p class="error" id="declare-policy-error" role="alert"></p>
        </section>
        <p class="error" id="declare-error" role="alert"></p>
        <button type="submit" id="declare-submit" aria-describedby="declare-submit-hint">
          {tr.t("declare.submit")}
        </button>
        <p class="hint" id="declare-submit-hint">
          {tr.t("declare.submit.hint")}
        </p>
      </form>
      <section aria-labelledby="receipts-heading">
        <h2 id="receipts-heading">{tr.t("declare.receipts")}</h2>
        <p id="declare-status" role="status" aria-live="polite"></p>
        <div id="declare-receipts"></div>
      </section>
    </>
  );
}
