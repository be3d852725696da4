/**
 * ORG_ROUTING=path: the page at the root of the host, before any /o/<code>/ — the organisations this installation
 * serves, by province, each linking to its own pages. Rendered without Remix (no organisation runs it), its strings
 * through i18next (`directory.*` of the common namespace), Thai unless `?lang=en`.
 */
import { tFor, type Lang } from "../app/i18n";
import { escapeHtml as esc } from "../app/lib/html";

export interface DirectoryEntry {
  code: string;
  nameTh: string;
  nameEn: string;
  province: string | null;
  /** Its pages: /o/<code> */
  path: string;
}

export function organisationDirectoryPage(entries: readonly DirectoryEntry[], lang: Lang): string {
  const t = tFor(lang, "common");
  const other: Lang = lang === "th" ? "en" : "th";
  const byProvince = new Map<string, DirectoryEntry[]>();
  for (const e of entries) {
    const key = e.province ?? "";
    byProvince.set(key, [...(byProvince.get(key) ?? []), e]);
  }
  const provinces = [...byProvince.keys()].sort((a, b) => (a === "" ? 1 : b === "" ? -1 : a.localeCompare(b)));
  const name = (e: DirectoryEntry) => (lang === "en" ? e.nameEn || e.nameTh : e.nameTh);
  const sections = provinces
    .map((p) => {
      const members = byProvince.get(p)!.sort((a, b) => name(a).localeCompare(name(b), lang));
      const heading = p ? t("directory.province", { code: p }) : t("directory.noProvince");
      const items = members
        .map((e) => `<li><a href="${esc(e.path)}" data-testid="directory-${esc(e.code)}">${esc(name(e))}</a></li>`)
        .join("");
      return `<section><h2>${esc(heading)}</h2><ul>${items}</ul></section>`;
    })
    .join("");
  const body = entries.length
    ? `<p>${esc(t("directory.intro"))}</p><p>${esc(t("directory.count", { count: entries.length }))}</p>${sections}`
    : `<p>${esc(t("directory.none"))}</p>`;
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(t("directory.title"))} · ${esc(t("appName"))}</title><link rel="stylesheet" href="/styles/app.css"></head><body><main class="container" id="main"><p><a href="/?lang=${other}" lang="${other}" aria-label="${esc(t("directory.switchLabel"))}">${esc(t("directory.switch"))}</a></p><h1>${esc(t("directory.title"))}</h1>${body}</main></body></html>`;
}
