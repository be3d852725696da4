/**
 * Sections of the statistics pages: a chart beside its data table and a one-line summary. Each row's counts link to
 * the list they count when a filter is given (general complaints), or are plain numbers (corruption channel).
 */
import { useTranslation } from "~/components/i18n";
import { FlowBarChart, HBarChart, ShareMeter, breakdownSummary, peakIndex } from "~/components/charts";
import { Count, CountLink, DownloadLinks, TableWrap, formatCount, monthLabel, type Audience, type DataTable } from "~/components/stats-ui";
import type { CaseListFilter } from "~/lib/case-list-filter";
import { formatShare, hasFigures, type Flow, type MonthStatus } from "~/lib/stats";
import type { Lang } from "~/lib/thai-date";

/** Received / completed / in progress (the one definition: app/lib/stats.ts). */
export type FlowCounts = Flow;

export interface FlowRow extends FlowCounts {
  key: string;
  label: string;
  /** The cases this row counts (no state); absent: counts only. */
  filter?: CaseListFilter;
  /** A month's status (app/lib/stats.ts): not_yet / no_records_yet rows show dashes and the status, never 0. */
  status?: MonthStatus;
}

/** A count cell: a link to the list when a filter is given, else the plain number. */
export function CountCell({
  n,
  filter,
  state,
  audience,
  lang,
  testId,
}: {
  n: number;
  filter?: CaseListFilter;
  state?: CaseListFilter["state"];
  audience: Audience;
  lang: Lang;
  testId?: string;
}) {
  if (!filter) return <Count n={n} lang={lang} testId={testId} />;
  return <CountLink n={n} filter={state ? { ...filter, state } : filter} audience={audience} lang={lang} testId={testId} />;
}

/** Table of received / completed / in progress per row, with a total row. */
/** The three column headings of a received / completed / in progress table. */
export function FlowHeaders() {
  const { t } = useTranslation("stats");
  return (
    <>
      <th scope="col" className="num">
        {t("cols.received")}
      </th>
      <th scope="col" className="num">
        {t("cols.completed")}
      </th>
      <th scope="col" className="num">
        {t("cols.inProgress")}
      </th>
    </>
  );
}

/** A narrow two-column table: a label per row and its count (no links: e.g. the corruption channel's totals). */
export function CountTable({ id, caption, labelHeader, rows, lang }: { id: string; caption: string; labelHeader: string; rows: Array<{ key: string; label: string; n: number; testId: string }>; lang: Lang }) {
  const { t } = useTranslation("stats");
  return (
    <TableWrap labelId={`${id}-caption`}>
      <table className="stats-table stats-table-narrow" data-testid={`${id}-table`}>
        <caption id={`${id}-caption`}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{labelHeader}</th>
            <th scope="col" className="num">
              {t("cols.count")}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td className="num" data-testid={r.testId}>
                {formatCount(r.n, lang)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function FlowTable({
  id,
  caption,
  labelHeader,
  rows,
  total,
  totalFilter,
  audience,
  lang,
}: {
  id: string;
  caption: string;
  labelHeader: string;
  rows: readonly FlowRow[];
  total: FlowCounts;
  totalFilter?: CaseListFilter;
  audience: Audience;
  lang: Lang;
}) {
  const { t } = useTranslation("stats");
  const captionId = `${id}-caption`;
  return (
    <TableWrap labelId={captionId}>
      <table className="stats-table" data-testid={`${id}-table`}>
        <caption id={captionId}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{labelHeader}</th>
            <FlowHeaders />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) =>
            r.status && !hasFigures(r.status) ? (
              <tr key={r.key} data-row={r.key} data-status={r.status}>
                <th scope="row">
                  {r.label} <span className="muted" data-testid={`${id}-${r.key}-status`}>({t(`monthStatus.${r.status}`)})</span>
                </th>
                <td className="num" data-testid={`${id}-${r.key}-received`}>–</td>
                <td className="num" data-testid={`${id}-${r.key}-completed`}>–</td>
                <td className="num" data-testid={`${id}-${r.key}-inprogress`}>–</td>
              </tr>
            ) : (
            <tr key={r.key} data-row={r.key} data-status={r.status}>
              <th scope="row">
                {r.label}
                {r.status === "current" ? (
                  <>
                    {" "}
                    <span className="muted" data-testid={`${id}-${r.key}-status`}>({t("monthStatus.current")})</span>
                  </>
                ) : null}
              </th>
              <td className="num">
                <CountCell n={r.received} filter={r.filter} audience={audience} lang={lang} testId={`${id}-${r.key}-received`} />
              </td>
              <td className="num">
                <CountCell n={r.completed} filter={r.filter} state="closed" audience={audience} lang={lang} testId={`${id}-${r.key}-completed`} />
              </td>
              <td className="num">
                <CountCell n={r.inProgress} filter={r.filter} state="open" audience={audience} lang={lang} testId={`${id}-${r.key}-inprogress`} />
              </td>
            </tr>
            ),
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t("cols.total")}</th>
            <td className="num">
              <CountCell n={total.received} filter={totalFilter} audience={audience} lang={lang} testId={`${id}-total-received`} />
            </td>
            <td className="num">
              <CountCell n={total.completed} filter={totalFilter} state="closed" audience={audience} lang={lang} testId={`${id}-total-completed`} />
            </td>
            <td className="num">
              <CountCell n={total.inProgress} filter={totalFilter} state="open" audience={audience} lang={lang} testId={`${id}-total-inprogress`} />
            </td>
          </tr>
        </tfoot>
      </table>
    </TableWrap>
  );
}

/** A section heading, the sentence saying what it counts, then the chart and the table side by side. */
export function StatSection({
  id,
  title,
  how,
  children,
  download,
}: {
  id: string;
  title: string;
  how: string;
  children: React.ReactNode;
  download?: { fy: number; table: DataTable };
}) {
  const { t } = useTranslation("stats");
  return (
    <section className="stats-section" aria-labelledby={`${id}-title`} data-testid={`section-${id}`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p className="stats-how">{how}</p>
      {children}
      {download ? <DownloadLinks fy={download.fy} table={download.table} label={t(`download.tables.${download.table}`)} /> : null}
    </section>
  );
}

/**
 * The chart (with its one-line summary as caption) and, next to it, the table of the same figures. On a phone the
 * chart keeps a readable size and scrolls sideways inside a focusable region, like the tables.
 */
export function ChartAndTable({ chart, summary, table, id }: { chart: React.ReactNode; summary: string; table: React.ReactNode; id: string }) {
  return (
    <div className="stats-figure">
      <ChartFigure id={id} summary={summary}>
        {chart}
      </ChartFigure>
      {table ? <div className="stats-data">{table}</div> : null}
    </div>
  );
}

/** A chart in a <figure> whose caption is the one-line summary. `id` is the section id (the chart's id is `${id}-chart`). */
export function ChartFigure({ id, summary, children, wide }: { id: string; summary: string; children: React.ReactNode; wide?: boolean }) {
  return (
    <figure className={wide ? "stats-chart stats-chart-wide" : "stats-chart"}>
      <div className="chart-scroll" tabIndex={0} role="region" aria-labelledby={`${id}-chart-title`}>
        {children}
      </div>
      <figcaption id={`${id}-summary`} data-testid={`${id}-summary`}>
        {summary}
      </figcaption>
    </figure>
  );
}

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
  const total = months.reduce((a, m) => ({ received: a.received + m.received, completed: a.completed + m.completed, inProgress: a.inProgress + m.inProgress }), {
    received: 0,
    completed: 0,
    inProgress: 0,
  });
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
            bars={months.filter((m) => !m.status || hasFigures(m.status)).map((m) => ({ label: monthLabel(m.month, lang), completed: m.completed, inProgress: m.inProgress }))}
            legend={{ completed: t("chart.legendCompleted"), inProgress: t("chart.legendInProgress") }}
            formatNumber={(n) => formatCount(n, lang)}
          />
        }
        table={
          <FlowTable
            id={id}
            caption={caption}
            labelHeader={t("cols.month")}
            rows={months.map((m) => ({ key: m.month, label: monthLabel(m.month, lang, { long: true }), ...pickFlow(m), status: m.status, filter: m.status && !hasFigures(m.status) ? undefined : filterOf?.(m.month) }))}
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
  const total = rows.reduce((a, m) => ({ received: a.received + m.received, completed: a.completed + m.completed, inProgress: a.inProgress + m.inProgress }), {
    received: 0,
    completed: 0,
    inProgress: 0,
  });
  const s = breakdownSummary(
    rows.map((r) => r.label),
    rows.map((r) => r.received),
  );
  const summary = s.top
    ? t("overview.breakdownSummary", { total: formatCount(s.total, lang), label: s.top.label, n: formatCount(s.top.value, lang), pct: formatShare(s.top.share, lang) })
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
        table={<FlowTable id={id} caption={caption} labelHeader={labelHeader} rows={rows} total={total} totalFilter={totalFilter} audience={audience} lang={lang} />}
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

/** The definitions a page shows (app/lib/stat-definitions.ts through the generated statreport locale texts). */
export function DefinitionList({ keys }: { keys: readonly string[] }) {
  const { t } = useTranslation("statreport");
  return (
    <section className="card stats-columns" aria-labelledby="definitions-title" data-testid="definitions">
      <h2 id="definitions-title">{t("data.definitionsTitle")}</h2>
      <dl className="stat-definitions">
        {keys.map((k) => (
          <div key={k} data-definition={k}>
            <dt>{t(`data.definitionNames.${k}`)}</dt>
            <dd>{t(`definitions.${k}`)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
