/**
 * A province's public statistics: its member organisations side by side, and summed (the province page,
 * app/routes/province._index.tsx, and its open-data download). Pure: the figures come from each member's own
 * statistics (app/models/platform/province.server.ts).
 */
import { share, type Satisfaction } from "./stats";
import { toCsv, type CsvCell } from "./csv";
import type { Verdict } from "./plan-targets";

export interface MemberFigures {
  code: string;
  nameTh: string;
  nameEn: string;
  /** The member's own statistics pages. */
  url: string;
  received: number;
  closed: number;
  resolved: number;
  forwarded: number;
  deadline: { resolvedInTime: number; explainedInTime: number; late: number; share: number | null };
  acknowledgement: { onTime: number; late: number; share: number | null };
  overdueNow: number;
  satisfaction: Pick<Satisfaction, "answers" | "satisfied" | "share">;
  corruption: { received: number; completed: number; inProgress: number };
  /** The plan's measures (measure key → verdict) for the year. */
  verdicts: Record<string, Verdict>;
}

export type ProvinceTotals = Omit<MemberFigures, "code" | "nameTh" | "nameEn" | "url" | "verdicts"> & { members: number };

export interface MeasureSummary {
  key: string;
  measure: number;
  met: number;
  notMet: number;
  notEnoughData: number;
  info: number;
}

/** Sums of the members' counts; every share recomputed from the summed counts (never an average of shares). */
export function sumMembers(members: readonly MemberFigures[]): ProvinceTotals {
  const sum = (f: (m: MemberFigures) => number) => members.reduce((s, m) => s + f(m), 0);
  const resolvedInTime = sum((m) => m.deadline.resolvedInTime);
  const explainedInTime = sum((m) => m.deadline.explainedInTime);
  const late = sum((m) => m.deadline.late);
  const onTime = sum((m) => m.acknowledgement.onTime);
  const ackLate = sum((m) => m.acknowledgement.late);
  const answers = sum((m) => m.satisfaction.answers);
  const satisfied = sum((m) => m.satisfaction.satisfied);
  return {
    members: members.length,
    received: sum((m) => m.received),
    closed: sum((m) => m.closed),
    resolved: sum((m) => m.resolved),
    forwarded: sum((m) => m.forwarded),
    deadline: {
      resolvedInTime,
      explainedInTime,
      late,
      share: share(resolvedInTime + explainedInTime, resolvedInTime + explainedInTime + late),
    },
    acknowledgement: { onTime, late: ackLate, share: share(onTime, onTime + ackLate) },
    overdueNow: sum((m) => m.overdueNow),
    satisfaction: { answers, satisfied, share: share(satisfied, answers) },
    corruption: {
      received: sum((m) => m.corruption.received),
      completed: sum((m) => m.corruption.completed),
      inProgress: sum((m) => m.corruption.inProgress),
    },
  };
}

/** Per measure of the plan: how many members met it, did not, had too little data, or only report it. */
export function summariseMeasures(
  members: readonly MemberFigures[],
  measures: readonly { key: string; measure: number }[],
): MeasureSummary[] {
  return measures.map(({ key, measure }) => {
    const verdicts = members.map((m) => m.verdicts[key]);
    const count = (v: Verdict) => verdicts.filter((x) => x === v).length;
    return { key, measure, met: count("met"), notMet: count("not_met"), notEnoughData: count("not_enough_data"), info: count("info") };
  });
}

/** Counts of a member's verdicts. */
export function verdictCounts(verdicts: Record<string, Verdict>): Record<Verdict, number> {
  const out: Record<Verdict, number> = { met: 0, not_met: 0, not_enough_data: 0, info: 0 };
  for (const v of Object.values(verdicts)) out[v]++;
  return out;
}

/** The open-data columns of the province download (one row per member). */
export const PROVINCE_CSV_COLUMNS = [
  "organisation_code",
  "organisation_name_th",
  "organisation_name_en",
  "fiscal_year",
  "complaints_received",
  "complaints_closed",
  "complaints_resolved",
  "complaints_forwarded",
  "deadline_resolved_in_time",
  "deadline_explained_in_time",
  "deadline_late",
  "deadline_share_percent",
  "acknowledgement_on_time",
  "acknowledgement_late",
  "acknowledgement_share_percent",
  "overdue_now",
  "satisfaction_answers",
  "satisfaction_satisfied",
  "satisfaction_share_percent",
  "corruption_received",
  "corruption_completed",
  "corruption_in_progress",
  "targets_met",
  "targets_not_met",
  "targets_not_enough_data",
] as const;

const pct = (s: number | null) => (s === null ? null : Math.round(s * 1000) / 10);

/** The province's open data: a header line and one line per member, with a BOM so spreadsheet programs read Thai. */
export function provinceCsv(members: readonly MemberFigures[], fy: number): string {
  const rows: CsvCell[][] = [];
  for (const m of members) {
    const v = verdictCounts(m.verdicts);
    rows.push([
      m.code,
      m.nameTh,
      m.nameEn,
      fy,
      m.received,
      m.closed,
      m.resolved,
      m.forwarded,
      m.deadline.resolvedInTime,
      m.deadline.explainedInTime,
      m.deadline.late,
      pct(m.deadline.share),
      m.acknowledgement.onTime,
      m.acknowledgement.late,
      pct(m.acknowledgement.share),
      m.overdueNow,
      m.satisfaction.answers,
      m.satisfaction.satisfied,
      pct(m.satisfaction.share),
      m.corruption.received,
      m.corruption.completed,
      m.corruption.inProgress,
      v.met,
      v.not_met,
      v.not_enough_data,
    ]);
  }
  return toCsv(PROVINCE_CSV_COLUMNS, rows);
}
