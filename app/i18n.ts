/**
 * i18next set-up shared by the server render, the browser and e-mails. Thai is the default language.
 * Each namespace is one JSON file per language under app/locales/<lang>/<ns>.json, imported by
 * app/i18n-resources.server.ts (a new namespace: its files there and its name in NAMESPACES below).
 *
 * The server has every string. The browser gets only its page's language and the namespaces the page's routes list in
 * `export const handle = { i18n: [...] }` ("common" always): root.tsx starts fetching them (localeBundleHref), entry.client
 * adds them before hydrating, and useTranslation (app/components/i18n.tsx) fetches any other one when first used.
 */
import type { i18n as I18n, TFunction } from "i18next";
import { createI18next, resources } from "./i18n-resources.server";
import { Translator } from "./lib/translate";

/** Every string (server only: undefined in the browser). */
export { resources };

export const LANGUAGES = ["th", "en"] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = "th";
export const NAMESPACES = [
  "common",
  "complaint",
  "track",
  "staff",
  "email",
  "notice",
  "report",
  "integrity",
  "deadline",
  "escalation",
  "stats",
  "satisfaction",
  "caselist",
  "statreport",
  "proof",
  "audit",
  "line",
  "orgsetup",
  "map",
] as const;
export type Namespace = (typeof NAMESPACES)[number];

export function isLang(x: unknown): x is Lang {
  return x === "th" || x === "en";
}

export function isNamespace(x: unknown): x is Namespace {
  return (NAMESPACES as readonly unknown[]).includes(x);
}

export { localeBundleHref } from "./lib/translate";

/**
 * A fresh, synchronously initialised i18next instance for one language with every string (server); in the browser, the
 * small translator of app/lib/translate.ts, holding no strings until the page adds the ones it fetched.
 */
export function createI18n(lng: Lang): I18n {
  if (!createI18next) return new Translator(lng, NAMESPACES) as unknown as I18n;
  return createI18next({
    lng,
    fallbackLng: DEFAULT_LANG,
    supportedLngs: [...LANGUAGES],
    ns: [...NAMESPACES],
    defaultNS: "common",
    interpolation: { escapeValue: false }, // React and the e-mail renderer escape output themselves
    returnNull: false,
    initAsync: false,
  });
}

const cache = new Map<Lang, I18n>();

/** The shared instance for one language (server side: the language never changes on it, so it is safe to share). */
export function i18nFor(lng: Lang): I18n {
  let inst = cache.get(lng);
  if (!inst) {
    inst = createI18n(lng);
    cache.set(lng, inst);
  }
  return inst;
}

/** A translation function for server code (actions, e-mails, CLI). */
export function tFor(lng: Lang, ns: (typeof NAMESPACES)[number] = "common"): TFunction {
  return i18nFor(lng).getFixedT(lng, ns);
}
