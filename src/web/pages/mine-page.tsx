/** My declarations: listed, updated and revoked by the island with the loaded key. */
import type { Translator } from "../i18n/translate";
import { KeyPanel, PreferenceChoices } from "./parts";

export function MinePage({ tr }: { tr: Translator }) {
  return (
    <>
      <h1>{tr.t("mine.title")}</h1>
      <p class="lead">{tr.t("mine.lead")}</p>
      <KeyPanel tr={tr} />
      <section aria-labelledby="mine-heading">
        <h2 id="mine-heading">{tr.t("mine.title")}</h2>
        <p id="mine-status" role="status" aria-live="polite">
          {tr.t("mine.nokey")}
        </p>
        <div id="mine-list"></div>
        <button type="button" id="mine-more" class="secondary" hidden>
          {tr.t("mine.more")}
        </button>
      </section>
      {/* The preference form of "Change preferences", cloned per declaration by the island (ids renamed from __P__). */}
      <template id="mine-pref-template">
        <PreferenceChoices tr={tr} idPrefix="__P__" initial={{}} />
      </template>
    </>
  );
}
