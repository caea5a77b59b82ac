/** The frame of every page: skip link, site header, main navigation, language switcher, footer. */
import type { Child } from "hono/jsx";
import { LOCALES, LOCALE_NAMES } from "../i18n/catalogue";
import type { Translator } from "../i18n/translate";

export type PageId = "check" | "declare" | "mine" | "evidence" | "directory";

const NAV: { id: PageId; href: string; label: "nav.check" | "nav.declare" | "nav.mine" | "nav.evidence" | "nav.directory" }[] = [
  { id: "check", href: "/", label: "nav.check" },
  { id: "declare", href: "/declare", label: "nav.declare" },
  { id: "mine", href: "/mine", label: "nav.mine" },
  { id: "evidence", href: "/evidence", label: "nav.evidence" },
  { id: "directory", href: "/directory", label: "nav.directory" },
];

export interface LayoutProps {
  tr: Translator;
  page: PageId;
  title: string;
  registryName: string;
  /** The page's path and query without `lang`, so the switcher keeps the reader where they are. */
  here: string;
  /** The client island of this page (a file in /assets), if it has one. */
  script?: string;
  /** Data for the island: read by the client from a non-executable JSON block (the CSP forbids inline scripts). */
  data?: unknown;
  children?: Child;
}

/** JSON that is safe inside <script type="application/json">: no "</script>" can end the block early. */
export function jsonForHtml(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

export function Layout(p: LayoutProps) {
  const { tr } = p;
  const sep = p.here.includes("?") ? "&" : "?";
  return (
    <html lang={tr.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${p.title} · ${tr.t("site.name")}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <link rel="icon" href="/assets/icon.svg" type="image/svg+xml" />
        {p.script ? <script type="module" src={`/assets/${p.script}`}></script> : null}
      </head>
      <body>
        <a class="skip" href="#main">
          {tr.t("site.skip")}
        </a>
        <header class="site">
          <div class="top">
            <a class="brand" href="/">
              {tr.t("site.name")}
            </a>
            <span class="registry">{tr.t("site.registry", { name: p.registryName })}</span>
          </div>
          <nav class="main" aria-label={tr.t("nav.label")}>
            <ul>
              {NAV.map((n) => (
                <li>
                  <a href={n.href} aria-current={n.id === p.page ? "page" : undefined}>
                    {tr.t(n.label)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <nav class="lang" aria-label={tr.t("nav.language")}>
            <ul>
              {LOCALES.map((l) => (
                <li>
                  <a href={`${p.here}${sep}lang=${l}`} lang={l} hreflang={l} aria-current={l === tr.locale ? "true" : undefined}>
                    {LOCALE_NAMES[l]}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </header>
        <main id="main" tabindex={-1}>
          {p.children}
        </main>
        <footer class="site">
          <p>
            {tr.t("site.footer")} <a href="/docs">{tr.t("nav.api")}</a>
          </p>
        </footer>
        {p.data !== undefined ? <script type="application/json" id="page-data" dangerouslySetInnerHTML={{ __html: jsonForHtml(p.data) }}></script> : null}
      </body>
    </html>
  );
}
