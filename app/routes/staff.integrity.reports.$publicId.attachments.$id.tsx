/**
 * Download of one evidence file of a report (decrypted on the fly) for an integrity officer who may see the report.
 * Always as an attachment (never rendered by the browser), nosniff, no-store, sandboxed. Audited (report.download) by
 * readReportAttachment. Anyone else gets 404 (the same as for a file that does not exist).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { canAccessReports } from "~/lib/permissions";
import { getReportForStaff, ReportForbiddenError, ReportNotFoundError, readReportAttachment } from "~/models/report.server";
import { getDb } from "~/utils/db.server";
import { requireStaff } from "~/utils/session.server";

function notFound(): never {
  throw new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const publicId = params.publicId ?? "";
  const id = /^\d{1,12}$/.test(params.id ?? "") ? Number(params.id) : null;
  if (!/^R\d{4}-\d{4,}$/.test(publicId) || id === null) notFound();
  if (!canAccessReports(staff)) {
    // Records the refused attempt in the audit log (report.denied), then 404 like any unknown file.
    await getReportForStaff(getDb(), staff, publicId).catch(() => undefined);
    notFound();
  }
  let file: Awaited<ReturnType<typeof readReportAttachment>>;
  try {
    file = await readReportAttachment(getDb(), staff, publicId, id);
  } catch (e) {
    if (e instanceof ReportNotFoundError || e instanceof ReportForbiddenError) notFound();
    throw e;
  }
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(file.name)?.[0] ?? "";
  const fallback = `${publicId}-${id}${ext}`;
  return new Response(new Uint8Array(file.bytes), {
    status: 200,
    headers: {
      // Content-Disposition: attachment — saved, never rendered by the browser on this origin.
      "Content-Type": /^[a-z]+\/[a-z0-9.+-]{1,100}$/.test(file.mime) ? file.mime : "application/octet-stream",
      "Content-Length": String(file.bytes.length),
      "Content-Disposition": `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(file.name || fallback)}`,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
      "Content-Security-Policy": "default-src 'none'; sandbox",
    },
  });
}
