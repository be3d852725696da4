/**
 * For browser code outside React (app/enhance/, fetches): `path` under the organisation's /o/<code> when the page
 * says it has one (`<html data-base>`, set by app/root.tsx with ORG_ROUTING=path), unchanged otherwise.
 */
export function appPath(path: string): string {
  const base = typeof document === "undefined" ? "" : (document.documentElement.dataset.base ?? "");
  return base + path;
}
