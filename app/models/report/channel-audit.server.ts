/**
 * The audit log, as far as corruption reports are concerned: every action on a report is recorded, and only people
 * who can read that report can read the record.
 *
 * - An entry about a report is appended to the hash-chained audit_log (app/models/audit/audit.server.ts) as action
 *   "report.activity", actor left empty, target = a tag derived from the report's key (the same for every entry of one
 *   report, meaningless without the key), details = { sealed }: the action, the report's number, who acted and the
 *   facts, encrypted with the report key. Nobody without the report key learns which report, who handled it, what was
 *   found or where it was referred.
 * - What the reporter does is appended later, in the random-time batch (notifications.server.ts), dated by day only,
 *   so the chain's order cannot be used to time a report against other entries.
 * - Everyone else — administrators included, and an officer a report concerns — sees only how many channel actions
 *   there were per day (channelActivityByDay).
 * - A refused access is logged the same way whether or not the report exists (logDeniedReportAccess).
 */
import { sql } from "kysely";
import { dialectOf } from "../../../db/dialects";
import { bangkokDateKey } from "~/lib/thai-date";
import { now } from "~/utils/clock.server";
import { appendAudit } from "~/models/audit/audit.server";
import { openJson, reportKeyTag, sealJson } from "./crypto.server";
import { reportAad, type Executor, type ReportActor } from "./shared.server";

export const REPORT_ACTIVITY = "report.activity";

/** What an entry about a report says, once opened. */
export interface ReportAuditRecord {
  action: string;
  publicId: string;
  /** The officer who acted; null for the reporter and the system. */
  staffId: number | null;
  role: "integrity" | "reporter" | "system";
  details: Record<string, unknown>;
}

/** The report an entry is about, with the key that opens it. */
export interface OpenReport {
  id: number;
  publicId: string;
  key: Buffer;
}

export const auditTarget = (key: Buffer) => reportKeyTag(key, "audit-target");

function seal(report: OpenReport, record: ReportAuditRecord): string {
  return sealJson(report.key, record, reportAad.audit(report.publicId));
}

/** An officer's (or the system's) action on a report: appended now, in the caller's transaction. */
export async function auditReportAction(
  db: Executor,
  report: OpenReport,
  actor: ReportActor | null,
  action: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  const role = actor ? "integrity" : "system";
  const record: ReportAuditRecord = { action, publicId: report.publicId, staffId: actor?.id ?? null, role, details };
  await appendAudit(db, {
    actorId: null,
    actorRole: role,
    action: REPORT_ACTIVITY,
    targetType: "report",
    targetId: auditTarget(report.key),
    details: { sealed: seal(report, record) },
  });
}

/** A reporter's action on their report: waits (sealed, dated by day) for the next batch to reach the audit log. */
export async function queueReporterActivity(
  db: Executor,
  report: OpenReport,
  action: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  const record: ReportAuditRecord = { action, publicId: report.publicId, staffId: null, role: "reporter", details };
  await db
    .insertInto("report_activity_pending")
    .values({ target: auditTarget(report.key), sealed: seal(report, record), day: bangkokDateKey(now()) })
    .execute();
}

/** Moves every waiting reporter action into the audit log (the batch; in the caller's transaction). */
export async function flushReporterActivity(db: Executor): Promise<number> {
  const rows = await db.selectFrom("report_activity_pending").selectAll().orderBy("id").execute();
  for (const r of rows) {
    await appendAudit(db, {
      actorId: null,
      actorRole: "reporter",
      action: REPORT_ACTIVITY,
      targetType: "report",
      targetId: r.target,
      details: { sealed: r.sealed },
      at: r.day,
    });
  }
  if (rows.length > 0)
    await db
      .deleteFrom("report_activity_pending")
      .where("id", "<=", rows[rows.length - 1].id)
      .execute();
  return rows.length;
}

/** Every audit entry about one report, opened (for the people who can read the report), oldest first. */
export async function reportAuditTrail(db: Executor, report: OpenReport): Promise<(ReportAuditRecord & { id: number; at: string })[]> {
  const rows = await db
    .selectFrom("audit_log")
    .select(["id", "at", "details"])
    .where("action", "=", REPORT_ACTIVITY)
    .where("target_type", "=", "report")
    .where("target_id", "=", auditTarget(report.key))
    .orderBy("id")
    .execute();
  const pending = await db
    .selectFrom("report_activity_pending")
    .select(["id", "day", "sealed"])
    .where("target", "=", auditTarget(report.key))
    .orderBy("id")
    .execute();
  const open = (sealed: string) => openJson<ReportAuditRecord>(report.key, sealed, reportAad.audit(report.publicId));
  return [
    ...rows.map((r) => ({ id: r.id, at: r.at, ...open((JSON.parse(r.details) as { sealed: string }).sealed) })),
    ...pending.map((p) => ({ id: 0, at: p.day, ...open(p.sealed) })),
  ];
}

/** Channel actions per Bangkok day (what everyone who cannot read the reports sees), newest day first. */
export async function channelActivityByDay(
  db: Executor,
  { days = 60 }: { days?: number } = {},
): Promise<{ day: string; actions: number }[]> {
  const since = bangkokDateKey(new Date(now().getTime() - days * 86_400_000));
  const rows = await sql<{ day: string; n: number }>`
    select day, count(*) as n from (
      select substr(case when length(at) = 10 then at else ${sql.raw(dialectOf(db).bangkokDay("at"))} end, 1, 10) as day
      from audit_log
      where target_type = 'report'
    ) as actions
    where day >= ${since}
    group by day
    order by day desc`.execute(db);
  return rows.rows.map((r) => ({ day: r.day, actions: Number(r.n) }));
}

/**
 * A staff member was refused a report (not a recipient, not an integrity officer, or no such report): logged with
 * what they asked for, exactly the same in every case.
 */
export async function logDeniedReportAccess(db: Executor, actor: ReportActor | null, requested: string): Promise<void> {
  const ref = /^R\d{4}-\d{4,8}$/.test(requested) ? requested : "(invalid)";
  await appendAudit(db, {
    actorId: actor?.id ?? null,
    actorRole: actor?.role ?? null,
    action: "report.denied",
    targetType: "report_request",
    targetId: null,
    details: { requested: ref },
  });
}
