/**
 * Rules of the half-year and annual complaint-handling reports (app/models/statistics/fiscal-reports.server.ts): who may
 * do what, when a report may be approved, validation of the narrative, and the figures a report shows.
 */
import type { Selectable } from "kysely";
import { z } from "zod";
import type { StaffRole, StatReportPeriod, StatReportTable } from "../../../db/schema";
import { periodRange } from "~/lib/stats";
import { addBangkokDays, bangkokDateKey, dateFromBangkokKey } from "~/lib/thai-date";
import { NARRATIVE_FIELDS, SECTIONS, SECTION_MAX, type Narrative, type NarrativeField, type Section } from "~/lib/fiscal-report-text";
import {
  complaintStats,
  corruptionStats,
  planTargets,
  type ComplaintStats,
  type CorruptionStats,
  type TargetRow,
} from "~/models/statistics/figures.server";
import { now, nowIso } from "~/utils/clock.server";
import type { Executor } from "../../../db/connection";

export type StatReport = Selectable<StatReportTable>;

// ---------------------------------------------------------------------------------------------------------------
// Who may do what (pure; the routes ask these for every loader and action).

interface Who {
  role: StaffRole;
}

/** Read the back-office report pages and preview drafts. */
export function canViewStatReports(a: Who): boolean {
  return a.role === "admin" || a.role === "supervisor" || a.role === "officer" || a.role === "intake" || a.role === "executive";
}

/** Write drafts and send them for approval. */
export function canEditStatReports(a: Who): boolean {
  return a.role === "admin" || a.role === "supervisor" || a.role === "officer";
}

/** Approve and publish, and withdraw. */
export function canApproveStatReports(a: Who): boolean {
  return a.role === "admin" || a.role === "supervisor";
}

// ---------------------------------------------------------------------------------------------------------------
// When a report may be approved: not before its period has ended (a report published on 15 March would present half
// a round as the six-month figures, and the plan verdicts would still be provisional).

/** Last Bangkok day ("YYYY-MM-DD", CE) of a report's period: 31 March (h1) or 30 September (year). */
export function reportPeriodEnd(fy: number, period: StatReportPeriod): string {
  return periodRange(fy, period).to;
}

/** First Bangkok day ("YYYY-MM-DD", CE) on which the report may be approved: the day after its period ends. */
export function approvableFrom(fy: number, period: StatReportPeriod): string {
  return bangkokDateKey(addBangkokDays(dateFromBangkokKey(reportPeriodEnd(fy, period)), 1));
}

/** Whether the period is over, i.e. today (Bangkok, from the portal's clock) is after its last day. */
export function isPeriodOver(fy: number, period: StatReportPeriod, todayKey: string = bangkokDateKey(now())): boolean {
  return todayKey > reportPeriodEnd(fy, period);
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

const section = z
  .string()
  .optional()
  .transform((s) => (s ?? "").replace(/\r\n?/g, "\n").trim())
  .refine((s) => s.length <= SECTION_MAX, { message: "statreport:errors.tooLong" });

export const narrativeSchema = z.object(
  Object.fromEntries(NARRATIVE_FIELDS.map((f) => [f, section])) as Record<NarrativeField, typeof section>,
);

export type NarrativeResult = { ok: true; data: Narrative } | { ok: false; errors: Partial<Record<NarrativeField, string>> };

/**
 * Validates the narrative fields of a form. `complete` (sending for approval, approving) also requires the four
 * Thai sections; English stays optional.
 */
export function validateNarrative(values: Record<string, unknown>, { complete }: { complete: boolean }): NarrativeResult {
  const input = Object.fromEntries(NARRATIVE_FIELDS.map((f) => [f, typeof values[f] === "string" ? values[f] : undefined]));
  const p = narrativeSchema.safeParse(input);
  const errors: Partial<Record<NarrativeField, string>> = {};
  if (!p.success) {
    for (const issue of p.error.issues) {
      const field = String(issue.path[0]) as NarrativeField;
      errors[field] ??= issue.message.startsWith("statreport:") ? issue.message : "statreport:errors.invalid";
    }
  }
  const data = p.success ? (p.data as Narrative) : null;
  if (complete) {
    for (const s of SECTIONS) {
      const f = `${s}_th` as NarrativeField;
      const v = data ? data[f] : String(input[f] ?? "").trim();
      if (!v && !errors[f]) errors[f] = "statreport:errors.required";
    }
  }
  if (Object.keys(errors).length > 0 || !data) return { ok: false, errors };
  return { ok: true, data };
}

/** Whether a stored report has all four Thai sections. */
export function isThaiComplete(r: Pick<StatReport, `${Section}_th`>): boolean {
  return SECTIONS.every((s) => r[`${s}_th`].trim().length > 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Figures

/** The figures a report shows: live for a draft preview, frozen in `snapshot` once approved. */
export interface ReportFigures {
  version: 1;
  /** When the figures were computed (the approval time for a published report). */
  asOf: string;
  fiscalYear: number;
  period: StatReportPeriod;
  complaints: ComplaintStats;
  corruption: CorruptionStats;
  targets: TargetRow[];
  /** Role of the approver at the time of approval (published reports only). */
  approverRole?: StaffRole;
}

export async function computeFigures(db: Executor, fy: number, period: StatReportPeriod): Promise<ReportFigures> {
  // Every figure covers the report's period only (the six-month report: October–March).
  const [complaints, corruption, targets] = await Promise.all([
    complaintStats(db, fy, period),
    corruptionStats(db, fy, period),
    planTargets(db, fy, period),
  ]);
  return { version: 1, asOf: nowIso(), fiscalYear: fy, period, complaints, corruption, targets };
}

export function parseSnapshot(s: string | null): ReportFigures | null {
  if (!s) return null;
  try {
    const v = JSON.parse(s) as ReportFigures;
    return v && v.version === 1 && v.complaints && v.corruption && Array.isArray(v.targets) ? v : null;
  } catch {
    return null;
  }
}
