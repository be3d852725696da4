import type { LoaderFunctionArgs } from "@remix-run/node";
import { isLang, isNamespace } from "~/i18n";
import { localeBundle, localeVersion } from "~/utils/locale-bundles.server";

/**
 * One language's namespace for the browser (/locales/<version>/<lang>/<ns>.json, see app/utils/locale-bundles.server.ts):
 * kept for a year, since another version of the strings has another URL. A page from before an update that asks for
 * the old version gets today's strings, not to be kept.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const ns = params.file?.endsWith(".json") ? params.file.slice(0, -".json".length) : "";
  if (!isLang(params.lang) || !isNamespace(ns) || !/^[0-9a-f]{12}$/.test(params.version ?? "")) {
    return new Response("Not found\n", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const bundle = localeBundle(params.lang, ns);
  const headers = new Headers({
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": params.version === localeVersion() ? "public, max-age=31536000, immutable" : "no-cache",
    Vary: "Accept-Encoding",
  });
  if (/\bbr\b/.test(request.headers.get("accept-encoding") ?? "")) {
    headers.set("Content-Encoding", "br");
    return new Response(bundle.brotli, { headers });
  }
  return new Response(bundle.json, { headers });
}
