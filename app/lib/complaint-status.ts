/** State machine for general complaint cases, and the channels a case can arrive by. */
import { sql, type RawBuilder } from "kysely";
import type { ComplaintChannel } from "../../db/schema";

/** Every channel of receipt, in the order pages list them (the one list: statistics, filters, SLA policies). */
export const COMPLAINT_CHANNELS = ["web", "walk_in", "phone", "letter", "line", "facebook"] as const satisfies readonly ComplaintChannel[];

export { CASE_STATUSES, OPEN_STATUSES, CLOSED_STATUSES, openStatusSqlText, closedStatusSqlText, type CaseStatus } from "../../db/statuses";
import { CASE_STATUSES, OPEN_STATUSES, CLOSED_STATUSES, openStatusSqlText, closedStatusSqlText, type CaseStatus } from "../../db/statuses";

/** All staff actions on a case. */
export const CASE_ACTIONS = ["accept", "start", "request_info", "info_received", "resolve", "forward", "reopen"] as const;

/** A staff action on a case. */
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** For each action: the statuses it may be applied from, and the resulting status. */
export const TRANSITIONS: Readonly<Record<CaseAction, { from: readonly CaseStatus[]; to: CaseStatus }>> = {
  accept: { from: ["received"], to: "accepted" },
  start: { from: ["accepted"], to: "in_progress" },
  request_info: { from: ["accepted", "in_progress"], to: "waiting_info" },
  info_received: { from: ["waiting_info"], to: "in_progress" },
  resolve: { from: ["accepted", "in_progress"], to: "resolved" },
  forward: { from: OPEN_STATUSES, to: "forwarded" },
  reopen: { from: ["resolved", "forwarded"], to: "in_progress" },
};

/** Extra input each action requires (resolve needs a result summary, forward needs the receiving agency). */
export const ACTION_REQUIRED_FIELD: Readonly<Partial<Record<CaseAction, "resultSummary" | "forwardedTo">>> = {
  resolve: "resultSummary",
  forward: "forwardedTo",
};

/** Type guard for case statuses. */
export function isCaseStatus(x: unknown): x is CaseStatus {
  return typeof x === "string" && (CASE_STATUSES as readonly string[]).includes(x);
}

/** Type guard for case actions. */
export function isCaseAction(x: unknown): x is CaseAction {
  return typeof x === "string" && (CASE_ACTIONS as readonly string[]).includes(x);
}

/** Status after applying `action` to `from`, or null if not allowed. */
export function nextStatus(from: CaseStatus, action: CaseAction): CaseStatus | null {
  const t = TRANSITIONS[action];
  return t && t.from.includes(from) ? t.to : null;
}

/** Actions allowed from a status, in CASE_ACTIONS order. */
export function availableActions(from: CaseStatus): CaseAction[] {
  return CASE_ACTIONS.filter((a) => nextStatus(from, a) !== null);
}

/** True while a case still needs work (not resolved or forwarded). */
export function isOpenStatus(s: CaseStatus): boolean {
  return !(CLOSED_STATUSES as readonly string[]).includes(s);
}

/** The open-case condition as a Kysely fragment (see openStatusSqlText). */
export function openStatusSql(column = "status"): RawBuilder<boolean> {
  return sql.raw<boolean>(openStatusSqlText(column));
}

/** The closed-case condition as a Kysely fragment. */
export function closedStatusSql(column = "status"): RawBuilder<boolean> {
  return sql.raw<boolean>(closedStatusSqlText(column));
}

/** Thrown when an action is not allowed from the current status. */
export class InvalidTransitionError extends Error {
  /** i18n key for a user-facing message. */
  readonly messageKey = "errors.invalidTransition";

  constructor(
    public from: CaseStatus,
    public action: CaseAction,
  ) {
    super(`Action "${action}" is not allowed from status "${from}"`);
    this.name = "InvalidTransitionError";
  }
}

/** Applies an action, throwing InvalidTransitionError if it is not allowed. */
export function applyTransition(from: CaseStatus, action: CaseAction): CaseStatus {
  const to = nextStatus(from, action);
  if (to === null) throw new InvalidTransitionError(from, action);
  return to;
}

/** Citizen-facing stage used to group the public timeline. */
export function publicStage(s: CaseStatus): "received" | "in_progress" | "done" {
  if (s === "received") return "received";
  if (s === "resolved" || s === "forwarded") return "done";
  return "in_progress";
}
