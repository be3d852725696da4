/**
 * Rows of every open data table for one fiscal year (app/models/statistics/open-data.server.ts), built from the
 * statistics API (complaintStats / corruptionStats / planTargets in app/models/statistics/figures.server.ts).
 */
import type { DB } from "../../../db/connection";
import { tFor } from "~/i18n";
import { hasFigures, periodRange, type Flow, type MonthStatus, type Satisfaction, type StatPeriod } from "~/lib/stats";
import { REPORT_TAGS } from "~/lib/report-status";
import { complaintStats, corruptionStats, planTargets, type IndicatorValue } from "~/models/statistics/figures.server";
import { percent, t, thaiMonthLabel, type OpenDataTableName, type Row } from "./open-data-columns.server";
import { getOrgProfile } from "~/models/organisation/profile.server";

/** Periods in the summary table: the year, its halves, its quarters. */
const SUMMARY_PERIODS: readonly StatPeriod[] = ["year", "h1", "h2", "q1", "q2", "q3", "q4"];
const SATISFACTION_PERIODS: readonly StatPeriod[] = ["year", "h1", "h2"];

function flowCells(f: Flow): Row {
  return { received: f.received, completed: f.completed, in_progress: f.inProgress };
}

/** Counts of a flow, or empty cells when the month/period has no figures (not begun, or before the first record). */
function flowOrEmpty(f: Flow, status: MonthStatus): Row {
  return hasFigures(status) ? flowCells(f) : { received: null, completed: null, in_progress: null };
}

function satisfactionRow(source: "cases" | "counter", period: StatPeriod, fy: number, s: Satisfaction, status: MonthStatus): Row {
  const r = periodRange(fy, period);
  if (!hasFigures(status)) return { source, source_th: t("th")(`data.values.source.${source}`), period, from: r.from, to: r.to, status };
  return {
    source,
    source_th: t("th")(`data.values.source.${source}`),
    period,
    from: r.from,
    to: r.to,
    status,
    answers: s.answers,
    satisfied: s.satisfied,
    percent: percent(s.share),
    score_1: s.byScore[0],
    score_2: s.byScore[1],
    score_3: s.byScore[2],
    score_4: s.byScore[3],
    score_5: s.byScore[4],
  };
}

function indicatorValue(v: IndicatorValue | undefined): { value: number | null; suppressed: boolean } {
  if (!v) return { value: null, suppressed: false };
  if (v.suppressed) return { value: null, suppressed: true };
  const value = v.value === null ? null : v.unit === "percent" ? percent(v.value) : v.value;
  return { value, suppressed: false };
}
/** Rows of one table for one fiscal year (figures as of now). */
export async function buildRows(db: DB, fy: number, table: OpenDataTableName): Promise<Row[]> {
  const th = t("th");
  const en = t("en");
  const staffTh = tFor("th", "staff");
  const staffEn = tFor("en", "staff");
  switch (table) {
    case "complaints-summary": {
      const all = await Promise.all(SUMMARY_PERIODS.map((p) => complaintStats(db, fy, p)));
      return all.map((s) =>
        !hasFigures(s.status)
          ? { period: s.period, from: s.from, to: s.to, status: s.status }
          : {
              period: s.period,
              from: s.from,
              to: s.to,
              status: s.status,
              ...flowCells(s.totals),
              resolved: s.totals.resolved,
              forwarded: s.totals.forwarded,
              deadline_resolved: s.deadline.resolvedInTime,
              deadline_explained: s.deadline.explainedInTime,
              deadline_late: s.deadline.late,
              deadline_undecided: s.deadline.undecided,
              deadline_percent: percent(s.deadline.share),
              ack_on_time: s.acknowledgement.onTime,
              ack_late: s.acknowledgement.late,
              ack_undecided: s.acknowledgement.undecided,
              ack_percent: percent(s.acknowledgement.share),
              closed_cases: s.resolveDays.closed,
              median_days: s.resolveDays.median,
              p90_days: s.resolveDays.p90,
              overdue_now: s.overdueNow,
            },
      );
    }
    case "complaints-by-month": {
      const s = await complaintStats(db, fy, "year");
      return s.byMonth.map((m) => ({ month: m.month, month_th: thaiMonthLabel(m.month), status: m.status, ...flowOrEmpty(m, m.status) }));
    }
    case "complaints-by-category": {
      const s = await complaintStats(db, fy, "year");
      return s.byCategory.map((c) => ({
        category_id: c.id,
        category_code: c.code,
        category_th: c.nameTh,
        category_en: c.nameEn,
        ...flowCells(c),
      }));
    }
    case "complaints-by-channel": {
      const s = await complaintStats(db, fy, "year");
      return s.byChannel.map((c) => ({
        channel: c.channel,
        channel_th: staffTh(`channels.${c.channel}`),
        channel_en: staffEn(`channels.${c.channel}`),
        ...flowCells(c),
      }));
    }
    case "complaints-by-division": {
      const s = await complaintStats(db, fy, "year");
      return s.byDivision.map((d) => ({ division_id: d.id, division_th: d.nameTh, division_en: d.nameEn, ...flowCells(d) }));
    }
    case "complaints-by-village": {
      const s = await complaintStats(db, fy, "year");
      return s.byVillage.map((v) => ({
        village_id: v.id,
        village_number: v.number,
        village_th: v.nameTh,
        village_en: v.nameEn,
        ...flowCells(v),
      }));
    }
    case "corruption-by-month": {
      const c = await corruptionStats(db, fy);
      // "ไม่มีเรื่องร้องเรียน" only for a period that has ended with records and received nothing (the ITA wording).
      const remark = (f: Flow, status: MonthStatus) =>
        status === "ok" ? (f.received === 0 ? th("data.values.noComplaints") : "") : th(`data.values.status.${status}`);
      const cumAt = (monthIndex: number) => {
        const cum = c.months[monthIndex]?.cumulative;
        return cum
          ? { cumulative_received: cum.received, cumulative_completed: cum.completed, cumulative_in_progress: cum.inProgress }
          : { cumulative_received: null, cumulative_completed: null, cumulative_in_progress: null };
      };
      const rows: Row[] = [];
      c.months.forEach((m, i) => {
        rows.push({
          period: "month",
          label_th: thaiMonthLabel(m.month),
          month: m.month,
          quarter: Math.floor(i / 3) + 1,
          half: i < 6 ? 1 : 2,
          status: m.status,
          ...flowOrEmpty(m, m.status),
          ...cumAt(i),
          remark_th: remark(m, m.status),
        });
        if (i % 3 === 2) {
          const q = c.quarters.find((x) => x.quarter === (i + 1) / 3);
          if (q)
            rows.push({
              period: "quarter",
              label_th: th("data.values.quarter", { n: q.quarter }),
              month: null,
              quarter: q.quarter,
              half: q.quarter <= 2 ? 1 : 2,
              status: q.status,
              ...flowOrEmpty(q, q.status),
              ...cumAt(i),
              remark_th: remark(q, q.status),
            });
        }
        if (i % 6 === 5) {
          const h = c.halves.find((x) => x.half === (i + 1) / 6);
          if (h)
            rows.push({
              period: "half",
              label_th: th(`data.values.half${h.half}`),
              month: null,
              quarter: null,
              half: h.half,
              status: h.status,
              ...flowOrEmpty(h, h.status),
              ...cumAt(i),
              remark_th: remark(h, h.status),
            });
        }
      });
      rows.push({
        period: "year",
        label_th: th("data.values.yearTotal"),
        month: null,
        quarter: null,
        half: null,
        status: c.totalStatus,
        ...flowOrEmpty(c.total, c.totalStatus),
        ...cumAt(11),
        remark_th: remark(c.total, c.totalStatus),
      });
      return rows;
    }
    case "corruption-outcomes": {
      const c = await corruptionStats(db, fy);
      return (["substantiated", "unsubstantiated", "referred"] as const).map((o) => ({
        outcome: o,
        outcome_th: th(`data.values.outcome.${o}`),
        outcome_en: en(`data.values.outcome.${o}`),
        cases: c.outcomes[o],
      }));
    }
    case "corruption-by-kind": {
      // The small-cell rule (app/lib/stat-definitions.ts small_cells): every kind is published, or none is.
      const c = await corruptionStats(db, fy);
      const integrityTh = tFor("th", "integrity");
      const integrityEn = tFor("en", "integrity");
      const counts = new Map(c.byKind.rows.map((k) => [k.tag, k.n]));
      return REPORT_TAGS.map((tag) => ({
        kind: tag,
        kind_th: integrityTh(`tags.${tag}`),
        kind_en: integrityEn(`tags.${tag}`),
        received: c.byKind.shown ? (counts.get(tag) ?? 0) : null,
        withheld: !c.byKind.shown,
      }));
    }
    case "targets": {
      const [rows, profile] = await Promise.all([planTargets(db, fy), getOrgProfile(db as DB)]);
      const stTh = (k: string) => tFor("th", "stats")(k, { org: profile.name_th });
      const stEn = (k: string) => tFor("en", "stats")(k, { org: profile.name_en });
      return rows.map((r) => {
        const cur = indicatorValue(r.current);
        const prev = indicatorValue(r.previous);
        const parts = r.current.parts;
        return {
          measure: r.measure,
          indicator: r.key,
          name_th: stTh(`targets.${r.key}.name`),
          name_en: stEn(`targets.${r.key}.name`),
          target_th: stTh(`targets.${r.key}.target`),
          target_en: stEn(`targets.${r.key}.target`),
          unit: r.current.unit,
          value: cur.value,
          suppressed: cur.suppressed,
          previous_value: prev.value,
          previous_suppressed: prev.suppressed,
          verdict: r.verdict,
          verdict_th: th(`data.values.verdict.${r.verdict}`),
          provisional: r.provisional,
          from: r.window.current.from,
          to: r.window.current.to,
          previous_from: r.window.previous.from,
          previous_to: r.window.previous.to,
          answers: r.current.answers ?? null,
          general_value: parts?.general ?? null,
          corruption_value: parts ? (parts.corruptionSuppressed ? null : parts.corruption) : null,
          corruption_suppressed: parts ? parts.corruptionSuppressed : null,
        };
      });
    }
    case "satisfaction": {
      const all = await Promise.all(SATISFACTION_PERIODS.map((p) => complaintStats(db, fy, p)));
      return [
        ...all.map((s) => satisfactionRow("cases", s.period, fy, s.satisfaction, s.status)),
        ...all.map((s) => satisfactionRow("counter", s.period, fy, s.counterSatisfaction, s.status)),
      ];
    }
  }
}
