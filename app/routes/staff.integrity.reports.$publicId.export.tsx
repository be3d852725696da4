/**
 * POST /staff/integrity/reports/<publicId>/export — the whole report as a JSON file (content, conversation, history,
 * file list; not the files) for an integrity officer who may see it. Audited (report.view + report.export) by
 * exportReport. POST only (with the CSRF token), so that no prefetch or link preview can trigger an export.
 * Anyone else gets 404.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { canAccessReports } from "~/lib/permissions";
import { exportReport } from "~/models/report/casework.server";
import { isReportHidden } from "~/models/report/shared.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, readFormData } from "~/utils/request.server";
import { requireReportAccess } from "~/utils/report-access.server";
import { requireStaff } from "~/utils/session.server";

function notFound(): never {
  throw new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const publicId = /^R\d{4}-\d{4,8}$/.test(params.publicId ?? "") ? params.publicId! : "(invalid)";
  const form = await readFormData(request);
  assertCsrf(request, form);
  const access = await requireReportAccess(request, publicId).catch((e) => {
    if (e instanceof Response && e.status === 404) notFound();
    throw e;
  });
  if (publicId === "(invalid)") notFound();
  const db = getDb();
  try {
    const out = await exportReport(db, access, publicId);
    return new Response(out.json, {
      status: 200,
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="${out.fileName.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
      },
    });
  } catch (e) {
    if (isReportHidden(e)) notFound();
    throw e;
  }
}

export async function loader({ request }: { request: Request }) {
  const staff = await requireStaff(request);
  if (!canAccessReports(staff)) notFound();
  return new Response("Method Not Allowed", {
    status: 405,
    headers: { Allow: "POST", "Content-Type": "text/plain", "Cache-Control": "no-store" },
  });
}
