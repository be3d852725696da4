/**
 * Retention of the report channel and the totals every role may see.
 *
 * A report closed more than retention_years ago is purged: every wrapped copy of its key (recipients', the
 * reporter's, the master-key wrap of the first format) is destroyed — crypto-shredding — and with it the submission,
 * messages, files (from the file store, disk or database), notes and holders; the receipt no longer finds it. What stays is the anonymous statistics: public
 * id, dates, status, finding, referral, tags and the status history without notes. SQLite secure_delete is on
 * (db/connection.ts), so removed content is overwritten in the database file.
 */
import { sql, type Kysely } from "kysely";
import type { Database, ReportStatus, ReportTag } from "../../../db/schema";
import { inTransaction } from "../../../db/connection";
import { now } from "~/utils/clock.server";
import { randomToken } from "~/utils/crypto.server";
import { log } from "~/utils/logger.server";
import { yieldToEventLoop } from "~/utils/yield.server";
import { appendAudit } from "~/models/audit/audit.server";
import { cachedWhileStatsUnchanged } from "~/models/statistics/figures.server";
import { REPORT_TAGS } from "~/lib/report-status";
import { dropHeldReport } from "./key-vault.server";
import { removeStoredFiles } from "./files.server";
import { channelSettings, type Executor } from "./shared.server";

/** Reports read per query; each is purged in its own transaction, with a yield to the event loop after it. */
const PURGE_PAGE = 50;

/**
 * Purges every closed report past its retention period. Runs in the server's housekeeping, so it never holds the
 * event loop for long: due reports are read PURGE_PAGE at a time, each report is one short transaction, and the loop
 * yields to pending requests after each (a backlog of thousands after a long downtime is worked off while the
 * portal serves). `signal` stops it between two reports (shutdown); the rest are purged by the next run.
 */
export async function purgeClosedReports(
  db: Kysely<Database>,
  at: Date = now(),
  opts: { signal?: AbortSignal } = {},
): Promise<{ purged: number }> {
  const settings = await channelSettings(db);
  const cutoff = new Date(at.getTime());
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - settings.retention_years);
  let purged = 0;
  for (;;) {
    if (opts.signal?.aborted) break;
    const due = await db
      .selectFrom("reports")
      .select(["id"])
      .where("status", "=", "closed")
      .where("purged_at", "is", null)
      .where("closed_at", "<=", cutoff.toISOString())
      .orderBy("id")
      .limit(PURGE_PAGE)
      .execute();
    if (due.length === 0) break;
    purged += await purgeReports(db, due, at, opts.signal);
    if (due.length < PURGE_PAGE) break;
  }
  if (purged > 0) log.info("closed reports purged", { count: purged });
  return { purged };
}

async function purgeReports(db: Kysely<Database>, due: { id: number }[], at: Date, signal: AbortSignal | undefined): Promise<number> {
  let purged = 0;
  for (const r of due) {
    if (signal?.aborted) break;
    const files = await inTransaction(db, async (trx) => {
      const stored = await trx.selectFrom("report_attachments").select("storage_id").where("report_id", "=", r.id).execute();
      await trx.deleteFrom("report_keys").where("report_id", "=", r.id).execute();
      await trx.deleteFrom("report_attachments").where("report_id", "=", r.id).execute();
      // The evidence's bytes: in this transaction when the file store is the database, else after the commit (below).
      await removeStoredFiles(
        stored.map((s) => s.storage_id),
        { trx },
      );
      await trx.deleteFrom("report_messages").where("report_id", "=", r.id).execute();
      await trx.updateTable("report_events").set({ note_envelope: null }).where("report_id", "=", r.id).execute();
      const iso = at.toISOString();
      await trx
        .updateTable("reports")
        .set({
          wrapped_key: "",
          envelope: "",
          holders: "",
          reporter_pub: null,
          reporter_enc: null,
          reporter_wrapped: null,
          receipt_hash: `purged:${randomToken(16)}`,
          submission_key_hash: null,
          purged_at: iso,
          updated_at: iso,
        })
        .where("id", "=", r.id)
        .execute();
      // The trail of a purged report can no longer be opened by anyone; this entry says only that a purge happened.
      await appendAudit(trx, {
        actorId: null,
        actorRole: "system",
        action: "report.purge",
        targetType: "report_channel",
        targetId: null,
        details: {},
      });
      return stored.map((s) => s.storage_id);
    });
    await removeStoredFiles(files, { db });
    dropHeldReport(r.id);
    purged++;
    await yieldToEventLoop();
  }
  return purged;
}

export interface ReportCounts {
  total: number;
  open: number;
  byStatus: Record<ReportStatus, number>;
  byFinding: { substantiated: number; unsubstantiated: number };
  byTag: Record<ReportTag, number>;
  /** Per fiscal year (BE): received, and closed so far. */
  byFiscalYear: { fiscalYear: number; received: number; closed: number }[];
}

/**
 * Totals only (no ids, no dates finer than the fiscal year): for every staff role and for public statistics. Kept
 * while the statistics version is unchanged (db/statistics.ts bumps it on every report insert or status change).
 */
export async function reportCounts(db: Executor, opts: { statsVersion?: number } = {}): Promise<ReportCounts> {
  return cachedWhileStatsUnchanged(db, "report-counts", () => countReports(db), opts.statsVersion);
}

async function countReports(db: Executor): Promise<ReportCounts> {
  const byStatusRows = await db
    .selectFrom("reports")
    .select(["status", (eb) => eb.fn.countAll().as("n")])
    .groupBy("status")
    .execute();
  const byStatus: Record<ReportStatus, number> = {
    received: 0,
    preliminary_review: 0,
    investigation: 0,
    concluded: 0,
    referred: 0,
    closed: 0,
  };
  for (const r of byStatusRows) byStatus[r.status] = Number(r.n);
  const findingRows = await db
    .selectFrom("reports")
    .select(["finding", (eb) => eb.fn.countAll().as("n")])
    .where("finding", "is not", null)
    .groupBy("finding")
    .execute();
  const byFinding = { substantiated: 0, unsubstantiated: 0 };
  for (const r of findingRows) if (r.finding) byFinding[r.finding] = Number(r.n);
  const tagRows = await db
    .selectFrom("report_tags")
    .select(["tag", (eb) => eb.fn.countAll().as("n")])
    .groupBy("tag")
    .execute();
  const byTag = Object.fromEntries(REPORT_TAGS.map((t) => [t, 0])) as Record<ReportTag, number>;
  for (const r of tagRows) byTag[r.tag] = Number(r.n);
  const fyRows = await db
    .selectFrom("reports")
    .select([
      "fiscal_year",
      (eb) => eb.fn.countAll().as("received"),
      sql<number>`sum(case when status = 'closed' then 1 else 0 end)`.as("closed"),
    ])
    .groupBy("fiscal_year")
    .orderBy("fiscal_year")
    .execute();
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return {
    total,
    open: total - byStatus.closed,
    byStatus,
    byFinding,
    byTag,
    byFiscalYear: fyRows.map((r) => ({ fiscalYear: r.fiscal_year, received: Number(r.received), closed: Number(r.closed ?? 0) })),
  };
}
