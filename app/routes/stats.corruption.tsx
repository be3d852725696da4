/**
 * /stats/corruption: statistics of corruption and misconduct complaints in the ITA format (plan measure 28): one row
 * per month from October with received / completed / in progress and the cumulative figures, quarter subtotals, the
 * six-month round (รอบ 6 เดือน) and the year total; "ไม่มีเรื่องร้องเรียน" only for an ended period with none, and an
 * explicit status (not reached yet / before the first record / still running) otherwise, with running totals only up
 * to the last month that has ended. Counts and outcomes only: no links to lists, and the breakdown by kind of
 * wrongdoing (downloadable like the other tables) only when every cell counts 0 or at least 5.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { FlowBarChart } from "~/components/charts";
import { AsOf, DownloadLinks, FiscalYearForm, StatsErrorView, StatsNav, TableWrap, formatCount, monthLabel } from "~/components/stats-ui";
import { ChartFigure, CountTable, DefinitionList, FlowHeaders, StatSection, type FlowCounts } from "~/components/stats-sections";
import { selectedFiscalYear, statsCacheHeaders, statsHeaders } from "~/components/stats-route.server";
import { tFor } from "~/i18n";
import { hasFigures, type MonthStatus } from "~/lib/stats";
import { PAGE_DEFINITIONS } from "~/lib/stat-definitions";
import { corruptionStats } from "~/models/statistics/figures.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";

export const headers = statsHeaders;

/** No JavaScript on this page (app/root.tsx): plain forms and server-drawn SVG. */
export const handle = { hydrate: false, i18n: ["integrity", "stats", "statreport"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.lang ?? "th", "stats")("corruption.metaTitle") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const lang = getLang(request);
  const { fy, years, isDefault } = await selectedFiscalYear(request, db);
  const stats = await corruptionStats(db, fy);
  // Counts only, the same for everyone: no staff links, so the page never varies with the session.
  return json({ lang, fy, years, isDefault, stats }, { headers: statsCacheHeaders("public") });
}

export function ErrorBoundary() {
  return <StatsErrorView />;
}

interface Row {
  kind: "month" | "quarter" | "half" | "year";
  key: string;
  label: string;
  status: MonthStatus;
  flow: FlowCounts;
  /** Running total to the end of the row's last month; null once past the last month that has ended. */
  cumulative: FlowCounts | null;
}

export default function CorruptionStats() {
  const { lang, fy, years, isDefault, stats: s } = useLoaderData<typeof loader>();
  const { t } = useTranslation("stats");
  const ti = useTranslation("integrity").t;
  const n = (x: number) => formatCount(x, lang);
  const pick = (f: FlowCounts): FlowCounts => ({ received: f.received, completed: f.completed, inProgress: f.inProgress });
  const pickCum = (f: FlowCounts | null): FlowCounts | null => (f ? pick(f) : null);
  const monthShort = (m: string) => monthLabel(m, lang, { withYear: true });

  // The ITA table: months, a quarter subtotal after every third month, the six-month round after March, the year.
  const rows: Row[] = [];
  s.months.forEach((m, i) => {
    rows.push({
      kind: "month",
      key: m.month,
      label: monthLabel(m.month, lang, { long: true }),
      status: m.status,
      flow: pick(m),
      cumulative: pickCum(m.cumulative),
    });
    if (i % 3 === 2) {
      const q = s.quarters[Math.floor(i / 3)]!;
      const first = s.months[i - 2]!.month;
      rows.push({
        kind: "quarter",
        key: `q${q.quarter}`,
        label: t("corruption.quarter", { n: q.quarter, from: monthShort(first), to: monthShort(m.month) }),
        status: q.status,
        flow: pick(q),
        cumulative: pickCum(m.cumulative),
      });
    }
    if (i === 5) {
      const h = s.halves[0]!;
      rows.push({
        kind: "half",
        key: "h1",
        label: t("corruption.half", { from: monthShort(s.months[0]!.month), to: monthShort(m.month) }),
        status: h.status,
        flow: pick(h),
        cumulative: pickCum(m.cumulative),
      });
    }
  });
  const last = s.months[s.months.length - 1]!;
  rows.push({
    kind: "year",
    key: "year",
    label: t("corruption.year", { fy }),
    status: s.totalStatus,
    flow: pick(s.total),
    cumulative: pickCum(last.cumulative),
  });

  // "ไม่มีเรื่องร้องเรียน" only for a period that has ended with records; otherwise the status says why there is no figure.
  const remark = (r: Row) => (r.status === "ok" ? (r.flow.received === 0 ? t("corruption.none") : "") : t(`monthStatus.${r.status}`));
  const summary =
    s.total.received === 0
      ? t("corruption.summaryNone", { fy })
      : t("corruption.summary", { fy, total: n(s.total.received), completed: n(s.total.completed), inProgress: n(s.total.inProgress) });

  return (
    <div className="stats-page">
      <StatsNav current="corruption" fy={fy} isDefaultYear={isDefault} />
      <h1>{t("corruption.title", { fy })}</h1>
      <AsOf iso={s.asOf} lang={lang} />
      <FiscalYearForm action="/stats/corruption" years={years} fy={fy} />
      <p className="lead">{t("corruption.intro")}</p>
      <section className="card stats-columns" aria-labelledby="columns-title">
        <h2 id="columns-title">{t("corruption.columnsTitle")}</h2>
        <p className="muted">{t("corruption.countsOnly")}</p>
      </section>
      <DefinitionList keys={PAGE_DEFINITIONS["/stats/corruption"]} />

      <section className="stats-section" aria-labelledby="ita-title" data-testid="section-ita">
        <h2 id="ita-title">{t("corruption.caption", { fy })}</h2>
        <ChartFigure id="ita" summary={summary} wide>
          <FlowBarChart
            id="ita-chart"
            title={t("corruption.chartTitle", { fy })}
            desc={summary}
            bars={s.months
              .filter((m) => hasFigures(m.status))
              .map((m) => ({ label: monthLabel(m.month, lang), completed: m.completed, inProgress: m.inProgress }))}
            legend={{ completed: t("chart.legendCompleted"), inProgress: t("chart.legendInProgress") }}
            formatNumber={n}
          />
        </ChartFigure>
        <TableWrap labelId="ita-caption">
          <table className="stats-table stats-ita cards-on-phone" data-testid="ita-table">
            <caption id="ita-caption">{t("corruption.caption", { fy })}</caption>
            <thead>
              <tr>
                <th scope="col" rowSpan={2}>
                  {t("cols.period")}
                </th>
                <th scope="colgroup" colSpan={3}>
                  {t("cols.thisPeriod")}
                </th>
                <th scope="colgroup" colSpan={3}>
                  {t("cols.cumulative")}
                </th>
                <th scope="col" rowSpan={2}>
                  {t("cols.remark")}
                </th>
              </tr>
              <tr>
                <FlowHeaders />
                <FlowHeaders />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                // A period not reached yet, or before the first record, shows dashes, never zeros; running totals stop
                // at the last month that has ended.
                const none = !hasFigures(r.status);
                const cell = (x: number) => (none ? "–" : n(x));
                const cum = (x: number | undefined) => (x === undefined ? "–" : n(x));
                return (
                  <tr key={r.key} className={`ita-${r.kind}`} data-row={r.key} data-status={r.status}>
                    <th scope="row">{r.label}</th>
                    <td className="num" data-label={`${t("cols.thisPeriod")}: ${t("cols.received")}`} data-testid={`ita-${r.key}-received`}>
                      {cell(r.flow.received)}
                    </td>
                    <td
                      className="num"
                      data-label={`${t("cols.thisPeriod")}: ${t("cols.completed")}`}
                      data-testid={`ita-${r.key}-completed`}
                    >
                      {cell(r.flow.completed)}
                    </td>
                    <td
                      className="num"
                      data-label={`${t("cols.thisPeriod")}: ${t("cols.inProgress")}`}
                      data-testid={`ita-${r.key}-inprogress`}
                    >
                      {cell(r.flow.inProgress)}
                    </td>
                    <td
                      className="num"
                      data-label={`${t("cols.cumulative")}: ${t("cols.received")}`}
                      data-testid={`ita-${r.key}-cumreceived`}
                    >
                      {cum(r.cumulative?.received)}
                    </td>
                    <td className="num" data-label={`${t("cols.cumulative")}: ${t("cols.completed")}`}>
                      {cum(r.cumulative?.completed)}
                    </td>
                    <td className="num" data-label={`${t("cols.cumulative")}: ${t("cols.inProgress")}`}>
                      {cum(r.cumulative?.inProgress)}
                    </td>
                    <td data-label={t("cols.remark")} data-testid={`ita-${r.key}-remark`}>
                      {remark(r)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
        <DownloadLinks fy={fy} table="corruption-by-month" label={t("download.tables.corruption-by-month")} />
      </section>

      <StatSection
        id="outcomes"
        title={t("corruption.outcomes.title")}
        how={t("statreport:definitions.outcomes")}
        download={{ fy, table: "corruption-outcomes" }}
      >
        <CountTable
          id="outcomes"
          caption={t("corruption.outcomes.caption", { fy })}
          labelHeader={t("corruption.outcomes.outcome")}
          rows={(["substantiated", "unsubstantiated", "referred"] as const).map((k) => ({
            key: k,
            label: t(`corruption.outcomes.${k}`),
            n: s.outcomes[k],
            testId: `outcome-${k}`,
          }))}
          lang={lang}
        />
      </StatSection>

      <StatSection
        id="kinds"
        title={t("corruption.kinds.title")}
        how={t("statreport:definitions.by_kind")}
        download={{ fy, table: "corruption-by-kind" }}
      >
        {s.byKind.shown ? (
          <CountTable
            id="kinds"
            caption={t("corruption.kinds.caption", { fy })}
            labelHeader={t("corruption.kinds.kind")}
            rows={s.byKind.rows.map((k) => ({ key: k.tag, label: ti(`tags.${k.tag}`), n: k.n, testId: `kind-${k.tag}` }))}
            lang={lang}
          />
        ) : (
          <p className="notice" data-testid="kinds-withheld">
            {t("corruption.kinds.withheld")} {t("statreport:definitions.small_cells")}
          </p>
        )}
      </StatSection>
    </div>
  );
}
