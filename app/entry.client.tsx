import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { I18nProvider, loadNamespace, setLocaleVersion } from "~/components/i18n";
import { i18nFor, isLang, isNamespace, DEFAULT_LANG } from "~/i18n";

// The page's language, the strings' version and the namespaces its routes need (root.tsx, <meta name="i18n">): the
// strings are fetched (already under way: the page preloads them) before hydrating, so the browser renders exactly
// what the server sent. Should they fail to arrive, the page stays as the server sent it, which works without scripts.
const [metaLang, version, ...metaNamespaces] = (document.querySelector('meta[name="i18n"]')?.getAttribute("content") ?? "").split(" ");
const lang = isLang(metaLang) ? metaLang : isLang(document.documentElement.lang) ? document.documentElement.lang : DEFAULT_LANG;
const i18n = i18nFor(lang);
if (version) setLocaleVersion(version);

Promise.all(metaNamespaces.filter(isNamespace).map((ns) => loadNamespace(i18n, lang, ns))).then(
  () =>
    startTransition(() => {
      hydrateRoot(
        document,
        <StrictMode>
          <I18nProvider i18n={i18n}>
            <RemixBrowser />
          </I18nProvider>
        </StrictMode>,
      );
    }),
  (e: unknown) => console.warn("page strings did not load; the page works without its scripts", e),
);
