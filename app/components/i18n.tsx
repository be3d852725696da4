/**
 * Translation hooks for components. The language is fixed for a whole page (switching it reloads the document), so
 * components share one i18next instance per language and a cached translation function per namespace, instead of
 * react-i18next's per-component wrapper (which copied the whole instance on every render and dominated render time).
 *
 * In the browser the instance holds only the namespaces fetched so far (app/i18n.ts): entry.client loads the page's
 * before hydrating; a namespace first needed later (a route that does not list it in its handle, a key such as
 * "report:errors.x" from the server) suspends the render that needs it until it has arrived.
 */
import { createContext, useContext } from "react";
import type { i18n as I18n, TFunction } from "i18next";
import { DEFAULT_LANG, i18nFor, isLang, isNamespace, localeBundleHref, type Lang, type Namespace } from "~/i18n";
import { fetchNamespaceStrings } from "~/lib/translate";

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ i18n, children }: { i18n: I18n; children: React.ReactNode }) {
  return <I18nContext.Provider value={i18n}>{children}</I18nContext.Provider>;
}

const fixedTs = new Map<string, TFunction>();

/** Browser: the strings' version (set by entry.client from the page's <meta name="i18n">) and the fetches made. */
let bundleVersion: string | null = null;
const loads = new Map<string, Promise<void>>();

export function setLocaleVersion(version: string) {
  bundleVersion = version;
}

/** Fetches one namespace into the instance (once; a failed fetch is tried again next time). */
export function loadNamespace(i18n: I18n, lang: Lang, ns: Namespace): Promise<void> {
  const key = `${lang}:${ns}`;
  let p = loads.get(key);
  if (!p) {
    const href = localeBundleHref(bundleVersion ?? "0", lang, ns);
    // The page's own namespaces: already being fetched by the script in its <head> (root.tsx).
    p = fetchNamespaceStrings(href)
      .then((strings) => {
        i18n.addResourceBundle(lang, ns, strings, true, true);
      })
      .catch((e: unknown) => {
        loads.delete(key);
        throw e;
      });
    loads.set(key, p);
  }
  return p;
}

/** When a namespace last failed to arrive (browser): it is not waited for again for a while, so no render loops. */
const failedAt = new Map<string, number>();
const RETRY_AFTER_MS = 10_000;

/**
 * In the browser, suspends the render (throws the fetch) while `ns` is not there yet; on the server, all are. Should
 * the fetch fail (connection lost), the render goes on without those strings (keys show) rather than waiting forever.
 */
function ensureNamespace(i18n: I18n, lang: Lang, ns: Namespace) {
  if (typeof document === "undefined" || i18n.hasResourceBundle(lang, ns)) return;
  const key = `${lang}:${ns}`;
  if (Date.now() - (failedAt.get(key) ?? -Infinity) < RETRY_AFTER_MS) return;
  throw loadNamespace(i18n, lang, ns).catch(() => {
    failedAt.set(key, Date.now());
  });
}

/**
 * i18next's `t` does a lot of work per call (key parsing, fallbacks, plural rules); a page calls it hundreds of
 * times with the same arguments. Results are immutable for a language, so they are memoised (bounded).
 */
function memoizeT(t: TFunction, i18n: I18n, lang: Lang): TFunction {
  const cache = new Map<string, unknown>();
  const call = t as unknown as (key: unknown, options?: unknown) => unknown;
  const memo = (key: unknown, options?: unknown) => {
    if (typeof key !== "string" || (options !== undefined && (typeof options !== "object" || options === null))) {
      return call(key, options);
    }
    const colon = key.indexOf(":");
    if (colon > 0) {
      const ns = key.slice(0, colon);
      if (isNamespace(ns)) ensureNamespace(i18n, lang, ns);
    }
    const cacheKey = options === undefined ? key : `${key}\u0000${JSON.stringify(options)}`;
    if (cache.has(cacheKey)) return cache.get(cacheKey);
    const value = call(key, options);
    if (cache.size >= 20_000) cache.clear();
    // A missing string (the key comes back) is not kept: its namespace may still arrive (browser).
    if (value !== key && value !== key.slice(key.indexOf(":") + 1)) cache.set(cacheKey, value);
    return value;
  };
  return memo as unknown as TFunction;
}

/** `t` for the page's language and the given namespace (default "common"), plus the i18next instance. */
export function useTranslation(ns: Namespace = "common"): { t: TFunction; i18n: I18n; lang: Lang } {
  const i18n = useContext(I18nContext) ?? i18nFor(DEFAULT_LANG);
  const lang: Lang = isLang(i18n.language) ? i18n.language : DEFAULT_LANG;
  ensureNamespace(i18n, lang, ns);
  const key = `${lang}:${ns}`;
  let t = fixedTs.get(key);
  if (!t) {
    t = memoizeT(i18n.getFixedT(lang, ns), i18n, lang);
    fixedTs.set(key, t);
  }
  return { t, i18n, lang };
}

/**
 * Browser: starts fetching every namespace the page's routes list that is not there yet, all at once (root.tsx, on
 * each navigation), so that the renders that need them wait for one round trip, not one per namespace.
 */
export function usePrefetchNamespaces(namespaces: readonly Namespace[]) {
  const { i18n, lang } = useTranslation();
  if (typeof document === "undefined") return;
  for (const ns of namespaces) if (!i18n.hasResourceBundle(lang, ns)) void loadNamespace(i18n, lang, ns).catch(() => undefined);
}
