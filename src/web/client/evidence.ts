/** The evidence page: a file verified here, offline, with the same module as `optout verify --evidence`. */
import { verifyEvidence } from "../../log/evidence";
import { $, h, page } from "./page";

const { tr, data } = page();
const out = $("evidence-result");
const input = $<HTMLInputElement>("evidence-file");

input.addEventListener("change", async () => {
  const file = input.files?.[0];
  if (!file) return;
  const report = await verifyEvidence(await file.text());
  const steps = h(
    "ul",
    { class: "steps" },
    ...report.steps.map((s) =>
      h("li", {}, h("strong", { class: s.ok ? "ok" : "bad" }, `${s.ok ? "✓" : "✗"} ${s.step}: ${tr.t(s.ok ? "evidence.step.ok" : "evidence.step.failed")}`), " — ", h("span", { class: "mono" }, s.detail)),
    ),
  );
  const headline = report.ok
    ? h("p", { class: "ok" }, tr.t("evidence.valid", { id: report.id ?? "", registry: report.registry ?? "", date: report.registeredAt ? tr.dateTime(report.registeredAt) : "" }))
    : h("p", { class: "bad" }, report.steps[0]?.step === "evidence file" ? tr.t("evidence.error.json", { reason: report.steps[0].detail }) : tr.t("evidence.invalid"));
  const key = report.registryKey
    ? h(
        "p",
        {},
        `${tr.t("evidence.registryKey")}: `,
        h("span", { class: "mono" }, report.registryKey),
        " — ",
        tr.t(report.registryKey === data.registry.public_key ? "evidence.registryKey.same" : "evidence.registryKey.other"),
      )
    : null;
  out.replaceChildren(headline, key ?? "", steps);
});
