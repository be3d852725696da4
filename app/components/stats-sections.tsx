/**
 * Sections of the statistics pages: a chart beside its data table and a one-line summary. Each row's counts link to
 * the list they count when a filter is given (general complaints), or are plain numbers (corruption channel).
 */
import { useTranslation } from "~/components/i18n";
import { FlowBarChart, HBarChart, ShareMeter, breakdownSummary, peakIndex } from "~/components/charts";
import { TableWrap, formatCount, monthLabel, type Audience, type DataTable } from "~/components/stats-ui";
import type { CaseListFilter } from "~/lib/complaint-list-filter";
import { formatShare, hasFigures, type MonthStatus } from "~/lib/stats";
import type { Lang } from "~/lib/thai-date";
import { CountCell, FlowTable, type FlowCounts, type FlowRow } from "~/components/stats-tables";
import { ChartAndTable, StatSection } from "~/components/stats-layout";

export { CountCell, CountTable, FlowHeaders, FlowTable, type FlowCounts, type FlowRow } from "~/components/stats-tables";
export { ChartAndTable, ChartFigure, DefinitionList, StatSection } from "~/components/stats-layout";

/** Monthly chart + table (general complaints or the corruption channel). */
export function MonthlySection({
  id,
  fy,
  months,
  title,
  how,
  caption,
  chartTitle,
  filterOf,
  totalFilter,
  audience,
  lang,
  download,
  summary: summaryOverride,
}: {
  id: string;
  fy: number;
  months: ReadonlyArray<FlowCounts & { month: string; status?: MonthStatus }>;
  title: string;
  how: string;
  caption: string;
  chartTitle: string;
  filterOf?: (month: string) => CaseListFilter;
  totalFilter?: CaseListFilter;
  audience: Audience;
  lang: Lang;
  download?: DataTable;
  /** Replaces the default one-line summary. */
  summary?: string;
}) {
  const { t } = useTranslation("stats");
  const total = months.reduce(
    (a, m) => ({ received: a.received + m.received, completed: a.completed + m.completed, inProgress: a.inProgress + m.inProgress }),
    {
      received: 0,
      completed: 0,
      inProgress: 0,
    },
  );
  const peak = peakIndex(months.map((m) => m.received));
  const summary =
    summaryOverride ??
    (peak === null
      ? t("overview.month.summaryNone", { fy })
      : t("overview.month.summary", {
          fy,
          total: formatCount(total.received, lang),
          month: monthLabel(months[peak]!.month, lang, { long: true }),
          n: formatCount(months[peak]!.received, lang),
          completed: formatCount(total.completed, lang),
        }));
  return (
    <StatSection id={id} title={title} how={how} download={download ? { fy, table: download } : undefined}>
      <ChartAndTable
        id={id}
        summary={summary}
        chart={
          <FlowBarChart
            id={`${id}-chart`}
            title={chartTitle}
            desc={summary}
            bars={months
              .filter((m) => !m.status || hasFigures(m.status))
              .map((m) => ({ label: monthLabel(m.month, lang), completed: m.completed, inProgress: m.inProgress }))}
            legend={{ completed: t("chart.legendCompleted"), inProgress: t("chart.legendInProgress") }}
            formatNumber={(n) => formatCount(n, lang)}
          />
        }
        table={
          <FlowTable
            id={id}
            caption={caption}
            labelHeader={t("cols.month")}
            rows={months.map((m) => ({
              key: m.month,
              label: monthLabel(m.month, lang, { long: true }),
              ...pickFlow(m),
              status: m.status,
              filter: m.status && !hasFigures(m.status) ? undefined : filterOf?.(m.month),
            }))}
            total={total}
            totalFilter={totalFilter}
            audience={audience}
            lang={lang}
          />
        }
      />
    </StatSection>
  );
}

function pickFlow(f: FlowCounts): FlowCounts {
  return { received: f.received, completed: f.completed, inProgress: f.inProgress };
}

/** A breakdown (category, channel, division, village): horizontal bars + table. */
export function BreakdownSection({
  id,
  fy,
  title,
  how,
  caption,
  chartTitle,
  labelHeader,
  rows,
  totalFilter,
  audience,
  lang,
  download,
}: {
  id: string;
  fy: number;
  title: string;
  how: string;
  caption: string;
  chartTitle: string;
  labelHeader: string;
  rows: readonly FlowRow[];
  totalFilter?: CaseListFilter;
  audience: Audience;
  lang: Lang;
  download?: DataTable;
}) {
  const { t } = useTranslation("stats");
  const total = rows.reduce(
    (a, m) => ({ received: a.received + m.received, completed: a.completed + m.completed, inProgress: a.inProgress + m.inProgress }),
    {
      received: 0,
      completed: 0,
      inProgress: 0,
    },
  );
  const s = breakdownSummary(
    rows.map((r) => r.label),
    rows.map((r) => r.received),
  );
  const summary = s.top
    ? t("overview.breakdownSummary", {
        total: formatCount(s.total, lang),
        label: s.top.label,
        n: formatCount(s.top.value, lang),
        pct: formatShare(s.top.share, lang),
      })
    : t("overview.breakdownNone");
  return (
    <StatSection id={id} title={title} how={how} download={download ? { fy, table: download } : undefined}>
      <ChartAndTable
        id={id}
        summary={summary}
        chart={
          <HBarChart
            id={`${id}-chart`}
            title={chartTitle}
            desc={summary}
            rows={rows.map((r) => ({ label: r.label, total: r.received, part: r.completed }))}
            legend={{ solid: t("chart.legendCompleted"), outline: t("chart.legendInProgress") }}
            formatNumber={(n) => formatCount(n, lang)}
          />
        }
        table={
          <FlowTable
            id={id}
            caption={caption}
            labelHeader={labelHeader}
            rows={rows}
            total={total}
            totalFilter={totalFilter}
            audience={audience}
            lang={lang}
          />
        }
      />
    </StatSection>
  );
}

export interface SatisfactionFigures {
  answers: number;
  satisfied: number;
  share: number | null;
  byScore: readonly number[];
}

/** Satisfaction: meter against the 80% target beside the answers per score. */
export function SatisfactionSection({
  id,
  fy,
  title,
  how,
  caption,
  chartTitle,
  s,
  anyFilter,
  satisfiedFilter,
  audience,
  lang,
  extra,
}: {
  id: string;
  fy: number;
  title: string;
  how: string;
  caption: string;
  chartTitle: string;
  s: SatisfactionFigures;
  anyFilter?: CaseListFilter;
  satisfiedFilter?: CaseListFilter;
  audience: Audience;
  lang: Lang;
  extra?: React.ReactNode;
}) {
  const { t } = useTranslation("stats");
  const pct = formatShare(s.share, lang);
  const summary = s.answers === 0 ? t("overview.sat.notEnough") : t("overview.sat.summary", { pct, answers: formatCount(s.answers, lang) });
  const scoreNames = t("overview.sat.scoreNames", { returnObjects: true }) as unknown as string[];
  const captionId = `${id}-caption`;
  return (
    <StatSection id={id} title={title} how={how} download={{ fy, table: "satisfaction" }}>
      <ChartAndTable
        id={id}
        summary={summary}
        chart={
          <ShareMeter
            id={`${id}-chart`}
            title={chartTitle}
            desc={summary}
            share={s.answers === 0 ? null : s.share}
            valueText={pct}
            target={0.8}
            targetText={t("chart.target", { pct: formatShare(0.8, lang) })}
            noDataText={t("chart.noAnswers")}
          />
        }
        table={
          <TableWrap labelId={captionId}>
            <table className="stats-table" data-testid={`${id}-table`}>
              <caption id={captionId}>{caption}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("cols.score")}</th>
                  <th scope="col" className="num">
                    {t("cols.answers")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {[5, 4, 3, 2, 1].map((score) => (
                  <tr key={score}>
                    <th scope="row">
                      {t("overview.sat.score", { score })} · {scoreNames[score - 1]}
                    </th>
                    <td className="num">{formatCount(s.byScore[score - 1] ?? 0, lang)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t("overview.sat.answers")}</th>
                  <td className="num">
                    <CountCell n={s.answers} filter={anyFilter} audience={audience} lang={lang} testId={`${id}-answers`} />
                  </td>
                </tr>
                <tr>
                  <th scope="row">{t("overview.sat.satisfied")}</th>
                  <td className="num">
                    <CountCell n={s.satisfied} filter={satisfiedFilter} audience={audience} lang={lang} testId={`${id}-satisfied`} />
                  </td>
                </tr>
                <tr>
                  <th scope="row">{t("overview.sat.share")}</th>
                  <td className="num" data-testid={`${id}-share`}>
                    {s.answers === 0 ? t("chart.noAnswers") : pct}
                  </td>
                </tr>
              </tfoot>
            </table>
          </TableWrap>
        }
      />
      {extra}
    </StatSection>
  );
}
