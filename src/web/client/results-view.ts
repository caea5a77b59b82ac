/** How a lookup or match answer is shown: verdict, effective preferences, Content-Usage, declarations behind it. */
import { CATEGORIES } from "../../domain/preferences";
import type { Translator } from "../i18n/translate";
import { h } from "./page";

export interface Cited {
  id: string;
  /** The trust label as the API answers it. */
  verification: string;
  preferences: Record<string, string>;
  detail?: string;
}

export function verdict(tr: Translator, optedOut: boolean | undefined, prefs: Record<string, string> | undefined): { text: string; cls: string } {
  if (optedOut) return { text: tr.t("check.optedout"), cls: "optedout" };
  const known = prefs && Object.values(prefs).some((v) => v !== "unknown");
  return known ? { text: tr.t("check.allowed"), cls: "allowed" } : { text: tr.t("check.nopref"), cls: "" };
}

/** Answers speak the current vocabulary; a cited declaration's own keys follow in their order. */
function prefText(tr: Translator, prefs: Record<string, string>): string {
  const keys = [...CATEGORIES.filter((k) => k in prefs), ...Object.keys(prefs).filter((k) => !(CATEGORIES as readonly string[]).includes(k))];
  return keys
    .map((k) => `${tr.pref(k)}: ${tr.t(prefs[k] === "y" ? "value.y" : prefs[k] === "n" ? "value.n" : "value.unknown")}`)
    .join(" · ");
}

/** One result block; `title` is the URL or the file name, shown as a heading for screen-reader navigation. */
export function resultBlock(
  tr: Translator,
  title: string,
  answer: { opted_out?: boolean; preferences?: Record<string, string>; content_usage?: string; error?: { detail: string } },
  cited: Cited[],
  countKey: "check.declarations" | "check.matches",
): HTMLElement {
  if (answer.error) return h("div", { class: "result" }, h("h3", {}, title), h("p", { class: "error" }, answer.error.detail));
  const v = verdict(tr, answer.opted_out, answer.preferences);
  return h(
    "div",
    { class: `result ${v.cls}` },
    h("h3", { class: "mono" }, title),
    h("p", {}, h("strong", {}, v.text)),
    answer.preferences ? h("p", {}, `${tr.t("check.effective")}: ${prefText(tr, answer.preferences)}`) : null,
    answer.content_usage ? h("p", {}, `${tr.t("check.contentUsage")}: `, h("code", {}, answer.content_usage)) : null,
    h("p", {}, tr.t(countKey, { n: cited.length })),
    cited.length
      ? h(
          "ul",
          {},
          ...cited.map((d) =>
            h(
              "li",
              {},
              h("a", { class: "mono", href: `/directory/${encodeURIComponent(d.id)}` }, d.id),
              " ",
              h("span", { class: "trust" }, `(${tr.trust(d.verification)})`),
              d.detail ? ` — ${d.detail}` : "",
              h("br"),
              prefText(tr, d.preferences),
            ),
          ),
        )
      : null,
    // The registry's consent rule (src/domain/consent.ts), said where its effect is visible.
    cited.some((d) => d.verification !== "domain-verified" && Object.values(d.preferences).includes("y")) ? h("p", { class: "hint" }, tr.t("check.unverifiedAllow")) : null,
  );
}
