/**
 * The root loader's data (language, CSRF token, organisation) for any component. Its own module so that components
 * read it without importing app/root.tsx (which renders them): root.tsx's loader returns exactly this shape.
 */
import { useRouteLoaderData } from "@remix-run/react";
import type { Lang } from "~/i18n";

export type RootData = {
  lang: Lang;
  csrf: string;
  /** Version of the strings the browser fetches (app/utils/locale-bundles.server.ts). */
  i18nVersion: string;
  org: { nameTh: string; nameEn: string; phone: string; email: string };
};

/** Root loader data (language, CSRF token, organisation name) for any component. */
export function useRootData(): RootData | undefined {
  return useRouteLoaderData("root") as RootData | undefined;
}
