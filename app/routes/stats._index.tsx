/**
 * /stats: public statistics of general complaints for one fiscal year (default: the current one). Every figure is
 * read from the summary tables through app/models/stats.server.ts, says what it counts, and links to the list of the
 * cases it counts (the public anonymised list, or the staff queue for signed-in staff). Charts are server-rendered
 * SVG beside their data tables; nothing here needs JavaScript.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { ShareMeter } from "~/components/charts";
import { AsOf, CountLink, FiscalYearForm, StatsErrorView, StatsNav, TableWrap, dataUrl, dayLabel, formatCount, monthEnd, type DataTable } from "~/components/stats-ui";
import { BreakdownSection, ChartAndTable, DefinitionList, MonthlySection, SatisfactionSection, StatSection, type FlowRow } from "~/components/stats-sections";
import { PAGE_DEFINITIONS } from "~/lib/stat-definitions";
import { selectedFiscalYear, statsAudience, statsCacheHeaders, statsHeaders } from "~/components/stats-route.server";
import type { CaseListFilter } from "~/lib/case-list-filter";
import { formatShare } from "~/lib/stats";
import { tFor } from "~/i18n";
import { complaintStats } from "~/models/stats.server";
import { getOrgProfile } from "~/models/org.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";

export const headers = statsHeaders;

/** No JavaScript on this page (app/root.tsx): plain forms and server-drawn SVG. */
export const handle = { hydrate: false };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.lang ?? "th", "stats")("overview.metaTitle") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const lang = getLang(request);
  const { fy, years, isDefault } = await selectedFiscalYear(request, db);
  const [stats, audience, org] = await Promise.all([complaintStats(db, fy), statsAudience(request, db), getOrgProfile(db)]);
  return json({ lang, fy, years, isDefault, audience, slaDays: org.sla_days, stats }, { headers: statsCacheHeaders(audience) });
}

export function ErrorBoundary() {
  return <StatsErrorView />;
}

const DOWNLOADS: DataTable[] = [
  "complaints-summary",
  "complaints-by-month",
  "complaints-by-category",
  "complaints-by-channel",
  "complaints-by-division",
  "complaints-by-village",
  "satisfaction",
];

export default function StatsOverview() {
  const { lang, fy, years, isDefault, audience, slaDays, stats: s } = useLoaderData<typeof loader>();
  const { t } = useTranslation("stats");
  const ts = useTranslation("staff").t;
  const name = (r: { nameTh: string; nameEn: string }) => (lang === "en" ? r.nameEn : r.nameTh);
  const base: CaseListFilter = { fy };
  const from = dayLabel(s.from, lang);
  const to = dayLabel(s.to, lang);
  const n = (x: number) => formatCount(x, lang);

  const villageLabel = (v: { number: number | null; nameTh: string; nameEn: string }) => {
    if (v.number === null) return name(v);
    const short = t("overview.village.name", { number: v.number, name: "" }).trim();
    const nm = name(v).trim();
    return /^(หมู่ที่|หมู่|Village|Moo)\s*\d+$/i.test(nm) || nm === "" ? short : t("overview.village.name", { number: v.number, name: nm });
  };

  const categoryRows: FlowRow[] = s.byCategory.map((c) => ({ key: c.code, label: name(c), ...flowOf(c), filter: { ...base, categoryId: c.id } }));
  const channelRows: FlowRow[] = s.byChannel.map((c) => ({ key: c.channel, label: ts(`channels.${c.channel}`), ...flowOf(c), filter: { ...base, channel: c.channel } }));
  const divisionRows: FlowRow[] = s.byDivision.map((d) => ({
    key: d.id === null ? "none" : String(d.id),
    label: name(d),
    ...flowOf(d),
    filter: { ...base, divisionId: d.id ?? "none" },
  }));
  const villageRows: FlowRow[] = s.byVillage.map((v) => ({
    key: v.id === null ? "none" : String(v.id),
    label: villageLabel(v),
    ...flowOf(v),
    filter: { ...base, villageId: v.id ?? "none" },
  }));

  const decided = s.deadline.resolvedInTime + s.deadline.explainedInTime + s.deadline.late;
  const deadlineSummary =
    decided === 0 ? t("overview.deadline.summaryNone") : t("overview.deadline.summary", { pct: formatShare(s.deadline.share, lang), decided: n(decided) });
  const ackDecided = s.acknowledgement.onTime + s.acknowledgement.late;
  const ackSummary = ackDecided === 0 ? t("overview.ack.summaryNone") : t("overview.ack.summary", { pct: formatShare(s.acknowledgement.share, lang), decided: n(ackDecided) });

  return (
    <div className="stats-page">
      <StatsNav current="overview" fy={fy} isDefaultYear={isDefault} />
      <h1>{t("overview.title", { fy })}</h1>
      <AsOf iso={s.asOf} lang={lang} />
      <FiscalYearForm action="/stats" years={years} fy={fy} />
      <p className="lead">{t("overview.intro", { from, to, fy })}</p>
      <p className="muted">{t("overview.excludesCorruption")}</p>
      {audience === "staff" ? <p className="notice no-print">{t("overview.staffLinks")}</p> : null}

      <section className="stats-section" aria-labelledby="summary-title" data-testid="section-summary">
        <h2 id="summary-title">{t("overview.summary.title")}</h2>
        <ul className="stat-tiles">
          <li className="stat-tile">
            <span className="stat-tile-label">{t("overview.summary.received")}</span>
            <CountLink n={s.totals.received} filter={base} audience={audience} lang={lang} testId="total-received" />
            <span className="stat-tile-how">{t("overview.summary.receivedHow", { from, to })}</span>
          </li>
          <li className="stat-tile">
            <span className="stat-tile-label">{t("overview.summary.completed")}</span>
            <CountLink n={s.totals.completed} filter={{ ...base, state: "closed" }} audience={audience} lang={lang} testId="total-completed" />
            <span className="stat-tile-how">{t("overview.summary.completedHow", { from, to })}</span>
            <span className="stat-tile-parts">
              {t("overview.summary.resolved")} <CountLink n={s.totals.resolved} filter={{ ...base, state: "resolved" }} audience={audience} lang={lang} testId="total-resolved" />
              {" · "}
              {t("overview.summary.forwarded")}{" "}
              <CountLink n={s.totals.forwarded} filter={{ ...base, state: "forwarded" }} audience={audience} lang={lang} testId="total-forwarded" />
            </span>
          </li>
          <li className="stat-tile">
            <span className="stat-tile-label">{t("overview.summary.inProgress")}</span>
            <CountLink n={s.totals.inProgress} filter={{ ...base, state: "open" }} audience={audience} lang={lang} testId="total-inprogress" />
            <span className="stat-tile-how">{t("overview.summary.inProgressHow", { from, to })}</span>
          </li>
          <li className="stat-tile">
            <span className="stat-tile-label">{t("overview.overdue.label")}</span>
            <CountLink n={s.overdueNow} filter={{ ...base, state: "overdue" }} audience={audience} lang={lang} testId="overdue-now" />
            <span className="stat-tile-how">{t("statreport:definitions.overdue_now")}</span>
          </li>
        </ul>
      </section>

      <MonthlySection
        id="month"
        fy={fy}
        months={s.byMonth}
        title={t("overview.month.title")}
        how={t("overview.month.how")}
        caption={t("overview.month.caption", { fy })}
        chartTitle={t("overview.month.chartTitle", { fy })}
        filterOf={(m) => ({ ...base, from: `${m}-01`, to: monthEnd(m) })}
        totalFilter={base}
        audience={audience}
        lang={lang}
        download="complaints-by-month"
      />

      <BreakdownSection
        id="category"
        fy={fy}
        title={t("overview.category.title")}
        how={t("overview.category.how")}
        caption={t("overview.category.caption", { fy })}
        chartTitle={t("overview.category.chartTitle")}
        labelHeader={t("cols.category")}
        rows={categoryRows}
        totalFilter={base}
        audience={audience}
        lang={lang}
        download="complaints-by-category"
      />
      <BreakdownSection
        id="channel"
        fy={fy}
        title={t("overview.channel.title")}
        how={t("overview.channel.how")}
        caption={t("overview.channel.caption", { fy })}
        chartTitle={t("overview.channel.chartTitle")}
        labelHeader={t("cols.channel")}
        rows={channelRows}
        totalFilter={base}
        audience={audience}
        lang={lang}
        download="complaints-by-channel"
      />
      <BreakdownSection
        id="division"
        fy={fy}
        title={t("overview.division.title")}
        how={t("overview.division.how")}
        caption={t("overview.division.caption", { fy })}
        chartTitle={t("overview.division.chartTitle")}
        labelHeader={t("cols.division")}
        rows={divisionRows}
        totalFilter={base}
        audience={audience}
        lang={lang}
        download="complaints-by-division"
      />
      <BreakdownSection
        id="village"
        fy={fy}
        title={t("overview.village.title")}
        how={t("overview.village.how")}
        caption={t("overview.village.caption", { fy })}
        chartTitle={t("overview.village.chartTitle")}
        labelHeader={t("cols.village")}
        rows={villageRows}
        totalFilter={base}
        audience={audience}
        lang={lang}
        download="complaints-by-village"
      />

      <StatSection id="deadline" title={t("overview.deadline.title")} how={`${t("statreport:definitions.deadline_percent")} ${t("overview.deadline.days", { days: slaDays })}`} download={{ fy, table: "complaints-summary" }}>
        <ChartAndTable
          id="deadline"
          summary={deadlineSummary}
          chart={
            <ShareMeter
              id="deadline-chart"
              title={t("overview.deadline.chartTitle")}
              desc={deadlineSummary}
              share={decided === 0 ? null : s.deadline.share}
              valueText={formatShare(s.deadline.share, lang)}
              noDataText={t("chart.noData")}
            />
          }
          table={
            <CountsTable
              id="deadline"
              caption={t("overview.deadline.caption", { fy })}
              rows={[
                { key: "resolved", label: t("overview.deadline.resolvedInTime"), n: s.deadline.resolvedInTime, filter: { ...base, sla: "resolved" } },
                { key: "explained", label: t("overview.deadline.explainedInTime"), n: s.deadline.explainedInTime, filter: { ...base, sla: "explained" } },
                { key: "late", label: t("overview.deadline.late"), n: s.deadline.late, filter: { ...base, sla: "late" } },
                { key: "undecided", label: t("overview.deadline.undecided"), n: s.deadline.undecided, filter: { ...base, sla: "undecided" } },
              ]}
              shareLabel={t("overview.deadline.share")}
              share={decided === 0 ? t("chart.noData") : formatShare(s.deadline.share, lang)}
            />
          }
        />
      </StatSection>

      <StatSection id="days" title={t("overview.resolveDays.title")} how={t("statreport:definitions.median_days")} download={{ fy, table: "complaints-summary" }}>
        <TableWrap labelId="days-caption">
          <table className="stats-table stats-table-narrow" data-testid="days-table">
            <caption id="days-caption">{t("overview.resolveDays.caption", { fy })}</caption>
            <tbody>
              <tr>
                <th scope="row">{t("overview.resolveDays.median")}</th>
                <td className="num" data-testid="days-median">
                  {s.resolveDays.median === null ? t("overview.resolveDays.none") : t("unit.days", { count: s.resolveDays.median })}
                </td>
              </tr>
              <tr>
                <th scope="row">{t("overview.resolveDays.p90")}</th>
                <td className="num" data-testid="days-p90">
                  {s.resolveDays.p90 === null ? t("overview.resolveDays.none") : t("unit.days", { count: s.resolveDays.p90 })}
                </td>
              </tr>
              <tr>
                <th scope="row">{t("overview.resolveDays.closed")}</th>
                <td className="num">
                  <CountLink n={s.resolveDays.closed} filter={{ ...base, state: "closed" }} audience={audience} lang={lang} testId="days-closed" />
                </td>
              </tr>
            </tbody>
          </table>
        </TableWrap>
      </StatSection>

      <StatSection id="ack" title={t("overview.ack.title")} how={t("statreport:definitions.ack_percent")} download={{ fy, table: "complaints-summary" }}>
        <ChartAndTable
          id="ack"
          summary={ackSummary}
          chart={
            <ShareMeter
              id="ack-chart"
              title={t("overview.ack.chartTitle")}
              desc={ackSummary}
              share={ackDecided === 0 ? null : s.acknowledgement.share}
              valueText={formatShare(s.acknowledgement.share, lang)}
              noDataText={t("chart.noData")}
            />
          }
          table={
            <CountsTable
              id="ack"
              caption={t("overview.ack.caption", { fy })}
              rows={[
                { key: "on_time", label: t("overview.ack.onTime"), n: s.acknowledgement.onTime, filter: { ...base, ack: "on_time" } },
                { key: "late", label: t("overview.ack.late"), n: s.acknowledgement.late, filter: { ...base, ack: "late" } },
                { key: "undecided", label: t("overview.ack.undecided"), n: s.acknowledgement.undecided },
              ]}
              shareLabel={t("overview.ack.share")}
              share={ackDecided === 0 ? t("chart.noData") : formatShare(s.acknowledgement.share, lang)}
            />
          }
        />
      </StatSection>

      <SatisfactionSection
        id="satisfaction"
        fy={fy}
        title={t("overview.satisfaction.title")}
        how={`${t("statreport:definitions.answers")} ${t("statreport:definitions.percent")}`}
        caption={t("overview.satisfaction.caption", { fy })}
        chartTitle={t("overview.satisfaction.chartTitle")}
        s={s.satisfaction}
        audience={audience}
        lang={lang}
      />
      <SatisfactionSection
        id="counter"
        fy={fy}
        title={t("overview.counter.title")}
        how={`${t("statreport:definitions.answers")} ${t("statreport:definitions.percent")}`}
        caption={t("overview.counter.caption", { fy })}
        chartTitle={t("overview.counter.chartTitle")}
        s={s.counterSatisfaction}
        audience={audience}
        lang={lang}
        extra={
          <p className="no-print">
            <Link to="/feedback" reloadDocument>
              {t("overview.counter.formLink")}
            </Link>
          </p>
        }
      />

      <DefinitionList keys={PAGE_DEFINITIONS["/stats"]} />

      <section className="stats-section no-print" aria-labelledby="downloads-title" data-testid="section-downloads">
        <h2 id="downloads-title">{t("download.title")}</h2>
        <p>{t("download.intro")}</p>
        <ul className="stats-download-list">
          {DOWNLOADS.map((table) => (
            <li key={table}>
              {t(`download.tables.${table}`)}:{" "}
              <a href={dataUrl(fy, table, "csv")} download>
                CSV
              </a>
              {" · "}
              <a href={dataUrl(fy, table, "json")}>JSON</a>
            </li>
          ))}
        </ul>
        <p>
          <a href="/stats/data">{t("download.dictionary")}</a>
        </p>
      </section>
    </div>
  );
}

function flowOf(f: { received: number; completed: number; inProgress: number }) {
  return { received: f.received, completed: f.completed, inProgress: f.inProgress };
}

/** A two-column table of counts (each linking to its list when it has a filter) and a share row. */
function CountsTable({
  id,
  caption,
  rows,
  shareLabel,
  share,
}: {
  id: string;
  caption: string;
  rows: Array<{ key: string; label: string; n: number; filter?: CaseListFilter }>;
  shareLabel: string;
  share: string;
}) {
  const { lang, audience } = useLoaderData<typeof loader>();
  const { t } = useTranslation("stats");
  return (
    <TableWrap labelId={`${id}-caption`}>
      <table className="stats-table" data-testid={`${id}-table`}>
        <caption id={`${id}-caption`}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("cols.figure")}</th>
            <th scope="col" className="num">
              {t("cols.count")}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td className="num">
                {r.filter ? (
                  <CountLink n={r.n} filter={r.filter} audience={audience} lang={lang} testId={`${id}-${r.key}`} />
                ) : (
                  <span data-testid={`${id}-${r.key}`}>{formatCount(r.n, lang)}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{shareLabel}</th>
            <td className="num" data-testid={`${id}-share`}>
              {share}
            </td>
          </tr>
        </tfoot>
      </table>
    </TableWrap>
  );
}
