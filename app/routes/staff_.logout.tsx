import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { assertCsrf, readFormData } from "~/utils/request.server";
import { destroySession } from "~/utils/session.server";

/** Signs out (POST with CSRF token only). */
export async function action({ request }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const cookie = await destroySession(request);
  return redirect("/staff/login", { headers: { "Set-Cookie": cookie } });
}

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST", "Content-Type": "text/plain" } });
}
