/**
 * POST /report/submission: the reporter's submission exactly as it was digested for the proof of filing (canonical
 * JSON, app/lib/report-proof.ts), as a file download from an open inbox session; sha256 of the file is the digest on
 * the proof. POST only (with the CSRF token), so it never sits in a URL, a history or a cache. Without an inbox
 * session: back to the inbox.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { reporterSubmissionText } from "~/models/report/inbox.server";
import { readInboxSession } from "~/models/report/cookies.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, getLang, readFormData } from "~/utils/request.server";

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const lang = getLang(request);
  const form = await readFormData(request, lang);
  assertCsrf(request, form, lang);
  const session = await readInboxSession(request);
  if (session.reportId === null || !session.key)
    return redirect("/report/inbox", session.setCookie ? { headers: { "Set-Cookie": session.setCookie } } : undefined);
  const text = await reporterSubmissionText(getDb(), session.reportId, session.key);
  const headers = new Headers({
    "Content-Type": "application/json; charset=utf-8",
    "Content-Disposition": 'attachment; filename="submission.json"',
    "X-Content-Type-Options": "nosniff",
  });
  if (session.setCookie) headers.append("Set-Cookie", session.setCookie);
  return new Response(text, { status: 200, headers });
}
