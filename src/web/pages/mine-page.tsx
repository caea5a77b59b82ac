/** My declarations: listed, updated and revoked by the island with the loaded key; the conflicts and notifications that concern it. */
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
      <section aria-labelledby="conflicts-heading">
        <h2 id="conflicts-heading">{tr.t("mine.conflicts")}</h2>
        <p class="hint">{tr.t("mine.conflicts.lead")}</p>
        <p id="mine-conflicts-status" role="status" aria-live="polite"></p>
        <div id="mine-conflicts"></div>
      </section>
      <section aria-labelledby="notices-heading">
        <h2 id="notices-heading">{tr.t("mine.notifications")}</h2>
        <p class="hint">{tr.t("mine.notifications.lead")}</p>
        <p id="mine-notices-status" role="status" aria-live="polite"></p>
        <ul id="mine-notices" class="plain"></ul>
      </section>
      {/* The preference form of "Change preferences", cloned per declaration by the island (ids renamed from __P__). */}
      <template id="mine-pref-template">
        <PreferenceChoices tr={tr} idPrefix="__P__" initial={{}} />
      </template>
    </>
  );
}
