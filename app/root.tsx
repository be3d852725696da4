import { getDb } from "~/utils/db.server";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  useMatches,
  ScrollRestoration,
  useLocation,
  useRouteError,
} from "@remix-run/react";
import { Link } from "~/components/links";
import { usePrefetchNamespaces, useTranslation } from "~/components/i18n";
import { useNonce } from "~/components/nonce";
import { BasePathProvider, useBasePath } from "~/components/app-path";
import { useRootData, type PageHandle } from "~/components/root-data";
import { getCsrfToken, getLang, langCookieFromUrl } from "~/utils/request.server";
import { getOrgProfile } from "~/models/organisation/profile.server";
import { localeBundleHref, NAMESPACES, type Lang, type Namespace } from "~/i18n";
import { localeVersion } from "~/utils/locale-bundles.server";
import { enhanceScripts } from "~/utils/enhance-scripts.server";
import sarabunThaiRegular from "@fontsource/sarabun/files/sarabun-thai-400-normal.woff2";
import fontsHref from "~/styles/fonts.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: fontsHref },
  { rel: "stylesheet", href: "/styles/app.css" },
  { rel: "stylesheet", href: "/styles/print.css", media: "print" },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "สุจริต · Sujarit" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const lang = getLang(request);
  const csrf = getCsrfToken(request);
  const org = await getOrgProfile(getDb());
  const headers = new Headers();
  if (csrf.setCookie) headers.append("Set-Cookie", csrf.setCookie);
  // ?lang=en on any page: that page is in English (getLang) and so are the next ones (the cookie).
  const langCookie = langCookieFromUrl(request);
  if (langCookie) headers.append("Set-Cookie", langCookie);
  return json(
    {
      lang,
      csrf: csrf.field,
      i18nVersion: localeVersion(),
      enhanceScripts: enhanceScripts(),
      org: { nameTh: org.name_th, nameEn: org.name_en, phone: org.phone, email: org.email },
    },
    { headers },
  );
}

/** Root loader data for any component: app/components/root-data.ts (components import it from there, not from here). */

function usePageHandles(): PageHandle[] {
  return useMatches().map((m) => (m.handle ?? {}) as PageHandle);
}

/**
 * The namespaces the browser fetches, "common" first: the browser gets these strings only (app/i18n.ts). The <meta>
 * tells the browser's code what to load (entry.client before hydrating, app/enhance/page.ts); the small script starts
 * fetching them at once, while the other scripts load (a browser without JavaScript fetches nothing). Same markup on
 * the server and in the browser.
 */
function LocaleStrings({ lang, nonce, wanted }: { lang: Lang; nonce: string; wanted: ReadonlySet<string> }) {
  const version = useRootData()?.i18nVersion;
  const namespaces = NAMESPACES.filter((ns: Namespace) => wanted.has(ns));
  usePrefetchNamespaces(namespaces);
  if (!version || namespaces.length === 0) return null;
  const hrefs = JSON.stringify(namespaces.map((ns) => localeBundleHref(version, lang, ns)));
  return (
    <>
      <meta name="i18n" content={[lang, version, ...namespaces].join(" ")} />
      <script
        nonce={nonce}
        suppressHydrationWarning
        dangerouslySetInnerHTML={{
          __html: `window.__strings={};for(const h of ${hrefs})__strings[h]=fetch(h).then(r=>r.ok?r.json():null,()=>null)`,
        }}
      />
    </>
  );
}

function Document({ children, lang }: { children: React.ReactNode; lang: Lang }) {
  const nonce = useNonce();
  const handles = usePageHandles();
  const hydrate = !handles.some((h) => h.hydrate === false);
  const enhance = hydrate ? undefined : handles.find((h) => h.enhance)?.enhance;
  const rootData = useRootData();
  const enhanceSrc = enhance ? rootData?.enhanceScripts[enhance.script] : undefined;
  const wanted = new Set<string>(
    hydrate ? ["common", ...handles.flatMap((h) => h.i18n ?? [])] : enhanceSrc ? (enhance?.strings ?? []) : [],
  );
  const base = useBasePath();
  return (
    <html lang={lang} data-base={base || undefined}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <Meta />
        {lang === "th" ? <link rel="preload" as="font" type="font/woff2" crossOrigin="anonymous" href={sarabunThaiRegular} /> : null}
        <Links />
        <LocaleStrings lang={lang} nonce={nonce} wanted={wanted} />
      </head>
      <body>
        <BasePathProvider value={base}>{children}</BasePathProvider>
        {hydrate ? <ScrollRestoration nonce={nonce} /> : null}
        {hydrate ? <Scripts nonce={nonce} /> : null}
        {enhanceSrc ? <script type="module" nonce={nonce} src={enhanceSrc} /> : null}
      </body>
    </html>
  );
}

export function LanguageSwitch() {
  const { t } = useTranslation();
  const data = useRootData();
  const location = useLocation();
  const target = data?.lang === "en" ? "th" : "en";
  return (
    <Form method="post" action="/language" reloadDocument className="lang-switch">
      <input type="hidden" name="csrf" value={data?.csrf ?? ""} />
      <input type="hidden" name="lng" value={target} />
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      <button type="submit" lang={target} aria-label={t("language.switchToLabel")}>
        {t("language.switchTo")}
      </button>
    </Form>
  );
}

function SiteHeader() {
  const { t } = useTranslation();
  const data = useRootData();
  const orgName = data ? (data.lang === "en" ? data.org.nameEn : data.org.nameTh) : "";
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        {t("skipToContent")}
      </a>
      <div className="container header-row">
        <Link to="/" className="brand">
          <span className="brand-name">{t("appName")}</span>
          <span className="brand-org">{orgName}</span>
        </Link>
        <LanguageSwitch />
      </div>
      <nav aria-label={t("nav.main")} className="container main-nav">
        <Link to="/complaints/new">{t("nav.newComplaint")}</Link>
        <Link to="/track">{t("nav.track")}</Link>
        <Link to="/report">{t("nav.report")}</Link>
        <Link to="/stats">{t("nav.stats")}</Link>
      </nav>
    </header>
  );
}

function SiteFooter() {
  const { t } = useTranslation();
  const data = useRootData();
  return (
    <footer className="site-footer">
      <div className="container">
        <p>{data ? (data.lang === "en" ? data.org.nameEn : data.org.nameTh) : null}</p>
        {data?.org.phone ? <p>☎ {data.org.phone}</p> : null}
        <p>{t("footer.privacy")}</p>
        <p>
          <Link to="/stats">{t("nav.stats")}</Link>
          {" · "}
          <Link to="/feedback">{t("nav.feedback")}</Link>
          {" · "}
          <Link to="/staff">{t("nav.staff")}</Link>
        </p>
      </div>
    </footer>
  );
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRootData();
  return (
    <Document lang={data?.lang ?? "th"}>
      <SiteHeader />
      <main id="main" tabIndex={-1} className="container">
        {children}
      </main>
      <SiteFooter />
    </Document>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  let title = t("errors.serverTitle");
  let message = t("errors.server");
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) {
      title = t("errors.notFoundTitle");
      message = t("errors.notFound");
    } else if (error.status === 403) {
      title = t("errors.forbiddenTitle");
      message = typeof error.data?.formError === "string" ? t(error.data.formError) : t("errors.forbidden");
    } else if (error.status === 503) {
      title = t("errors.busyTitle");
      message = typeof error.data?.formError === "string" ? t(error.data.formError) : t("errors.busy");
    } else if (error.status === 413) {
      title = t("errors.badRequest");
      message = t("errors.payloadTooLarge");
    } else if (error.status >= 400 && error.status < 500) {
      title = t("errors.badRequest");
      message = typeof error.data?.formError === "string" ? t(error.data.formError) : t("errors.badRequest");
    }
  }
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">{title}</h1>
      <p>{message}</p>
      <p>
        <Link to="/">{t("errors.backHome")}</Link>
      </p>
    </section>
  );
}
