/**
 * Half-year (h1, the ITA "รอบ 6 เดือน") and annual (year) complaint-handling reports (plan measure 23, steps 7 and
 * 10): staff write the narrative — problems, obstacles, solutions, measures to prevent a repeat — in Thai (required)
 * and English (optional); a supervisor or administrator approves it, which freezes the figures of that moment into
 * `stat_reports.snapshot` and publishes the report at /stats/report/<fy>[/h1].
 *
 * States: (no row) → draft ⇄ submitted → published → (withdraw) draft.
 * - admin, supervisor, officer: write and save drafts, send for approval. Saving a submitted report returns it to
 *   draft (what was sent is what gets approved). A published report's text cannot change; it must be withdrawn first.
 * - supervisor, admin: approve (from draft or submitted; the Thai sections must be complete; only once the period has
 *   ended: h1 from 1 April, year from 1 October, Bangkok dates) and withdraw. Drafts may be written and sent any time.
 * - intake, executive: read only. Integrity officers: no access (they do not work on general complaints).
 * Every change is one transaction together with its audit entry (app/models/audit/audit.server.ts), and conditional on the
 * state the person saw (`updated_at`), so two people editing at once cannot silently overwrite each other.
 */
import type { Kysely } from "kysely";
import type { Database, StaffRole, StatReportPeriod, StatReportStatus } from "../../../db/schema";
import { appendAudit } from "~/models/audit/audit.server";
import { nowIso } from "~/utils/clock.server";
import {
  approvableFrom,
  canApproveStatReports,
  canEditStatReports,
  computeFigures,
  isPeriodOver,
  isThaiComplete,
  parseSnapshot,
  reportPeriodEnd,
  type ReportFigures,
  type StatReport,
} from "./fiscal-report-rules.server";

export type { StatReportPeriod, StatReportStatus };
export {
  approvableFrom,
  canApproveStatReports,
  canEditStatReports,
  canViewStatReports,
  computeFigures,
  isPeriodOver,
  isThaiComplete,
  narrativeSchema,
  parseSnapshot,
  reportPeriodEnd,
  validateNarrative,
  type NarrativeResult,
  type ReportFigures,
  type StatReport,
} from "./fiscal-report-rules.server";

export const STAT_REPORT_PERIODS = ["h1", "year"] as const satisfies readonly StatReportPeriod[];
export function isStatReportPeriod(x: unknown): x is StatReportPeriod {
  return x === "h1" || x === "year";
}

import {
  NARRATIVE_FIELDS,
  SECTIONS,
  SECTION_MAX,
  sectionText,
  type Narrative,
  type NarrativeField,
  type Section,
} from "~/lib/fiscal-report-text";
import type { Executor } from "../../../db/connection";
export { NARRATIVE_FIELDS, SECTIONS, SECTION_MAX, sectionText, type Narrative, type NarrativeField, type Section };

// ---------------------------------------------------------------------------------------------------------------
// Reading

export async function getStatReport(db: Executor, fy: number, period: StatReportPeriod): Promise<StatReport | null> {
  return (
    (await db.selectFrom("stat_reports").selectAll().where("fiscal_year", "=", fy).where("period", "=", period).executeTakeFirst()) ?? null
  );
}

/** Every stored report (drafts included), newest year first. */
export async function listStatReports(db: Executor): Promise<StatReport[]> {
  return db.selectFrom("stat_reports").selectAll().orderBy("fiscal_year", "desc").orderBy("period").execute();
}

/** The published report with its frozen figures, or null (never a draft). */
export async function getPublishedReport(
  db: Executor,
  fy: number,
  period: StatReportPeriod,
): Promise<{ report: StatReport; figures: ReportFigures } | null> {
  const r = await getStatReport(db, fy, period);
  if (!r || r.status !== "published") return null;
  const figures = parseSnapshot(r.snapshot);
  return figures ? { report: r, figures } : null;
}

/** Which periods of a year are published (links between the six-month and annual reports). */
export async function publishedPeriods(db: Executor, fy: number): Promise<StatReportPeriod[]> {
  const rows = await db
    .selectFrom("stat_reports")
    .select("period")
    .where("fiscal_year", "=", fy)
    .where("status", "=", "published")
    .execute();
  return rows.map((r) => r.period);
}

// ---------------------------------------------------------------------------------------------------------------
// Changes

export class StatReportError extends Error {
  constructor(
    readonly status: 403 | 404 | 409 | 422,
    readonly messageKey: string,
    readonly fieldErrors: Partial<Record<NarrativeField, string>> = {},
    /** Bangkok days ("YYYY-MM-DD", CE) the message interpolates; the page formats them in its language. */
    readonly dates: Record<string, string> = {},
  ) {
    super(messageKey);
  }
}

export interface Actor {
  id: number;
  role: StaffRole;
}

const target = (fy: number, period: StatReportPeriod) => `${fy}-${period}`;

/**
 * `expectedUpdatedAt` is the `updated_at` the person's form was built from ("" when the report did not exist yet):
 * when the row changed since, the change is refused with 409 instead of overwriting someone else's text.
 */
function checkVersion(row: StatReport | undefined, expectedUpdatedAt: string | null | undefined): void {
  if (expectedUpdatedAt === null || expectedUpdatedAt === undefined) return;
  const current = row?.updated_at ?? "";
  if (current !== expectedUpdatedAt) throw new StatReportError(409, "statreport:errors.conflict");
}

async function writeNarrative(
  db: Kysely<Database>,
  actor: Actor,
  fy: number,
  period: StatReportPeriod,
  narrative: Narrative,
  status: "draft" | "submitted",
  expectedUpdatedAt: string | null | undefined,
): Promise<StatReport> {
  if (!canEditStatReports(actor)) throw new StatReportError(403, "statreport:errors.forbidden");
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("stat_reports")
      .selectAll()
      .where("fiscal_year", "=", fy)
      .where("period", "=", period)
      .executeTakeFirst();
    if (row?.status === "published") throw new StatReportError(409, "statreport:errors.published");
    checkVersion(row, expectedUpdatedAt);
    const at = nowIso();
    // updated_at must change on every write (it is the version the next form is checked against).
    const stamp = row && row.updated_at >= at ? new Date(Date.parse(row.updated_at) + 1).toISOString() : at;
    const values = {
      ...narrative,
      status,
      updated_by: actor.id,
      updated_at: stamp,
      submitted_by: status === "submitted" ? actor.id : null,
      submitted_at: status === "submitted" ? stamp : null,
    };
    if (row) {
      await trx.updateTable("stat_reports").set(values).where("fiscal_year", "=", fy).where("period", "=", period).execute();
    } else {
      await trx
        .insertInto("stat_reports")
        .values({ fiscal_year: fy, period, ...values })
        .execute();
    }
    await appendAudit(trx, {
      actorId: actor.id,
      actorRole: actor.role,
      action: status === "submitted" ? "stat_report.submit" : "stat_report.save",
      targetType: "stat_report",
      targetId: target(fy, period),
      details: { from: row?.status ?? null, to: status },
    });
    return (await trx
      .selectFrom("stat_reports")
      .selectAll()
      .where("fiscal_year", "=", fy)
      .where("period", "=", period)
      .executeTakeFirstOrThrow()) as StatReport;
  });
}

/** Saves the narrative as a draft (a submitted report returns to draft). */
export async function saveDraft(
  db: Kysely<Database>,
  actor: Actor,
  fy: number,
  period: StatReportPeriod,
  narrative: Narrative,
  expectedUpdatedAt?: string | null,
) {
  return writeNarrative(db, actor, fy, period, narrative, "draft", expectedUpdatedAt);
}

/** Saves the narrative and sends it for approval (the four Thai sections must be written). */
export async function submitReport(
  db: Kysely<Database>,
  actor: Actor,
  fy: number,
  period: StatReportPeriod,
  narrative: Narrative,
  expectedUpdatedAt?: string | null,
) {
  const missing = Object.fromEntries(
    SECTIONS.filter((s) => !narrative[`${s}_th`].trim()).map((s) => [`${s}_th`, "statreport:errors.required"]),
  );
  if (Object.keys(missing).length) throw new StatReportError(422, "statreport:errors.required", missing);
  return writeNarrative(db, actor, fy, period, narrative, "submitted", expectedUpdatedAt);
}

/**
 * Approves and publishes the stored text (draft or submitted; all Thai sections written), freezing the figures of
 * this moment into the snapshot. Refused (409 statreport:errors.periodNotEnded) while today is on or before the
 * period's last day.
 */
export async function approveReport(
  db: Kysely<Database>,
  actor: Actor,
  fy: number,
  period: StatReportPeriod,
  expectedUpdatedAt?: string | null,
): Promise<StatReport> {
  if (!canApproveStatReports(actor)) throw new StatReportError(403, "statreport:errors.forbidden");
  if (!isPeriodOver(fy, period)) {
    throw new StatReportError(
      409,
      "statreport:errors.periodNotEnded",
      {},
      { end: reportPeriodEnd(fy, period), from: approvableFrom(fy, period) },
    );
  }
  const figures = await computeFigures(db, fy, period);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("stat_reports")
      .selectAll()
      .where("fiscal_year", "=", fy)
      .where("period", "=", period)
      .executeTakeFirst();
    if (!row) throw new StatReportError(409, "statreport:errors.notSubmitted");
    if (row.status === "published") throw new StatReportError(409, "statreport:errors.alreadyPublished");
    checkVersion(row, expectedUpdatedAt);
    if (!isThaiComplete(row)) {
      const missing = Object.fromEntries(
        SECTIONS.filter((s) => !row[`${s}_th`].trim()).map((s) => [`${s}_th`, "statreport:errors.required"]),
      );
      throw new StatReportError(422, "statreport:errors.required", missing);
    }
    const at = nowIso();
    const stamp = row.updated_at >= at ? new Date(Date.parse(row.updated_at) + 1).toISOString() : at;
    const snapshot: ReportFigures = { ...figures, asOf: at, approverRole: actor.role };
    await trx
      .updateTable("stat_reports")
      .set({ status: "published", snapshot: JSON.stringify(snapshot), approved_by: actor.id, approved_at: at, updated_at: stamp })
      .where("fiscal_year", "=", fy)
      .where("period", "=", period)
      .execute();
    await appendAudit(trx, {
      actorId: actor.id,
      actorRole: actor.role,
      action: "stat_report.approve",
      targetType: "stat_report",
      targetId: target(fy, period),
      details: { from: row.status, to: "published" },
    });
    return (await trx
      .selectFrom("stat_reports")
      .selectAll()
      .where("fiscal_year", "=", fy)
      .where("period", "=", period)
      .executeTakeFirstOrThrow()) as StatReport;
  });
}

/** Withdraws a published (or returns a submitted) report to draft: hidden from the public, snapshot dropped. */
export async function withdrawReport(
  db: Kysely<Database>,
  actor: Actor,
  fy: number,
  period: StatReportPeriod,
  expectedUpdatedAt?: string | null,
): Promise<StatReport> {
  if (!canApproveStatReports(actor)) throw new StatReportError(403, "statreport:errors.forbidden");
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("stat_reports")
      .selectAll()
      .where("fiscal_year", "=", fy)
      .where("period", "=", period)
      .executeTakeFirst();
    if (!row || row.status === "draft") throw new StatReportError(409, "statreport:errors.notPublished");
    checkVersion(row, expectedUpdatedAt);
    const at = nowIso();
    const stamp = row.updated_at >= at ? new Date(Date.parse(row.updated_at) + 1).toISOString() : at;
    await trx
      .updateTable("stat_reports")
      .set({
        status: "draft",
        snapshot: null,
        approved_by: null,
        approved_at: null,
        submitted_by: null,
        submitted_at: null,
        updated_by: actor.id,
        updated_at: stamp,
      })
      .where("fiscal_year", "=", fy)
      .where("period", "=", period)
      .execute();
    await appendAudit(trx, {
      actorId: actor.id,
      actorRole: actor.role,
      action: "stat_report.withdraw",
      targetType: "stat_report",
      targetId: target(fy, period),
      details: { from: row.status, to: "draft" },
    });
    return (await trx
      .selectFrom("stat_reports")
      .selectAll()
      .where("fiscal_year", "=", fy)
      .where("period", "=", period)
      .executeTakeFirstOrThrow()) as StatReport;
  });
}

/** The narrative of a stored report (empty strings when there is none yet). */
export function narrativeOf(r: StatReport | null): Narrative {
  return Object.fromEntries(NARRATIVE_FIELDS.map((f) => [f, r ? r[f] : ""])) as Narrative;
}
