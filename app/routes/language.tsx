import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { isLang } from "~/i18n";
import { assertCsrf, readFormData, LANG_COOKIE, safeRedirectPath, serializeCookie, withoutLangParam } from "~/utils/request.server";

/** Switches the interface language (form POST, works without JavaScript). */
export async function action({ request }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const lng = form.get("lng");
  if (!isLang(lng)) throw new Response("Unknown language", { status: 400 });
  // A page opened with ?lang=… goes back without it: the address would override the choice just made.
  return redirect(withoutLangParam(safeRedirectPath(form.get("redirectTo"))), {
    headers: { "Set-Cookie": serializeCookie(LANG_COOKIE, lng, { maxAge: 365 * 24 * 3600 }) },
  });
}

export async function loader() {
  return redirect("/");
}
