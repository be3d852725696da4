/**
 * The plan scorecard (app/lib/plan-targets.ts): each target's indicator for a fiscal year (or its six-month round)
 * beside the same period a year earlier, read from the summary tables (db/statistics.ts).
 */
import { comparisonWindows, isSuppressed, monthEndOf, share, type Satisfaction, type StatPeriod } from "~/lib/stats";
import { isProvisional, judgeTarget, TARGETS, type PlanTopic, type TargetDefinition, type Verdict } from "~/lib/plan-targets";
import { firstRecordDay, memo, ratingCounts, today, type Executor } from "./figures-shared.server";

export interface IndicatorValue {
  value: number | null;
  unit: "count" | "percent";
  /** The value is 1–4 reports of the corruption channel and is shown as "fewer than 5". */
  suppressed: boolean;
  parts?: { general: number | null; corruption: number | null; corruptionSuppressed: boolean };
  answers?: number;
}

/** What a general-complaint figure counts (structurally a CaseListFilter, app/lib/complaint-list-filter.ts). */
export interface TargetList {
  fy: number;
  from?: string;
  to?: string;
  topic?: PlanTopic;
  rated?: "any" | "satisfied";
  sla?: "resolved" | "explained" | "late" | "undecided";
}

export interface TargetRow {
  measure: number;
  key: string;
  current: IndicatorValue;
  previous: IndicatorValue;
  verdict: Verdict;
  provisional: boolean;
  /** The days compared: the whole year, or for a running year the same stretch of both years. */
  window: { current: { from: string; to: string }; previous: { from: string; to: string } };
  list?: TargetList;
}

interface YearFigures {
  complaintsReceived: number;
  reportsReceived: number;
  reportsSubstantiated: number;
  topicsGeneral: Map<string, number>;
  topicsReport: Map<string, number>;
  caseSatisfaction: Satisfaction;
  counterSatisfaction: Satisfaction;
  deadlineShare: number | null;
  deadlineDecided: number;
  ackShare: number | null;
  ackDecided: number;
}

async function yearFigures(db: Executor, fy: number, from: string, to: string): Promise<YearFigures> {
  const [all, reports, topics, caseSat, counterSat] = await Promise.all([
    db
      .selectFrom("complaint_stats")
      .select((eb) => [
        eb.fn.sum<number>("received").as("received"),
        eb.fn.sum<number>("sla_resolved").as("sla_resolved"),
        eb.fn.sum<number>("sla_explained").as("sla_explained"),
        eb.fn.sum<number>("sla_late").as("sla_late"),
        eb.fn.sum<number>("ack_on_time").as("ack_on_time"),
        eb.fn.sum<number>("ack_late").as("ack_late"),
      ])
      .where("fiscal_year", "=", fy)
      .where("dim", "=", "all")
      .where("key", "=", "")
      .where("day", ">=", from)
      .where("day", "<=", to)
      .executeTakeFirst(),
    db
      .selectFrom("report_stats")
      .select((eb) => [eb.fn.sum<number>("received").as("received"), eb.fn.sum<number>("substantiated").as("substantiated")])
      .where("fiscal_year", "=", fy)
      .where("day", ">=", from)
      .where("day", "<=", to)
      .executeTakeFirst(),
    db
      .selectFrom("topic_stats")
      .select(["source", "topic", (eb) => eb.fn.sum<number>("n").as("n")])
      .where("fiscal_year", "=", fy)
      .where("day", ">=", from)
      .where("day", "<=", to)
      .groupBy(["source", "topic"])
      .execute(),
    ratingCounts(db, fy, "case", from, to),
    ratingCounts(db, fy, "counter", from, to),
  ]);
  const n = (x: unknown) => Number(x ?? 0);
  const inTime = n(all?.sla_resolved) + n(all?.sla_explained);
  const decided = inTime + n(all?.sla_late);
  const ackDecided = n(all?.ack_on_time) + n(all?.ack_late);
  return {
    complaintsReceived: n(all?.received),
    reportsReceived: n(reports?.received),
    reportsSubstantiated: n(reports?.substantiated),
    topicsGeneral: new Map(topics.filter((t) => t.source === "complaint").map((t) => [t.topic, n(t.n)])),
    topicsReport: new Map(topics.filter((t) => t.source === "report").map((t) => [t.topic, n(t.n)])),
    caseSatisfaction: caseSat,
    counterSatisfaction: counterSat,
    deadlineShare: share(inTime, decided),
    deadlineDecided: decided,
    ackShare: share(n(all?.ack_on_time), ackDecided),
    ackDecided,
  };
}

const TOPIC_OF: Record<string, PlanTopic> = {
  m13: "bribery",
  m15: "personnel",
  m16: "procurement",
  m17_unfair: "unfair_service",
  m19: "officer_conduct",
};

function topicValue(f: YearFigures, topic: PlanTopic): IndicatorValue {
  const general = f.topicsGeneral.get(topic) ?? 0;
  const corruption = f.topicsReport.get(topic) ?? 0;
  const corruptionSuppressed = isSuppressed(corruption);
  return {
    value: corruptionSuppressed ? null : general + corruption,
    unit: "count",
    suppressed: corruptionSuppressed,
    parts: { general, corruption: corruptionSuppressed ? null : corruption, corruptionSuppressed },
  };
}

const count = (value: number): IndicatorValue => ({ value, unit: "count", suppressed: false });
const percent = (value: number | null, answers?: number): IndicatorValue => ({
  value,
  unit: "percent",
  suppressed: false,
  ...(answers !== undefined ? { answers } : {}),
});

function indicator(def: TargetDefinition, f: YearFigures): { shown: IndicatorValue; raw: number | null; answers?: number } {
  const topic = TOPIC_OF[def.key];
  if (topic) {
    const shown = topicValue(f, topic);
    return { shown, raw: (f.topicsGeneral.get(topic) ?? 0) + (f.topicsReport.get(topic) ?? 0) };
  }
  switch (def.key) {
    case "m17_channel":
      return { shown: count(f.counterSatisfaction.answers), raw: f.counterSatisfaction.answers };
    case "m20_satisfaction":
      return {
        shown: percent(f.counterSatisfaction.share, f.counterSatisfaction.answers),
        raw: f.counterSatisfaction.share,
        answers: f.counterSatisfaction.answers,
      };
    case "m23_satisfaction":
      return {
        shown: percent(f.caseSatisfaction.share, f.caseSatisfaction.answers),
        raw: f.caseSatisfaction.share,
        answers: f.caseSatisfaction.answers,
      };
    case "m20_service":
      return { shown: count(f.complaintsReceived), raw: f.complaintsReceived };
    case "m20_corruption":
    case "m25":
      return { shown: count(f.reportsReceived), raw: f.reportsReceived };
    case "m24":
      return { shown: count(f.reportsSubstantiated), raw: f.reportsSubstantiated };
    case "m23_deadline":
      return { shown: percent(f.deadlineShare, f.deadlineDecided), raw: f.deadlineShare };
    case "m23_ack":
      return { shown: percent(f.ackShare, f.ackDecided), raw: f.ackShare };
    case "m28": {
      const v: IndicatorValue = {
        ...count(f.complaintsReceived + f.reportsReceived),
        parts: { general: f.complaintsReceived, corruption: f.reportsReceived, corruptionSuppressed: false },
      };
      return { shown: v, raw: f.complaintsReceived + f.reportsReceived };
    }
    default:
      throw new Error(`No indicator for target ${def.key}`);
  }
}

function listFor(def: TargetDefinition, fy: number, w: { from: string; to: string }): TargetList | undefined {
  const range = { fy, from: w.from, to: w.to };
  const topic = TOPIC_OF[def.key];
  if (topic) return { ...range, topic };
  if (def.key === "m20_service" || def.key === "m28") return range;
  // m23_satisfaction: answers are counted by answer date, the case lists by date of receipt: no list matches the count.
  if (def.key === "m23_deadline") return { ...range, sla: "late" };
  return undefined;
}

/**
 * The plan scorecard for a fiscal year (or its six-month round) beside the same period a year earlier. While the
 * period runs, both years are compared over its whole months that have ended (app/lib/stats.ts comparisonWindows)
 * and verdicts are provisional. A "decrease" needs the portal to have held records from the first month of the
 * previous year's window (a portal started later would compare a year of records with a few months).
 */
export async function planTargets(db: Executor, fy: number, period: StatPeriod = "year"): Promise<TargetRow[]> {
  return memo(db, `targets:${fy}:${period}:${today()}`, () => computePlanTargets(db, fy, period));
}

async function computePlanTargets(db: Executor, fy: number, period: StatPeriod): Promise<TargetRow[]> {
  const w = comparisonWindows(fy, period, today());
  const { current, previous, running } = w;
  const [cur, prev, first] = await Promise.all([
    yearFigures(db, fy, current.from, current.to),
    yearFigures(db, fy - 1, previous.from, previous.to),
    firstRecordDay(db),
  ]);
  const currentCovered = !w.empty && first !== null && first <= current.to;
  const previousCovered = !w.empty && first !== null && first <= monthEndOf(previous.from);
  return TARGETS.map((def) => {
    const c = indicator(def, cur);
    const p = indicator(def, prev);
    const verdict = judgeTarget({
      rule: def.rule,
      current: c.raw,
      previous: p.raw,
      currentAnswers: c.answers,
      currentCovered,
      previousCovered,
    });
    const list = w.empty ? undefined : listFor(def, fy, current);
    return {
      measure: def.measure,
      key: def.key,
      current: c.shown,
      previous: p.shown,
      verdict,
      provisional: isProvisional(running),
      window: { current, previous },
      ...(list ? { list } : {}),
    };
  });
}
