import type { LoaderFunctionArgs } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { parseCaseReference } from "~/lib/complaint-reference";
import { canViewCase } from "~/lib/permissions";
import { attachmentKey } from "~/models/complaints/attachments.server";
import { getDb } from "~/utils/db.server";
import { fileStore } from "~/utils/file-store.server";
import { requireStaff } from "~/utils/session.server";

const SAFE_MIME = new Set(["image/jpeg", "image/png", "image/webp", "application/pdf"]);

function notFound(): never {
  throw new Response("Not found", {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "private, no-store" },
  });
}

/** Streams one attachment of a case to staff who may see the case (officers: own division only). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const ref = parseCaseReference(params.reference ?? "");
  const id = /^\d{1,12}$/.test(params.id ?? "") ? Number(params.id) : null;
  if (!ref || id === null) notFound();
  const row = await getDb()
    .selectFrom("attachments")
    .innerJoin("complaints", "complaints.id", "attachments.complaint_id")
    .select(["attachments.sha256", "attachments.mime", "attachments.size", "attachments.original_name", "complaints.division_id"])
    .where("attachments.id", "=", id)
    .where("complaints.reference", "=", ref.reference)
    .executeTakeFirst();
  if (!row || !canViewCase(staff, row) || !/^[0-9a-f]{64}$/.test(row.sha256)) notFound();
  const file = await fileStore().open(attachmentKey(row.sha256));
  if (!file) notFound();
  const mime = SAFE_MIME.has(row.mime) ? row.mime : "application/octet-stream";
  const inline = mime.startsWith("image/");
  const fallback = (row.original_name || (inline ? "image" : "file")).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100);
  const disposition = `${inline ? "inline" : "attachment"}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(row.original_name || fallback)}`;
  const stream = createReadableStreamFromReadable(file.stream);
  return new Response(stream, {
    status: 200,
    headers: {
      "Content-Type": mime,
      "Content-Length": String(file.size),
      "Content-Disposition": disposition,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
      "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    },
  });
}
