/** Small pieces several pages share. */
import { CATEGORIES, VOCABULARY_KEYS, vocabularyOf } from "../../domain/preferences";
import type { Translator } from "../i18n/translate";

/** A declaration's status; a revocation is a record, not a preference that applies, so it is shown as one. */
export function StatusBadge({ tr, status, intent }: { tr: Translator; status: string; intent?: string }) {
  if (intent === "revoke") return <span class="status unknown">{tr.t("status.revocation")}</span>;
  const key = `status.${status}` as "status.active";
  return <span class={`status ${status}`}>{tr.t(key)}</span>;
}

/** A text area for web addresses or URL patterns, one per line, with its hint and the place its error is said. */
export function UrlLinesField({ id, label, hint, rows }: { id: string; label: string; hint: string; rows: number }) {
  return (
    <>
      <label for={id}>{label}</label>
      <textarea id={id} name="urls" rows={rows} spellcheck={false} autocomplete="off" aria-describedby={`${id}-hint ${id}-error`}></textarea>
      <p class="hint" id={`${id}-hint`}>
        {hint}
      </p>
      <p class="error" id={`${id}-error`} role="alert"></p>
    </>
  );
}

/** A declaration's stated preferences, in words, in the order of the vocabulary it was signed under. */
export function PreferenceList({ tr, prefs, vocabulary }: { tr: Translator; prefs: Record<string, string> | undefined; vocabulary?: number }) {
  const keys = Object.keys(prefs ?? {});
  if (!keys.length) return <span>—</span>;
  const order = VOCABULARY_KEYS[vocabularyOf({ vocabulary })];
  const ordered = [...order.filter((k) => keys.includes(k)), ...keys.filter((k) => !order.includes(k))];
  return (
    <ul class="plain">
      {ordered.map((k) => (
        <li>
          {tr.pref(k)}: <strong>{tr.t(prefs![k] === "y" ? "value.y" : "value.n")}</strong>
        </li>
      ))}
    </ul>
  );
}

/**
 * One fieldset per category of the current vocabulary, each with three choices: not allowed,
 * allowed, not stated. Built from the vocabulary module, so a new vocabulary version changes this
 * form by itself (labels come from the catalogue by key); `idPrefix` keeps ids unique when the form
 * appears more than once on a page.
 */
export function PreferenceChoices({ tr, idPrefix, initial }: { tr: Translator; idPrefix: string; initial: Record<string, string> }) {
  return (
    <div class="prefs">
      {CATEGORIES.map((key) => {
        const name = `${idPrefix}-${key}`;
        const value = initial[key] ?? "";
        const help = tr.pref(key, "help");
        return (
          <fieldset class="pref" aria-describedby={help ? `${name}-help` : undefined}>
            <legend>{tr.pref(key)}</legend>
            {help ? (
              <p class="hint" id={`${name}-help`}>
                {help}
              </p>
            ) : null}
            <div>
              {(["n", "y", ""] as const).map((v) => (
                <label class="inline">
                  <input type="radio" name={name} value={v} checked={value === v} data-pref={key} />
                  {tr.t(v === "n" ? "declare.choice.n" : v === "y" ? "declare.choice.y" : "declare.choice.unset")}
                </label>
              ))}
            </div>
          </fieldset>
        );
      })}
    </div>
  );
}

/** The signing-key panel of the declare and my-declarations pages; the client island brings it to life. */
export function KeyPanel({ tr }: { tr: Translator }) {
  return (
    <section class="card" aria-labelledby="key-heading" id="key-panel">
      <h2 id="key-heading">{tr.t("key.heading")}</h2>
      <p id="key-status" role="status" aria-live="polite">
        {tr.t("key.none")}
      </p>
      <div id="key-actions-loaded" hidden>
        <button type="button" id="key-backup">
          {tr.t("key.backup")}
        </button>
        <button type="button" id="key-forget" class="secondary">
          {tr.t("key.forget")}
        </button>
        <p class="hint">{tr.t("key.backup.hint")}</p>
      </div>
      <div id="key-actions-none">
        <label for="key-controller">{tr.t("key.controller.label")}</label>
        <input type="text" id="key-controller" name="controller" autocomplete="off" spellcheck={false} aria-describedby="key-controller-hint key-controller-error" placeholder="did:web:example.com" />
        <p class="hint" id="key-controller-hint">
          {tr.t("key.controller.hint")}
        </p>
        <p class="error" id="key-controller-error" role="alert"></p>
        <button type="button" id="key-create">
          {tr.t("key.create")}
        </button>
        <label for="key-import">{tr.t("key.import")}</label>
        <input type="file" id="key-import" accept=".json,application/json" aria-describedby="key-import-hint key-import-error" />
        <p class="hint" id="key-import-hint">
          {tr.t("key.import.hint")}
        </p>
        <p class="error" id="key-import-error" role="alert"></p>
      </div>
    </section>
  );
}
