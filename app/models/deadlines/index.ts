/**
 * Deadlines — the one entry point for the "15-day rule": the policy of a case (policy.server.ts), due dates and
 * deadline states (due-dates.ts), the clock while a case waits for the complainant (pause.ts), the first-period and
 * acknowledgement outcomes (outcomes.ts, and the ticker's "late" in outcomes.server.ts), which cases each rung of the
 * escalation ladder looks at (candidates.server.ts) and the escalation e-mails (escalation-digest.server.ts; the
 * ladder's claims run in escalation.server.ts).
 */
export {
  type CountingMode,
  type Counting,
  type SlaPolicy,
  type StatePolicy,
  type DeadlineState,
  type DeadlineViewState,
  type DeadlineView,
  type BoardState,
  BOARD_STATES,
  DEFAULT_SLA_POLICY,
  DEFAULT_ACK_DAYS,
  isWorkingDay,
  addDays,
  daysBefore,
  bangkokDayDiff,
  countedDaysBetween,
  computeDueAt,
  computeAckDueAt,
  defaultExpectedDate,
  deadlineStatus,
  dueSoonCutoff,
  deadlineView,
} from "./due-dates";
export {
  type CaseClock,
  type ClockBeforePause,
  type ClockWhilePaused,
  caseCounting,
  caseDeadlineView,
  daysAtPause,
  dueAtOnResume,
  policyOfCase,
  remainingDays,
  resumeDueAt,
} from "./pause";
export {
  type SlaOutcome,
  type OutcomeClock,
  type LateClock,
  ackOutcome,
  isLateByClock,
  outcomeOnClose,
  outcomeOnExplanation,
  outcomeOnPause,
  undecidedRunningSqlText,
} from "./outcomes";
export { type CasePolicy, type CasePolicies, type PolicyKey, casePolicies, holidaySet, invalidatePolicyCache } from "./policy.server";
export { markLateAcknowledgements, markLateDeadlines, markLateOutcomesBatch } from "./outcomes.server";
