/**
 * Download of one evidence file of a report (decrypted on the fly) for an integrity officer who may see the report.
 * Always as an attachment (never rendered by the browser), nosniff, no-store, sandboxed. Audited (report.download) by
 * readReportAttachment. Anyone else gets 404 (the same as for a file that does not exist).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { readReportAttachment } from "~/models/report/casework.server";
import { isReportHidden } from "~/models/report/shared.server";
import { getDb } from "~/utils/db.server";
import { requireReportAccess } from "~/utils/report-access.server";

function notFound(): never {
  throw new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const publicId = /^R\d{4}-\d{4,8}$/.test(params.publicId ?? "") ? params.publicId! : "(invalid)";
  // Anyone but an officer with unlocked keys: the refusal is logged and answered like any unknown report (404).
  const access = await requireReportAccess(request, publicId).catch((e) => {
    if (e instanceof Response && e.status === 404) notFound();
    throw e;
  });
  const id = /^\d{1,12}$/.test(params.id ?? "") ? Number(params.id) : null;
  if (publicId === "(invalid)" || id === null) notFound();
  let file: Awaited<ReturnType<typeof readReportAttachment>>;
  try {
    file = await readReportAttachment(getDb(), access, publicId, id);
  } catch (e) {
    if (isReportHidden(e)) notFound();
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
