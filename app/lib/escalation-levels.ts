/**
 * The rungs of the escalation ladder and the days each may be set to (pure and browser-safe: the admin page renders
 * and validates them; the ticker and the rules model use the same lists).
 */
import type { EscalationLevel } from "../../db/schema";

export const ESCALATION_LEVELS = ["due_soon", "overdue", "overdue_executive", "unassigned"] as const satisfies readonly EscalationLevel[];

/**
 * Allowed `days` per level. due_soon: 0 = the policy's due-soon threshold, else its own threshold in days before the
 * deadline; overdue: days after the deadline; overdue_executive: days after the deadline (at least 1, so it follows
 * the supervisor's rung); unassigned: days after receipt.
 */
export const RULE_DAY_LIMITS: Record<EscalationLevel, readonly [number, number]> = {
  due_soon: [0, 30],
  overdue: [0, 30],
  overdue_executive: [1, 90],
  unassigned: [0, 30],
};
