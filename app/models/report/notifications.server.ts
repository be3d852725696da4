/**
 * Telling recipients that something new arrived — in batches, at random times, with nothing about the report.
 *
 * A filing or a reporter's message only marks its recipients as "to be told" (report_notices_pending: a staff id and
 * "new"/"update", no report, no time) and queues its audit entry (channel-audit.server.ts). A batch runs at random
 * intervals (REPORT_NOTICE_WINDOW_MINUTES on average; between half and one and a half of it) and then writes the
 * waiting audit entries and sends one content-free e-mail per person. So neither the mail server's log nor the order
 * of the audit log can be matched against the reporter's requests. With a window of 0 the batch runs every few
 * seconds (tests and demonstrations).
 */
import crypto from "node:crypto";
import { inTransaction } from "../../../db/connection";
import { tFor, type Lang } from "~/i18n";
import { getDb } from "~/utils/db.server";
import { log, errorFields } from "~/utils/logger.server";
import { enqueueEmail } from "~/models/notices/outbox.server";
import { renderBilingualEmail } from "../../../emails/layout";
import { flushReporterActivity } from "./channel-audit.server";
import type { Executor } from "./shared.server";
import { publicUrl } from "~/utils/public-url.server";

/** Marks people to be told, in the next batch, that a report arrived ("new") or a report of theirs changed ("update"). */
export async function queueRecipientNotices(db: Executor, staffIds: readonly number[], kind: "new" | "update"): Promise<void> {
  for (const staffId of new Set(staffIds)) {
    await db
      .insertInto("report_notices_pending")
      .values({ staff_id: staffId, kind })
      // "new" wins over "update"; an "update" never turns a waiting "new" into less.
      .onConflict((oc) => (kind === "new" ? oc.column("staff_id").doUpdateSet({ kind: "new" }) : oc.column("staff_id").doNothing()))
      .execute();
  }
}

function buildNotice(kind: "new" | "update"): { subject: string; text: string; html: string } {
  const url = `${publicUrl()}/staff/integrity`;
  const section = (lang: Lang) => {
    const t = tFor(lang, "integrity");
    return { heading: t(kind === "new" ? "notify.newHeading" : "notify.updateHeading"), paragraphs: [t("notify.body"), url] };
  };
  const t = tFor("th", "integrity");
  return {
    subject: t(kind === "new" ? "notify.newSubject" : "notify.updateSubject"),
    ...renderBilingualEmail([section("th"), section("en")], t("notify.footer")),
  };
}

/** One batch: waiting reporter actions into the audit log, one e-mail per person to be told. Returns the counts. */
export async function flushReportChannel(db: Executor): Promise<{ activity: number; notices: number }> {
  const run = async (trx: Executor) => {
    const activity = await flushReporterActivity(trx);
    const waiting = await trx
      .selectFrom("report_notices_pending")
      .innerJoin("staff", "staff.id", "report_notices_pending.staff_id")
      .select(["report_notices_pending.staff_id", "report_notices_pending.kind", "staff.email", "staff.active"])
      .execute();
    let notices = 0;
    for (const w of waiting) {
      if (w.active !== 1) continue;
      await enqueueEmail(trx, {
        kind: w.kind === "new" ? "report.new" : "report.update",
        complaintId: null,
        message: { to: w.email, ...buildNotice(w.kind) },
        dedupeKey: `report-notice:${crypto.randomBytes(12).toString("hex")}`,
      });
      notices++;
    }
    await trx.deleteFrom("report_notices_pending").execute();
    return { activity, notices };
  };
  return inTransaction(db, run);
}

/** The wait before the next batch: uniformly random between half and one and a half of the window. */
export function nextBatchDelayMs(windowMs: number, random: () => number = Math.random): number {
  if (windowMs <= 0) return 2000;
  return Math.round(windowMs * (0.5 + random()));
}

/** Runs the batch at random intervals (started by the server). */
export function startReportChannelBatches({ windowMs }: { windowMs: number }) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = flushReportChannel(getDb())
        .catch((e) => log.warn("report channel batch failed", errorFields(e)))
        .finally(() => {
          running = null;
          schedule();
        });
    }, nextBatchDelayMs(windowMs));
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running;
    },
  };
}
