/**
 * The anti-corruption plan's complaint targets (../shared/plan/complaint-targets.md) and how each is judged (pure).
 * The words of each target are in the `stats` locale (targets.<key>.name / .target / .how); this module decides the
 * numbers' verdict.
 */
import { SATISFACTION_TARGET } from "./stats";

/** Plan topics officers give cases at triage, for both channels (report tags use the same words). */
export const PLAN_TOPICS = ["bribery", "procurement", "personnel", "unfair_service", "officer_conduct"] as const;
export type PlanTopic = (typeof PLAN_TOPICS)[number];

export function isPlanTopic(x: unknown): x is PlanTopic {
  return typeof x === "string" && (PLAN_TOPICS as readonly string[]).includes(x);
}

/** How a target is judged. */
export type TargetRule =
  | { kind: "zero" } // met when the count is 0 (measure 13)
  | { kind: "decrease" } // met when lower than the previous fiscal year, or 0 in both
  | { kind: "decrease_pct"; pct: number } // met when at least pct% lower (measure 24: 10%)
  | { kind: "at_least_share"; share: number } // satisfaction: met when the share reaches the target
  | { kind: "channel" } // a channel exists and is used (measure 17 output)
  | { kind: "info" }; // the plan sets no threshold: shown for information

export type Verdict = "met" | "not_met" | "not_enough_data" | "info";

/** Fewest answers before a satisfaction share is judged. */
export const MIN_SATISFACTION_ANSWERS = 5;

export interface TargetDefinition {
  measure: number;
  /** Locale key under targets.* and the stable key in downloads. */
  key: string;
  rule: TargetRule;
}

/** Every measure with a complaint or satisfaction target, in plan order. */
export const TARGETS: readonly TargetDefinition[] = [
  { measure: 13, key: "m13", rule: { kind: "zero" } },
  { measure: 15, key: "m15", rule: { kind: "decrease" } },
  { measure: 16, key: "m16", rule: { kind: "decrease" } },
  { measure: 17, key: "m17_channel", rule: { kind: "channel" } },
  { measure: 17, key: "m17_unfair", rule: { kind: "decrease" } },
  { measure: 19, key: "m19", rule: { kind: "decrease" } },
  { measure: 20, key: "m20_satisfaction", rule: { kind: "at_least_share", share: SATISFACTION_TARGET } },
  { measure: 20, key: "m20_service", rule: { kind: "decrease" } },
  { measure: 20, key: "m20_corruption", rule: { kind: "decrease" } },
  { measure: 23, key: "m23_satisfaction", rule: { kind: "at_least_share", share: SATISFACTION_TARGET } },
  { measure: 23, key: "m23_deadline", rule: { kind: "info" } },
  { measure: 23, key: "m23_ack", rule: { kind: "info" } },
  { measure: 24, key: "m24", rule: { kind: "decrease_pct", pct: 10 } },
  { measure: 25, key: "m25", rule: { kind: "decrease" } },
  { measure: 28, key: "m28", rule: { kind: "info" } },
];

export interface JudgeInput {
  rule: TargetRule;
  /** Count, or for shares the share 0..1 (null = no answers). */
  current: number | null;
  previous: number | null;
  /** Satisfaction answers behind `current`. */
  currentAnswers?: number;
  /** The portal holds records from the selected year or earlier (else nothing can be judged). */
  currentCovered: boolean;
  /** The portal holds records from the previous year or earlier (needed for "decrease" targets). */
  previousCovered: boolean;
}

/** Met / not met / not enough data for one target. */
export function judgeTarget(input: JudgeInput): Verdict {
  const { rule, current, previous } = input;
  if (rule.kind === "info") return "info";
  if (!input.currentCovered) return "not_enough_data";
  switch (rule.kind) {
    case "zero":
      return current === 0 ? "met" : current === null ? "not_enough_data" : "not_met";
    case "channel":
      return current !== null && current > 0 ? "met" : "not_enough_data";
    case "at_least_share":
      if (current === null || (input.currentAnswers ?? 0) < MIN_SATISFACTION_ANSWERS) return "not_enough_data";
      return current >= rule.share ? "met" : "not_met";
    case "decrease":
      if (!input.previousCovered || current === null || previous === null) return "not_enough_data";
      if (current === 0 && previous === 0) return "met";
      return current < previous ? "met" : "not_met";
    case "decrease_pct":
      if (!input.previousCovered || current === null || previous === null) return "not_enough_data";
      if (previous === 0) return current === 0 ? "met" : "not_met";
      // Integer arithmetic: current ≤ previous × (100 − pct) / 100.
      return current * 100 <= previous * (100 - rule.pct) ? "met" : "not_met";
  }
}

/**
 * Whether a row is provisional: its period has not ended, so its figures can still change. This holds for every row
 * while the year runs — also the "info" rows (measures 23 and 28) and a "zero" target already missed (measure 13),
 * whose verdict cannot change but whose count can (stat-definitions.ts: provisional).
 */
export function isProvisional(periodRunning: boolean): boolean {
  return periodRunning;
}
