/**
 * What the action panel of the officer's case page offers (pure): the actions the case's status and the officer's
 * role allow, split into the usual next steps (shown open, the first one prominent) and the other actions (behind an
 * "other actions" disclosure). The delay-explanation letter is offered only when it is owed (the deadline passed
 * without a result or an explanation, or the supervisor's escalation marked it owed) or due (the deadline is near and
 * nothing was explained yet) — never on a case whose deadline is far off.
 */
import { availableActions as statusActions, isCaseStatus, isOpenStatus, type CaseAction, type CaseStatus } from "./complaint-status";
import { canActOnCase, type Actor, type CaseOperation, type CaseScope } from "./permissions";

/** Everything the panel can offer: the case operations plus the two written notices. */
export type PanelAction = CaseOperation | "explanation" | "progress";

/** The usual next step of a case in this status; shown first. Closed cases have none (reopening is rare). */
const USUAL_NEXT_STEP: Readonly<Partial<Record<CaseStatus, CaseAction>>> = {
  received: "accept",
  accepted: "start",
  in_progress: "resolve",
  waiting_info: "info_received",
};

/** The order of the remaining actions: day-to-day work first, the ones that close or reopen a case last. */
const ACTION_ORDER: readonly CaseOperation[] = [
  "accept",
  "start",
  "resolve",
  "info_received",
  "request_info",
  "assign",
  "reply",
  "note",
  "forward",
  "reopen",
];

/**
 * The operations the actor may take on a case in its current status, the usual next step first: status changes the
 * status allows (complaint-status) and the role allows (permissions), assignment, replies and internal notes.
 */
export function caseOperations(c: CaseScope & { status: string }, actor: Actor): CaseOperation[] {
  const status: CaseStatus = isCaseStatus(c.status) ? c.status : "received";
  const allowedByStatus = new Set<CaseOperation>([...statusActions(status), "assign", "reply", "note"]);
  const next = USUAL_NEXT_STEP[status];
  const ordered = next ? [next, ...ACTION_ORDER.filter((a) => a !== next)] : ACTION_ORDER;
  return ordered.filter((a) => allowedByStatus.has(a) && canActOnCase(actor, c, a));
}

/**
 * The steps shown open for each status, in order (those the actor may not take are left out): a new case is
 * accepted and assigned; an accepted one started (or closed at once with its result); one in progress gets a progress
 * note, a public reply or its result; one waiting for the citizen resumes when the information arrives.
 */
const MAIN_STEPS: Readonly<Record<CaseStatus, readonly PanelAction[]>> = {
  received: ["accept", "assign"],
  accepted: ["start", "resolve"],
  in_progress: ["note", "reply", "resolve"],
  waiting_info: ["info_received"],
  resolved: [],
  forwarded: [],
};

/** Where the case stands with the delay explanation (see explanationState). */
export type ExplanationState = "owed" | "due" | "again" | "none";

export interface ExplanationInput {
  status: string;
  /** The deadline state shown on the page (deadlineView): on_track, due_soon, due_today, overdue, paused, met, missed. */
  deadlineState: string;
  /** Marked owed by the overdue escalation and cleared when the explanation is sent. */
  explanationOwed: boolean;
  /** An explanation was already sent for this case. */
  explained: boolean;
}

/**
 * owed: the deadline passed with nothing explained (or the escalation marked it owed) — offered first;
 * due: the deadline is today or within the due-soon days and nothing was explained yet — offered with the next steps;
 * again: already explained but still overdue — a further explanation is offered among the other actions;
 * none: not offered (deadline far off, clock paused, case closed).
 */
export function explanationState(c: ExplanationInput): ExplanationState {
  if (!isCaseStatus(c.status) || !isOpenStatus(c.status)) return "none";
  if (c.explanationOwed) return "owed";
  if (c.deadlineState === "overdue") return c.explained ? "again" : "owed";
  if ((c.deadlineState === "due_today" || c.deadlineState === "due_soon") && !c.explained) return "due";
  return "none";
}

export interface ActionPanelPlan {
  /** Shown open; the first one is the usual next step, drawn as the prominent button. */
  main: PanelAction[];
  /** Behind the "other actions" disclosure. */
  other: PanelAction[];
  explanation: ExplanationState;
}

/** The action panel for `actor` on case `c` (its status, division and deadline). */
export function planActionPanel(c: CaseScope & ExplanationInput, actor: Actor): ActionPanelPlan {
  const status: CaseStatus = isCaseStatus(c.status) ? c.status : "received";
  const ops = caseOperations(c, actor);
  const canNotify = isOpenStatus(status) && canActOnCase(actor, c, "reply");
  const explanation = canNotify ? explanationState(c) : "none";
  const offered: PanelAction[] = [...ops];
  if (canNotify) offered.push("progress");
  if (explanation !== "none") offered.push("explanation");
  const wanted = [...MAIN_STEPS[status]];
  if (explanation === "owed") wanted.unshift("explanation");
  if (explanation === "due") wanted.push("explanation");
  let main = wanted.filter((a) => offered.includes(a));
  // When none of the usual steps is open to this person, their first allowed action leads instead.
  if (main.length === 0 && ops.length > 0 && isOpenStatus(status)) main = [ops[0]!];
  const other = offered.filter((a) => !main.includes(a));
  return { main, other, explanation };
}
