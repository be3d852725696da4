/**
 * The root loader's data (language, CSRF token, organisation) for any component. Its own module so that components
 * read it without importing app/root.tsx (which renders them): root.tsx's loader returns exactly this shape.
 */
import { useRouteLoaderData } from "@remix-run/react";
import type { Lang, Namespace } from "~/i18n";
import type { EnhanceScript } from "~/utils/enhance-scripts.server";

export type RootData = {
  lang: Lang;
  csrf: string;
  /** Version of the strings the browser fetches (app/utils/locale-bundles.server.ts). */
  i18nVersion: string;
  /** Addresses of the scripts of pages sent without React (app/utils/enhance-scripts.server.ts). */
  enhanceScripts: Partial<Record<EnhanceScript, string>>;
  org: { nameTh: string; nameEn: string; phone: string; email: string };
};

/** Root loader data (language, CSRF token, organisation name) for any component. */
export function useRootData(): RootData | undefined {
  return useRouteLoaderData("root") as RootData | undefined;
}

/**
 * What a route says about the browser side of its page (`export const handle = {...}`):
 * - `i18n`: the namespaces its components use ("common" always);
 * - `hydrate: false`: the page needs no React in the browser (its forms are plain GET/POST, charts are SVG): it is
 *   sent without the app's scripts and its copy of the loader data, which makes it lighter for phones on slow
 *   connections and cheaper to serve;
 * - `enhance` (with `hydrate: false`): the page's own small script (app/enhance/entries/<script>.ts) and the
 *   namespaces that script needs, for a page that needs a little JavaScript but not React (the map, file checks).
 */
export interface PageHandle {
  i18n?: readonly string[];
  hydrate?: false;
  enhance?: { script: EnhanceScript; strings: readonly Namespace[] };
}
