/** Directory: search declarations and see the registry's status; rendered entirely by the Worker. */
import type { Translator } from "../i18n/translate";
import { PreferenceList, StatusBadge } from "./parts";

export type SearchKind = "url" | "host" | "iscc" | "declarant";
export const SEARCH_KINDS: SearchKind[] = ["url", "host", "iscc", "declarant"];

export interface DeclarationSummary {
  id: string;
  seq: number;
  status: string;
  registered_at: string;
  declaration: { iscc?: string; datahash?: string; urls?: string[]; name?: string; vocabulary?: number; preferences?: Record<string, string>; intent?: string; supersedes?: string };
}

export interface RegistryStatusView {
  name: string;
  hub_id: number;
  public_key: string;
  log: { size: number; root: string };
  peers: { name: string; url: string; health: string; last_success: string | null; backlog: number; log_size: number | null }[];
}

export function Subjects({ d }: { d: DeclarationSummary["declaration"] }) {
  return (
    <ul class="plain">
      {d.name ? <li>{d.name}</li> : null}
      {d.iscc ? (
        <li>
          <code>{d.iscc}</code>
        </li>
      ) : null}
      {d.urls?.map((u) => (
        <li>
          <code>{u}</code>
        </li>
      ))}
      {d.datahash && !d.iscc ? (
        <li>
          <code>{d.datahash}</code>
        </li>
      ) : null}
      {d.intent === "revoke" ? <li>→ {d.supersedes}</li> : null}
    </ul>
  );
}

export function DeclarationTable({ tr, rows }: { tr: Translator; rows: DeclarationSummary[] }) {
  return (
    <div class="table-wrap">
      <table class="stack">
        <thead>
          <tr>
            <th scope="col">{tr.t("directory.col.id")}</th>
            <th scope="col">{tr.t("directory.col.subjects")}</th>
            <th scope="col">{tr.t("directory.col.preferences")}</th>
            <th scope="col">{tr.t("directory.col.status")}</th>
            <th scope="col">{tr.t("directory.col.registered")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td data-label={tr.t("directory.col.id")}>
                <a class="mono" href={`/directory/${encodeURIComponent(r.id)}`}>
                  {r.id}
                </a>
              </td>
              <td data-label={tr.t("directory.col.subjects")}>
                <Subjects d={r.declaration} />
              </td>
              <td data-label={tr.t("directory.col.preferences")}>
                <PreferenceList tr={tr} prefs={r.declaration.preferences} vocabulary={r.declaration.vocabulary} />
              </td>
              <td data-label={tr.t("directory.col.status")}>
                <StatusBadge tr={tr} status={r.status} intent={r.declaration.intent} />
              </td>
              <td data-label={tr.t("directory.col.registered")}>{tr.dateTime(r.registered_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface DirectoryProps {
  tr: Translator;
  kind: SearchKind;
  q: string;
  rows: DeclarationSummary[];
  /** The registry's own words when the search was refused (a bad ISCC, a bad URL). */
  error?: string;
  nextHref?: string;
  status: RegistryStatusView;
}

export function DirectoryPage(p: DirectoryProps) {
  const { tr, status } = p;
  return (
    <>
      <h1>{tr.t("directory.title")}</h1>
      <p class="lead">{tr.t("directory.lead")}</p>
      <form class="card" method="get" action="/directory" role="search">
        <div class="row">
          <div>
            <label for="directory-kind">{tr.t("directory.search.kind")}</label>
            <select id="directory-kind" name="by">
              {SEARCH_KINDS.map((k) => (
                <option value={k} selected={k === p.kind}>
                  {tr.t(`directory.kind.${k}`)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="directory-q">{tr.t("directory.search.label")}</label>
            <input type="search" id="directory-q" name="q" value={p.q} spellcheck={false} aria-describedby="directory-error" />
          </div>
        </div>
        <p class="error" id="directory-error" role="alert">
          {p.error ?? ""}
        </p>
        <button type="submit">{tr.t("directory.search.submit")}</button>
      </form>
      <section aria-labelledby="directory-results-heading">
        <h2 id="directory-results-heading">{p.q ? tr.t("directory.results", { n: p.rows.length }) : tr.t("directory.latest")}</h2>
        {p.rows.length ? <DeclarationTable tr={tr} rows={p.rows} /> : <p>{tr.t("directory.none")}</p>}
        {p.nextHref ? (
          <a class="button secondary" href={p.nextHref}>
            {tr.t("directory.next")}
          </a>
        ) : null}
      </section>
      <section class="card" aria-labelledby="status-heading">
        <h2 id="status-heading">{tr.t("directory.status")}</h2>
        <dl class="facts">
          <dt>{tr.t("directory.log.size")}</dt>
          <dd>{tr.t("directory.log.entries", { n: status.log.size })}</dd>
          <dt>{tr.t("directory.log.root")}</dt>
          <dd class="mono">{status.log.root}</dd>
          <dt>{tr.t("directory.hub")}</dt>
          <dd>{tr.number(status.hub_id)}</dd>
          <dt>{tr.t("directory.key")}</dt>
          <dd class="mono">{status.public_key}</dd>
        </dl>
        <h3>{tr.t("directory.peers")}</h3>
        {status.peers.length === 0 ? (
          <p>{tr.t("directory.peers.none")}</p>
        ) : (
          <div class="table-wrap">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">{tr.t("directory.peers")}</th>
                  <th scope="col">{tr.t("directory.peer.health")}</th>
                  <th scope="col">{tr.t("directory.peer.lastSuccess")}</th>
                  <th scope="col">{tr.t("directory.peer.backlog")}</th>
                  <th scope="col">{tr.t("directory.peer.log")}</th>
                </tr>
              </thead>
              <tbody>
                {status.peers.map((peer) => (
                  <tr>
                    <td data-label={tr.t("directory.peers")}>
                      <a href={peer.url}>{peer.name}</a>
                    </td>
                    <td data-label={tr.t("directory.peer.health")}>
                      <span class={`status ${peer.health}`}>{tr.t(`health.${peer.health}` as "health.ok")}</span>
                    </td>
                    <td data-label={tr.t("directory.peer.lastSuccess")}>{peer.last_success ? tr.dateTime(peer.last_success) : tr.t("never")}</td>
                    <td data-label={tr.t("directory.peer.backlog")}>{tr.number(peer.backlog)}</td>
                    <td data-label={tr.t("directory.peer.log")}>{peer.log_size === null ? "—" : tr.t("directory.log.entries", { n: peer.log_size })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
