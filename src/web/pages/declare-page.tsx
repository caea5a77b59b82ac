/** Declare: key, for whom (oneself, a member, a catalog's members), files and URL patterns, preferences, details; signed and sent by the island. */
import type { Translator } from "../i18n/translate";
import { KeyPanel, PreferenceChoices, UrlLinesField } from "./parts";

export function DeclarePage({ tr }: { tr: Translator }) {
  return (
    <>
      <h1>{tr.t("declare.title")}</h1>
      <p class="lead">{tr.t("declare.lead")}</p>
      <KeyPanel tr={tr} />
      <form id="declare-form" novalidate>
        <section class="card" aria-labelledby="for-heading">
          <h2 id="for-heading">{tr.t("declare.for")}</h2>
          <fieldset id="declare-for" aria-describedby="declare-for-hint">
            <legend>{tr.t("declare.for.legend")}</legend>
            <p class="hint" id="declare-for-hint">
              {tr.t("declare.for.hint")}
            </p>
            {(["self", "member", "catalog"] as const).map((mode) => (
              <label class="inline">
                <input type="radio" name="declare-for" value={mode} checked={mode === "self"} />
                {tr.t(`declare.for.${mode}`)}
              </label>
            ))}
          </fieldset>
          <div id="declare-member-box" hidden>
            <label for="declare-member">{tr.t("declare.member.label")}</label>
            <input type="text" id="declare-member" name="member" autocomplete="off" spellcheck={false} maxlength={256} aria-describedby="declare-member-hint declare-member-error" />
            <p class="hint" id="declare-member-hint">
              {tr.t("declare.member.hint")}
            </p>
            <p class="error" id="declare-member-error" role="alert"></p>
          </div>
          <div id="declare-catalog-box" hidden>
            <label for="declare-catalog">{tr.t("declare.catalog.label")}</label>
            <input type="file" id="declare-catalog" accept=".csv,.jsonl,.ndjson,text/csv" aria-describedby="declare-catalog-hint declare-catalog-status declare-catalog-error" />
            <p class="hint" id="declare-catalog-hint">
              {tr.t("declare.catalog.hint")}
            </p>
            <p id="declare-catalog-status" role="status" aria-live="polite"></p>
            <p class="error" id="declare-catalog-error" role="alert"></p>
          </div>
        </section>
        <section class="card" aria-labelledby="works-heading" id="declare-works">
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
        <section class="card" aria-labelledby="details-heading" id="declare-details">
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
