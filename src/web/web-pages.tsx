/**
 * The web app's pages, rendered by the Worker (hono JSX). Each page works as a document first: the
 * directory, a declaration and the evidence download need no script at all. Pages that fingerprint,
 * sign or verify load one small island from /assets (Workers static assets, built by
 * scripts/build-web.mjs). The directory reads the registry through its own public API, in process,
 * so the page shows exactly what the API answers.
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { encodeCursor } from "../http/cursor";
import type { App } from "../http/route";
import { registryIdentity } from "../registry-identity";
import { CATALOGUE, type Locale } from "./i18n/catalogue";
import { negotiateLocale } from "./i18n/negotiate";
import { translator, type Translator } from "./i18n/translate";
import { CheckPage } from "./pages/check-page";
import type { DeclarationDetail } from "../routes/declarations-get";
import { DeclarationPage } from "./pages/declaration-page";
import { DeclarePage } from "./pages/declare-page";
import { DirectoryPage, SEARCH_KINDS, type DeclarationSummary, type RegistryStatusView, type SearchKind } from "./pages/directory-page";
import { EvidencePage } from "./pages/evidence-page";
import { Layout, type PageId } from "./pages/layout";
import { MinePage } from "./pages/mine-page";
import type { PageData } from "./page-data";

/** No inline script or style, nothing from elsewhere: every byte the page runs comes from this Worker. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";


const DIRECTORY_PAGE_SIZE = 50;

function localeOf(c: Context): { locale: Locale; chosen: boolean } {
  const query = c.req.query("lang");
  const cookie = /(?:^|;\s*)lang=([a-z]{2})/.exec(c.req.header("cookie") ?? "")?.[1];
  const locale = negotiateLocale({ query, cookie, acceptLanguage: c.req.header("accept-language") });
  return { locale, chosen: query === locale };
}

/** The request's path and query without `lang`, for the language switcher's links. */
function here(c: Context): string {
  const url = new URL(c.req.url);
  url.searchParams.delete("lang");
  return url.pathname + (url.search || "");
}

async function render(c: Context, page: PageId, title: (tr: Translator) => string, body: (tr: Translator) => Child, script?: string, status = 200) {
  const { locale, chosen } = localeOf(c);
  const tr = translator(locale, CATALOGUE[locale]);
  const me = await registryIdentity(c.env);
  const data: PageData | undefined = script ? { locale, messages: CATALOGUE[locale], registry: { name: me.name, public_key: me.publicKeyMultikey } } : undefined;
  const html = (
    <Layout tr={tr} page={page} title={title(tr)} registryName={me.name} here={here(c)} script={script} data={data}>
      {body(tr)}
    </Layout>
  );
  const headers: Record<string, string> = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "content-language": locale,
    vary: "accept-language, cookie",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
  };
  if (chosen) headers["set-cookie"] = `lang=${locale}; Path=/; Max-Age=31536000; SameSite=Lax`;
  return c.body("<!doctype html>" + html.toString(), status as 200, headers);
}

/** A GET on this registry's own API, in process: the page shows what the API answers. */
async function api<T>(app: App, c: Context, path: string): Promise<{ status: number; body: T }> {
  const res = await app.request(path, { headers: { accept: "application/json" } }, c.env);
  return { status: res.status, body: (await res.json()) as T };
}

export function webPages(app: App) {
  app.get("/", (c) => render(c, "check", (tr) => tr.t("check.title"), (tr) => <CheckPage tr={tr} />, "check.js"));
  app.get("/declare", (c) => render(c, "declare", (tr) => tr.t("declare.title"), (tr) => <DeclarePage tr={tr} />, "declare.js"));
  app.get("/mine", (c) => render(c, "mine", (tr) => tr.t("mine.title"), (tr) => <MinePage tr={tr} />, "mine.js"));
  app.get("/evidence", (c) => render(c, "evidence", (tr) => tr.t("evidence.title"), (tr) => <EvidencePage tr={tr} id={c.req.query("id") ?? ""} />, "evidence.js"));
  // The download form works without script: a redirect to the API's evidence file.
  app.get("/evidence/download", (c) => c.redirect(`/v1/declarations/${encodeURIComponent((c.req.query("id") ?? "").trim())}/evidence`, 303));

  app.get("/directory", async (c) => {
    const by = c.req.query("by");
    const kind: SearchKind = (SEARCH_KINDS as string[]).includes(by ?? "") ? (by as SearchKind) : "url";
    const q = (c.req.query("q") ?? "").trim();
    const status = await api<RegistryStatusView & { declarations: number }>(app, c, "/v1/status");
    const params = new URLSearchParams({ limit: String(DIRECTORY_PAGE_SIZE) });
    // Without a query the directory browses backwards from the newest declaration (`before` = a seq).
    const before = q ? 0 : Math.min(Number(c.req.query("before")) || Infinity, status.body.declarations);
    if (q) params.set(kind, q);
    else params.set("cursor", encodeCursor(Math.max(0, before - DIRECTORY_PAGE_SIZE)));
    const cursor = c.req.query("cursor");
    if (q && cursor) params.set("cursor", cursor);
    const list = await api<{ declarations?: DeclarationSummary[]; next_cursor?: string | null; errors?: { pointer: string; detail: string }[]; detail?: string }>(
      app,
      c,
      `/v1/declarations?${params}`,
    );
    let rows = list.status === 200 ? (list.body.declarations ?? []) : [];
    let next: string | undefined;
    if (!q) {
      rows = rows.filter((r) => r.seq <= before).reverse();
      if (before > DIRECTORY_PAGE_SIZE) next = `/directory?before=${before - DIRECTORY_PAGE_SIZE}`;
    } else if (list.status === 200 && list.body.next_cursor) {
      next = `/directory?by=${kind}&q=${encodeURIComponent(q)}&cursor=${encodeURIComponent(list.body.next_cursor)}`;
    }
    // The registry's own reason (a malformed ISCC, a URL it cannot parse) is shown beside the field.
    const error = list.status === 200 ? undefined : (list.body.errors?.[0]?.detail ?? list.body.detail);
    return render(
      c,
      "directory",
      (tr) => tr.t("directory.title"),
      (tr) => <DirectoryPage tr={tr} kind={kind} q={q} rows={rows} status={status.body} {...(error ? { error } : {})} {...(next ? { nextHref: next } : {})} />,
      undefined,
      list.status === 200 ? 200 : 422,
    );
  });

  app.get("/directory/:id", async (c) => {
    const id = c.req.param("id");
    const res = await api<DeclarationDetail>(app, c, `/v1/declarations/${encodeURIComponent(id)}`);
    if (res.status !== 200)
      return render(c, "directory", (tr) => tr.t("decl.title"), (tr) => <p class="error">{tr.t("decl.notfound", { id })}</p>, undefined, 404);
    return render(c, "directory", (tr) => `${tr.t("decl.title")} ${res.body.id}`, (tr) => <DeclarationPage tr={tr} d={res.body} />);
  });
}
