/**
 * A reply from the reporter in an open inbox (/report/inbox, intent=reply): text and/or more evidence. The text is
 * checked like every form text (app/lib/validation.ts safeText); files are checked, cleaned and stored encrypted by
 * addReporterMessage. A refusal names the field so the page can show the reply form again with the text kept.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { safeText } from "~/lib/validation.server";
import { UploadRejectedError } from "~/models/complaints/attachments.server";
import { addReporterMessage } from "./inbox.server";
import { REPORT_LIMITS, ReportInputError, reportErrorKey } from "./shared.server";

/** Longest reply (characters); the page gets the number from the loader. */
export const REPLY_MAX = REPORT_LIMITS.message;

export interface ReporterReply {
  /** The typed text, as posted (cut at twice the limit so it can be shown again). */
  typed: string;
  files: readonly { name: string; data: Uint8Array }[];
  keepOriginal: boolean;
  keepNames: boolean;
}

export type ReporterReplyOutcome = { sent: true } | { sent: false; errors: Record<string, string> };

export async function sendReporterReply(
  db: Kysely<Database>,
  access: { reportId: number; key: Buffer | null },
  reply: ReporterReply,
): Promise<ReporterReplyOutcome> {
  const errors: Record<string, string> = {};
  const text = safeText(REPLY_MAX, false).safeParse(reply.typed);
  if (!text.success) errors.message = text.error.issues[0]?.message ?? "errors.invalidText";
  if (text.success && text.data === "" && reply.files.length === 0) errors.message = "report:inbox.nothingToSend";
  if (Object.keys(errors).length > 0 || !text.success) return { sent: false, errors };
  const uploads = reply.files.map((f) => ({
    bytes: Buffer.from(f.data),
    name: f.name,
    mime: "",
    keptOriginal: reply.keepOriginal,
  }));
  try {
    await addReporterMessage(db, access, text.data, uploads, { keepFileNames: reply.keepNames });
  } catch (e) {
    if (e instanceof UploadRejectedError) return { sent: false, errors: { evidence: reportErrorKey(e.messageKey) } };
    if (e instanceof ReportInputError) {
      return { sent: false, errors: { [e.field === "evidence" ? "evidence" : "message"]: reportErrorKey(e.messageKey) } };
    }
    throw e;
  }
  return { sent: true };
}
