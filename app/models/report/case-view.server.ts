/**
 * What the integrity officers' case page (/staff/integrity/reports/<publicId>) shows of one report: the decrypted
 * report (casework.server.ts decryptReport, which audits the view) shaped for the page, with dates in the reader's
 * language, the next feedback date, the actions the report's status allows and the colleagues who may be given
 * access. Throws ReportNotFoundError for anyone who does not hold the report.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import type { Lang } from "~/i18n";
import { allowedReportActions } from "~/lib/report-status";
import { addDays } from "~/models/deadlines";
import { formatThaiDate, formatThaiDateKey } from "~/lib/thai-date";
import { getIntegritySettings } from "~/models/report/integrity-settings.server";
import { grantCandidates } from "./access-grants.server";
import { decryptReport, type OfficerAccess } from "./casework.server";
import { REPORT_LIMITS } from "./shared.server";

export async function reportCaseView(db: Kysely<Database>, access: OfficerAccess, publicId: string, lang: Lang) {
  const r = await decryptReport(db, access, publicId);
  const colleagues = await grantCandidates(db, access, publicId);
  const settings = await getIntegritySettings(db);
  // Dates only for what the reporter did (kept by day); date and time for officers' actions.
  const d = (at: string | null) =>
    !at ? "" : at.length === 10 ? formatThaiDateKey(at, lang) : formatThaiDate(new Date(at), lang, { withTime: true });
  const nextFeedback =
    r.lastFeedbackAt && r.status !== "closed" ? addDays(new Date(r.lastFeedbackAt), settings.feedback_days, { mode: "calendar" }) : null;
  return {
    r: {
      publicId: r.publicId,
      status: r.status,
      mode: r.mode,
      requestedAlternate: r.requestedRecipient === "alternate",
      holders: r.holders.map((h) => ({ id: h.id, name: h.name, alternate: h.alternate, via: h.via })),
      excluded: r.excluded.map((x) => ({ id: x.id, name: x.name, reason: x.reason })),
      audit: r.audit.map((a) => ({ id: a.id, at: d(a.at), action: a.action, who: a.staffName, role: a.role })),
      finding: r.finding,
      referredTo: r.referredTo,
      received: d(r.receivedAt),
      ackDue: r.lastFeedbackAt ? null : d(r.ackDueAt),
      lastFeedback: d(r.lastFeedbackAt),
      nextFeedback: nextFeedback ? formatThaiDate(nextFeedback, lang) : null,
      closed: d(r.closedAt),
      digest: r.digest,
      digestVerified: r.digestVerified,
      fields: r.fields,
      tags: r.tags,
      messages: r.messages.map((m) => ({ id: m.id, author: m.author, staffName: m.staffName, text: m.text, at: d(m.at) })),
      attachments: r.attachments.map((a) => ({
        id: a.id,
        name: a.name,
        mime: a.mime,
        size: a.size,
        keptOriginal: a.keptOriginal,
        later: a.messageId !== null,
        at: d(a.at),
      })),
      events: r.events.map((e) => ({
        id: e.id,
        from: e.from,
        to: e.to,
        staffName: e.staffName,
        note: e.note,
        finding: e.finding,
        referredTo: e.referredTo,
        at: d(e.at),
      })),
    },
    actions: allowedReportActions(r.status),
    colleagues,
    messageMax: REPORT_LIMITS.message,
  };
}

export type ReportCaseView = Awaited<ReturnType<typeof reportCaseView>>;
