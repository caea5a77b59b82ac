/** Evidence: download one for an id (a plain link, no script needed), and verify a file in the page. */
import type { Translator } from "../i18n/translate";

export function EvidencePage({ tr, id }: { tr: Translator; id: string }) {
  return (
    <>
      <h1>{tr.t("evidence.title")}</h1>
      <p class="lead">{tr.t("evidence.lead")}</p>
      <form class="card" id="evidence-download" method="get" action="/evidence/download">
        <h2>{tr.t("evidence.download.heading")}</h2>
        <label for="evidence-id">{tr.t("evidence.download.label")}</label>
        <input type="text" id="evidence-id" name="id" value={id} required spellcheck={false} autocomplete="off" />
        <button type="submit">{tr.t("evidence.download.submit")}</button>
      </form>
      <section class="card" aria-labelledby="verify-heading">
        <h2 id="verify-heading">{tr.t("evidence.verify.heading")}</h2>
        <label for="evidence-file">{tr.t("evidence.verify.label")}</label>
        <input type="file" id="evidence-file" accept=".json,application/json" aria-describedby="evidence-file-hint" />
        <p class="hint" id="evidence-file-hint">
          {tr.t("evidence.verify.hint")}
        </p>
        <div id="evidence-result" role="status" aria-live="polite"></div>
      </section>
    </>
  );
}
