/**
 * The life of a corruption/misconduct report (pure rules, no database):
 *
 *   received -> preliminary_review (ตรวจสอบข้อเท็จจริงเบื้องต้น) -> investigation (แต่งตั้งคณะกรรมการสอบสวน)
 *            -> concluded (with a finding: substantiated/มีมูล or unsubstantiated/ไม่มีมูล)
 *             | referred (to ป.ป.ช. / police / another agency)
 *   concluded | referred -> closed
 *
 * A report may also be concluded (e.g. unsubstantiated) or referred straight from preliminary review, and referred
 * from received (clearly outside the organisation's remit). Closed is final.
 */
import type { ReportFinding, ReportReferral, ReportStatus, ReportTag } from "../../db/schema";
import { DomainError } from "./domain-error";

export type { ReportFinding, ReportReferral, ReportStatus, ReportTag };

export const REPORT_STATUSES = [
  "received",
  "preliminary_review",
  "investigation",
  "concluded",
  "referred",
  "closed",
] as const satisfies readonly ReportStatus[];
export const REPORT_FINDINGS = ["substantiated", "unsubstantiated"] as const satisfies readonly ReportFinding[];
export const REPORT_REFERRALS = ["nacc", "police", "other"] as const satisfies readonly ReportReferral[];
export const REPORT_TAGS = [
  "bribery",
  "procurement",
  "personnel",
  "abuse_of_position",
  "conflict_of_interest",
  "unfair_service",
  "officer_conduct",
  "other",
] as const satisfies readonly ReportTag[];

export type ReportAction = "start_review" | "start_investigation" | "conclude" | "refer" | "close";
export const REPORT_ACTIONS = [
  "start_review",
  "start_investigation",
  "conclude",
  "refer",
  "close",
] as const satisfies readonly ReportAction[];

/** What the reporter is told (words for these in the report namespace: stage.<name>). */
export type PublicReportStage = "received" | "under_review" | "investigation" | "concluded" | "referred" | "closed";

const TRANSITIONS: Record<ReportAction, { from: readonly ReportStatus[]; to: ReportStatus }> = {
  start_review: { from: ["received"], to: "preliminary_review" },
  start_investigation: { from: ["preliminary_review"], to: "investigation" },
  conclude: { from: ["preliminary_review", "investigation"], to: "concluded" },
  refer: { from: ["received", "preliminary_review", "investigation"], to: "referred" },
  close: { from: ["concluded", "referred"], to: "closed" },
};

const TRANSITION_ERROR_KEY = {
  not_allowed: "case.errors.transition",
  finding_required: "case.errors.findingRequired",
  referral_required: "case.errors.referralRequired",
} as const;

/** A status change the report's current state does not allow (409), or one missing its finding or referral (422). */
export class InvalidReportTransitionError extends DomainError {
  constructor(
    readonly from: string,
    readonly action: string,
    readonly reason: "not_allowed" | "finding_required" | "referral_required" = "not_allowed",
  ) {
    super(reason === "not_allowed" ? 409 : 422, TRANSITION_ERROR_KEY[reason], { ns: "integrity" });
    this.message = `Report action "${action}" is not allowed from "${from}" (${reason})`;
    this.name = "InvalidReportTransitionError";
  }
}

export function isReportStatus(x: unknown): x is ReportStatus {
  return typeof x === "string" && (REPORT_STATUSES as readonly string[]).includes(x);
}
export function isReportAction(x: unknown): x is ReportAction {
  return typeof x === "string" && (REPORT_ACTIONS as readonly string[]).includes(x);
}
export function isReportFinding(x: unknown): x is ReportFinding {
  return typeof x === "string" && (REPORT_FINDINGS as readonly string[]).includes(x);
}
export function isReportReferral(x: unknown): x is ReportReferral {
  return typeof x === "string" && (REPORT_REFERRALS as readonly string[]).includes(x);
}
export function isReportTag(x: unknown): x is ReportTag {
  return typeof x === "string" && (REPORT_TAGS as readonly string[]).includes(x);
}

/** Actions possible from a status (for showing buttons). */
export function allowedReportActions(from: ReportStatus): ReportAction[] {
  return REPORT_ACTIONS.filter((a) => TRANSITIONS[a].from.includes(from));
}

/**
 * The status after `action`, or throws InvalidReportTransitionError. `conclude` needs a finding and `refer` a
 * destination (pass them in `extra`; omit `extra` to check only the state graph).
 */
export function applyReportTransition(
  from: ReportStatus | string,
  action: ReportAction | string,
  extra?: { finding?: string | null; referredTo?: string | null },
): ReportStatus {
  if (!isReportStatus(from) || !isReportAction(action)) throw new InvalidReportTransitionError(String(from), String(action));
  const t = TRANSITIONS[action];
  if (!t.from.includes(from)) throw new InvalidReportTransitionError(from, action);
  if (extra && action === "conclude" && !isReportFinding(extra.finding))
    throw new InvalidReportTransitionError(from, action, "finding_required");
  if (extra && action === "refer" && !isReportReferral(extra.referredTo))
    throw new InvalidReportTransitionError(from, action, "referral_required");
  return t.to;
}

/** Whether a report in this status is finished (no more work; counts toward the retention period). */
export function isFinalReportStatus(s: ReportStatus): boolean {
  return s === "closed";
}

/** The stage shown to the reporter, in plain words. */
export function publicReportStage(status: ReportStatus | string): PublicReportStage {
  switch (status) {
    case "preliminary_review":
      return "under_review";
    case "investigation":
      return "investigation";
    case "concluded":
      return "concluded";
    case "referred":
      return "referred";
    case "closed":
      return "closed";
    default:
      return "received";
  }
}
