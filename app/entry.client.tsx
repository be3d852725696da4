import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { I18nProvider } from "~/components/i18n";
import { i18nFor, isLang, DEFAULT_LANG } from "~/i18n";

const htmlLang = document.documentElement.lang;
const i18n = i18nFor(isLang(htmlLang) ? htmlLang : DEFAULT_LANG);

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <I18nProvider i18n={i18n}>
        <RemixBrowser />
      </I18nProvider>
    </StrictMode>,
  );
});
