/**
 * Who may see and do what in the back office. Pure rules (no database): routes and domain functions both ask
 * these, so a hidden button and a refused POST always agree.
 */
import type { StaffRole } from "../../db/schema";
import type { CaseAction } from "./complaint-status";

export const STAFF_ROLES = ["admin", "supervisor", "officer", "intake", "executive", "integrity"] as const satisfies readonly StaffRole[];

export function isStaffRole(x: unknown): x is StaffRole {
  return typeof x === "string" && (STAFF_ROLES as readonly string[]).includes(x);
}

/** The signed-in person, as far as the rules need to know. */
export interface Actor {
  id: number;
  role: StaffRole;
  division_id: number | null;
}

/** The case, as far as the rules need to know. */
export interface CaseScope {
  division_id: number | null;
}

/** Everything staff can do on one case. */
export type CaseOperation = CaseAction | "assign" | "reply" | "note";

export const CASE_OPERATIONS: readonly CaseOperation[] = [
  "accept",
  "start",
  "request_info",
  "info_received",
  "resolve",
  "forward",
  "reopen",
  "assign",
  "reply",
  "note",
];

const OFFICER_OPS: ReadonlySet<CaseOperation> = new Set([
  "accept",
  "start",
  "request_info",
  "info_received",
  "resolve",
  "forward",
  "assign",
  "reply",
  "note",
]);
const INTAKE_OPS: ReadonlySet<CaseOperation> = new Set(["accept", "assign", "reply", "note", "forward"]);

function ownDivision(actor: Actor, c: CaseScope): boolean {
  return actor.division_id !== null && c.division_id !== null && actor.division_id === c.division_id;
}

/** Whether the actor may open the case at all (officers: only their own division's cases). */
export function canViewCase(actor: Actor, c: CaseScope): boolean {
  switch (actor.role) {
    case "admin":
    case "supervisor":
    case "intake":
    case "executive":
      return true;
    case "officer":
      return ownDivision(actor, c);
    default:
      return false;
  }
}

/** Whether the actor may perform `op` on the case (before looking at the case's status). */
export function canActOnCase(actor: Actor, c: CaseScope, op: CaseOperation): boolean {
  switch (actor.role) {
    case "admin":
    case "supervisor":
      return true;
    case "intake":
      return INTAKE_OPS.has(op);
    case "officer":
      return ownDivision(actor, c) && OFFICER_OPS.has(op);
    case "executive":
    default:
      return false;
  }
}

/**
 * Whether the actor may give the case to `target.divisionId` and (optionally) a person in `target.assigneeDivisionId`.
 * Officers keep cases in their own division and may only hand them to a colleague of that division.
 */
export function canAssign(
  actor: Actor,
  c: CaseScope,
  target: { divisionId: number | null; assigneeDivisionId?: number | null; hasAssignee: boolean },
): boolean {
  if (!canActOnCase(actor, c, "assign")) return false;
  if (actor.role !== "officer") return true;
  if (target.divisionId !== actor.division_id) return false;
  if (target.hasAssignee && target.assigneeDivisionId !== actor.division_id) return false;
  return true;
}

/** Whether the actor may change a case's division (officers may only assign within theirs). */
export function canChangeDivision(actor: Actor): boolean {
  return actor.role === "admin" || actor.role === "supervisor" || actor.role === "intake";
}

/** Operations to offer on the case page (status actions still filtered by availableActions). */
export function allowedOperations(actor: Actor, c: CaseScope): CaseOperation[] {
  return CASE_OPERATIONS.filter((op) => canActOnCase(actor, c, op));
}

/** Whether the actor may record complaints received at the office, by phone, letter, LINE or Facebook. */
export function canRecordIntake(actor: Actor): boolean {
  return actor.role === "admin" || actor.role === "supervisor" || actor.role === "intake";
}

/** Only administrators see the administration page. */
export function canAdminister(actor: Pick<Actor, "role">): boolean {
  return actor.role === "admin";
}

/**
 * Whether the actor may read the counter-service satisfaction answers (/staff/feedback): the people who run the
 * office counter and those who answer for the service. Not officers, and never integrity officers.
 */
export function canReadCounterFeedback(actor: Pick<Actor, "role">): boolean {
  return actor.role === "admin" || actor.role === "supervisor" || actor.role === "executive" || actor.role === "intake";
}

/**
 * Division restriction for lists: `undefined` = every division; a number = only that division.
 * An officer without a division sees nothing (-1 matches no row); neither does an integrity officer.
 */
export function queueDivisionScope(actor: Actor): number | undefined {
  if (actor.role === "integrity") return -1;
  if (actor.role !== "officer") return undefined;
  return actor.division_id ?? -1;
}

// ---------------------------------------------------------------------------------------------------------------
// Corruption and misconduct reports (measure 28).
//
// Decision: integrity officers (ผู้รับผิดชอบเรื่องร้องเรียนการทุจริต) work ONLY on corruption reports. They do not
// read general complaints (canViewCase is false, their complaint queue is empty): the two channels stay apart in
// both directions, an integrity officer's account (which must carry TOTP) is not a second way into citizens'
// personal data, and a report about a complaint handler is not mixed with that handler's cases. A municipality
// that wants the same person to do both gives them two accounts.
// Nobody else — not admins, supervisors, officers, intake or executives — can list, open, download or export
// reports; they see counts only.

/** Whether the actor may list, open, download and act on corruption reports (further limited per report by recipient and exclusions). */
export function canAccessReports(actor: Pick<Actor, "role">): boolean {
  return actor.role === "integrity";
}

/** Whether the actor may read the audit log (entries carry no report content). */
export function canReadAuditLog(actor: Pick<Actor, "role">): boolean {
  return actor.role === "admin" || actor.role === "integrity";
}

/** Whether the actor may change the report channel's settings (alternate recipient, retention, deadlines). */
export function canManageReportSettings(actor: Pick<Actor, "role">): boolean {
  return actor.role === "admin";
}

/** Whether the actor sees the report counts (totals only, never content). */
export function canSeeReportCounts(actor: Pick<Actor, "role">): boolean {
  return actor.role === "admin" || actor.role === "supervisor" || actor.role === "executive";
}

// ---------------------------------------------------------------------------------------------------------------
// Second factor (TOTP or a passkey) after the password.

/** Roles that always sign in with a second factor: they set the alternate recipient, retention, templates, or read reports. */
export const FIXED_SECOND_FACTOR_ROLES = ["admin", "supervisor", "integrity"] as const satisfies readonly StaffRole[];
/** Roles an administrator may make sign in with a second factor (/staff/admin/security). */
export const OPTIONAL_SECOND_FACTOR_ROLES = ["officer", "intake", "executive"] as const satisfies readonly StaffRole[];
export type OptionalSecondFactorRole = (typeof OPTIONAL_SECOND_FACTOR_ROLES)[number];

export function isOptionalSecondFactorRole(x: unknown): x is OptionalSecondFactorRole {
  return typeof x === "string" && (OPTIONAL_SECOND_FACTOR_ROLES as readonly string[]).includes(x);
}

/** The installation's setting: which optional roles an administrator has turned the second factor on for. */
export interface SecondFactorPolicy {
  optionalRoles: readonly StaffRole[];
}

/**
 * Whether the role must pass a second factor before any back-office page opens: admin, supervisor and integrity
 * always; officer, intake and executive when the policy (app/models/staff/second-factor.server.ts, secondFactorPolicy)
 * says so. The policy is required on purpose: a caller that forgot it would silently let those roles in without one.
 */
export function requiresSecondFactor(actor: Pick<Actor, "role">, policy: SecondFactorPolicy): boolean {
  if ((FIXED_SECOND_FACTOR_ROLES as readonly string[]).includes(actor.role)) return true;
  return isOptionalSecondFactorRole(actor.role) && policy.optionalRoles.includes(actor.role);
}
