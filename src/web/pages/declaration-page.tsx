/** One declaration in the directory: what it says, its status and trust, its receipt, its evidence. */
import type { Declaration } from "../../domain/declaration-schema";
import type { DeclarationDetail } from "../../routes/declarations-get";
import type { Receipt } from "../../store/receipt";
import type { Translator } from "../i18n/translate";
import { PreferenceList, StatusBadge } from "./parts";

export function DeclarationPage({ tr, d }: { tr: Translator; d: DeclarationDetail }) {
  // What the registry stored passed its schema; the API's own schema types these members loosely.
  const body = d.declaration as Partial<Declaration>;
  const receipt = d.receipt as Partial<Receipt>;
  return (
    <>
      <h1>
        {tr.t("decl.title")} <span class="mono">{d.id}</span>
      </h1>
      <div class="card">
        <dl class="facts">
          <dt>{tr.t("decl.status")}</dt>
          <dd>
            <StatusBadge tr={tr} status={d.status} intent={d.intent} />
          </dd>
          <dt>{tr.t("decl.registered")}</dt>
          <dd>{tr.dateTime(d.registered_at)}</dd>
          <dt>{tr.t("decl.registry")}</dt>
          <dd>{receipt.registry ?? "—"}</dd>
          {d.supersedes ? (
            <>
              <dt>{tr.t("decl.supersedes")}</dt>
              <dd>
                <a class="mono" href={`/directory/${encodeURIComponent(d.supersedes)}`}>
                  {d.supersedes}
                </a>
              </dd>
            </>
          ) : null}
          {body.name ? (
            <>
              <dt>{tr.t("decl.name")}</dt>
              <dd>{body.name}</dd>
            </>
          ) : null}
          {body.iscc ? (
            <>
              <dt>{tr.t("decl.iscc")}</dt>
              <dd class="mono">{body.iscc}</dd>
            </>
          ) : null}
          {body.datahash ? (
            <>
              <dt>{tr.t("decl.datahash")}</dt>
              <dd class="mono">{body.datahash}</dd>
            </>
          ) : null}
          {d.url_subjects.length ? (
            <>
              <dt>{tr.t("decl.urls")}</dt>
              <dd>
                <ul class="plain">
                  {d.url_subjects.map((u) => (
                    <li>
                      <code>{u.pattern}</code> <span class="trust">({tr.trust(u.verification)})</span>
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          ) : body.urls?.length ? (
            // A revocation's URLs only say what it is about: they match nothing, so they carry no label.
            <>
              <dt>{tr.t("decl.urls")}</dt>
              <dd>
                <ul class="plain">
                  {body.urls.map((u) => (
                    <li>
                      <code>{u}</code>
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          ) : null}
          {body.identifiers ? (
            <>
              <dt>{tr.t("decl.identifiers")}</dt>
              <dd>
                <ul class="plain">
                  {Object.entries(body.identifiers).flatMap(([kind, values]) =>
                    (values ?? []).map((v) => (
                      <li>
                        {kind.toUpperCase()} <code>{v}</code>
                      </li>
                    )),
                  )}
                </ul>
              </dd>
            </>
          ) : null}
          {body.preferences ? (
            <>
              <dt>{tr.t("decl.preferences")}</dt>
              <dd>
                <PreferenceList tr={tr} prefs={body.preferences} vocabulary={body.vocabulary} />
              </dd>
            </>
          ) : null}
          {body.policy ? (
            <>
              <dt>{tr.t("decl.policy")}</dt>
              <dd>
                <a href={body.policy} rel="nofollow noopener">
                  {body.policy}
                </a>
              </dd>
            </>
          ) : null}
          <dt>{tr.t("decl.declarant")}</dt>
          <dd class="mono">{d.declarant}</dd>
          {d.controller ? (
            <>
              <dt>{tr.t("decl.controller")}</dt>
              <dd>
                <span class="mono">{d.controller}</span> ({tr.t(d.controller_verified ? "decl.controller.verified" : "decl.controller.unverified")})
              </dd>
            </>
          ) : null}
        </dl>
        <a class="button" href={`/v1/declarations/${encodeURIComponent(d.id)}/evidence`} download>
          {tr.t("decl.evidence")}
        </a>
        <a class="button secondary" href={`/v1/declarations/${encodeURIComponent(d.id)}`}>
          {tr.t("decl.json")}
        </a>
      </div>
    </>
  );
}
