/**
 * Translation hooks for components. The language is fixed for a whole page (switching it reloads the document), so
 * components share one i18next instance per language and a cached translation function per namespace, instead of
 * react-i18next's per-component wrapper (which copied the whole instance on every render and dominated render time).
 */
import { createContext, useContext } from "react";
import type { i18n as I18n, TFunction } from "i18next";
import { DEFAULT_LANG, i18nFor, isLang, type Lang, type NAMESPACES } from "~/i18n";

type Namespace = (typeof NAMESPACES)[number];

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ i18n, children }: { i18n: I18n; children: React.ReactNode }) {
  return <I18nContext.Provider value={i18n}>{children}</I18nContext.Provider>;
}

const fixedTs = new Map<string, TFunction>();

/**
 * i18next's `t` does a lot of work per call (key parsing, fallbacks, plural rules); a page calls it hundreds of
 * times with the same arguments. Results are immutable for a language, so they are memoised (bounded).
 */
function memoizeT(t: TFunction): TFunction {
  const cache = new Map<string, unknown>();
  const call = t as unknown as (key: unknown, options?: unknown) => unknown;
  const memo = (key: unknown, options?: unknown) => {
    if (typeof key !== "string" || (options !== undefined && (typeof options !== "object" || options === null))) {
      return call(key, options);
    }
    const cacheKey = options === undefined ? key : `${key}\u0000${JSON.stringify(options)}`;
    if (cache.has(cacheKey)) return cache.get(cacheKey);
    const value = call(key, options);
    if (cache.size >= 20_000) cache.clear();
    cache.set(cacheKey, value);
    return value;
  };
  return memo as unknown as TFunction;
}

/** `t` for the page's language and the given namespace (default "common"), plus the i18next instance. */
export function useTranslation(ns: Namespace = "common"): { t: TFunction; i18n: I18n; lang: Lang } {
  const i18n = useContext(I18nContext) ?? i18nFor(DEFAULT_LANG);
  const lang: Lang = isLang(i18n.language) ? i18n.language : DEFAULT_LANG;
  const key = `${lang}:${ns}`;
  let t = fixedTs.get(key);
  if (!t) {
    t = memoizeT(i18n.getFixedT(lang, ns));
    fixedTs.set(key, t);
  }
  return { t, i18n, lang };
}
