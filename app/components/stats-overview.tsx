/**
 * Sections of the statistics overview (/stats, app/routes/stats._index.tsx): the summary tiles, the deadline,
 * days-to-resolve and acknowledgement sections, and the download links. Server-rendered, no JavaScript needed.
 */
import { useTranslation } from "~/components/i18n";
import { ShareMeter } from "~/components/charts";
import { CountLink, TableWrap, dataUrl, formatCount, type Audience, type DataTable } from "~/components/stats-ui";
import { ChartAndTable, StatSection } from "~/components/stats-sections";
import type { CaseListFilter } from "~/lib/complaint-list-filter";
import { formatShare } from "~/lib/stats";
import type { Lang } from "~/lib/thai-date";
import type { ComplaintStats } from "~/models/statistics/figures.server";
import { useAppPath } from "~/components/app-path";

type OverviewProps = { s: ComplaintStats; base: CaseListFilter; audience: Audience; lang: Lang };

/** The summary tiles: received, completed (resolved · forwarded), in progress, overdue now. */
export function OverviewSummary({ s, base, audience, lang, from, to }: OverviewProps & { from: string; to: string }) {
  const { t } = useTranslation("stats");
  return (
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
          <CountLink
            n={s.totals.completed}
            filter={{ ...base, state: "closed" }}
            audience={audience}
            lang={lang}
            testId="total-completed"
          />
          <span className="stat-tile-how">{t("overview.summary.completedHow", { from, to })}</span>
          <span className="stat-tile-parts">
            {t("overview.summary.resolved")}{" "}
            <CountLink
              n={s.totals.resolved}
              filter={{ ...base, state: "resolved" }}
              audience={audience}
              lang={lang}
              testId="total-resolved"
            />
            {" · "}
            {t("overview.summary.forwarded")}{" "}
            <CountLink
              n={s.totals.forwarded}
              filter={{ ...base, state: "forwarded" }}
              audience={audience}
              lang={lang}
              testId="total-forwarded"
            />
          </span>
        </li>
        <li className="stat-tile">
          <span className="stat-tile-label">{t("overview.summary.inProgress")}</span>
          <CountLink
            n={s.totals.inProgress}
            filter={{ ...base, state: "open" }}
            audience={audience}
            lang={lang}
            testId="total-inprogress"
          />
          <span className="stat-tile-how">{t("overview.summary.inProgressHow", { from, to })}</span>
        </li>
        <li className="stat-tile">
          <span className="stat-tile-label">{t("overview.overdue.label")}</span>
          <CountLink n={s.overdueNow} filter={{ ...base, state: "overdue" }} audience={audience} lang={lang} testId="overdue-now" />
          <span className="stat-tile-how">{t("statreport:definitions.overdue_now")}</span>
        </li>
      </ul>
    </section>
  );
}

/** Deadline, days to resolve and acknowledgement sections. */
export function OverviewTimeliness({ s, base, audience, lang, fy, slaDays }: OverviewProps & { fy: number; slaDays: number }) {
  const { t } = useTranslation("stats");
  const n = (x: number) => formatCount(x, lang);
  const decided = s.deadline.resolvedInTime + s.deadline.explainedInTime + s.deadline.late;
  const deadlineSummary =
    decided === 0
      ? t("overview.deadline.summaryNone")
      : t("overview.deadline.summary", { pct: formatShare(s.deadline.share, lang), decided: n(decided) });
  const ackDecided = s.acknowledgement.onTime + s.acknowledgement.late;
  const ackSummary =
    ackDecided === 0
      ? t("overview.ack.summaryNone")
      : t("overview.ack.summary", { pct: formatShare(s.acknowledgement.share, lang), decided: n(ackDecided) });
  return (
    <>
      <StatSection
        id="deadline"
        title={t("overview.deadline.title")}
        how={`${t("statreport:definitions.deadline_percent")} ${t("overview.deadline.days", { days: slaDays })}`}
        download={{ fy, table: "complaints-summary" }}
      >
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
              lang={lang}
              audience={audience}
              id="deadline"
              caption={t("overview.deadline.caption", { fy })}
              rows={[
                {
                  key: "resolved",
                  label: t("overview.deadline.resolvedInTime"),
                  n: s.deadline.resolvedInTime,
                  filter: { ...base, sla: "resolved" },
                },
                {
                  key: "explained",
                  label: t("overview.deadline.explainedInTime"),
                  n: s.deadline.explainedInTime,
                  filter: { ...base, sla: "explained" },
                },
                { key: "late", label: t("overview.deadline.late"), n: s.deadline.late, filter: { ...base, sla: "late" } },
                {
                  key: "undecided",
                  label: t("overview.deadline.undecided"),
                  n: s.deadline.undecided,
                  filter: { ...base, sla: "undecided" },
                },
              ]}
              shareLabel={t("overview.deadline.share")}
              share={decided === 0 ? t("chart.noData") : formatShare(s.deadline.share, lang)}
            />
          }
        />
      </StatSection>

      <StatSection
        id="days"
        title={t("overview.resolveDays.title")}
        how={t("statreport:definitions.median_days")}
        download={{ fy, table: "complaints-summary" }}
      >
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
                  <CountLink
                    n={s.resolveDays.closed}
                    filter={{ ...base, state: "closed" }}
                    audience={audience}
                    lang={lang}
                    testId="days-closed"
                  />
                </td>
              </tr>
            </tbody>
          </table>
        </TableWrap>
      </StatSection>

      <StatSection
        id="ack"
        title={t("overview.ack.title")}
        how={t("statreport:definitions.ack_percent")}
        download={{ fy, table: "complaints-summary" }}
      >
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
              lang={lang}
              audience={audience}
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
    </>
  );
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

/** The download links of every table shown on the page (CSV and JSON). */
export function OverviewDownloads({ fy }: { fy: number }) {
  const appHref = useAppPath();
  const { t } = useTranslation("stats");
  return (
    <section className="stats-section no-print" aria-labelledby="downloads-title" data-testid="section-downloads">
      <h2 id="downloads-title">{t("download.title")}</h2>
      <p>{t("download.intro")}</p>
      <ul className="stats-download-list">
        {DOWNLOADS.map((table) => (
          <li key={table}>
            {t(`download.tables.${table}`)}:{" "}
            <a href={appHref(dataUrl(fy, table, "csv"))} download>
              CSV
            </a>
            {" · "}
            <a href={appHref(dataUrl(fy, table, "json"))}>JSON</a>
          </li>
        ))}
      </ul>
      <p>
        <a href={appHref("/stats/data")}>{t("download.dictionary")}</a>
      </p>
    </section>
  );
}

/** A two-column table of counts (each linking to its list when it has a filter) and a share row. */
function CountsTable({
  id,
  caption,
  rows,
  shareLabel,
  share,
  lang,
  audience,
}: {
  id: string;
  caption: string;
  rows: Array<{ key: string; label: string; n: number; filter?: CaseListFilter }>;
  shareLabel: string;
  share: string;
  lang: Lang;
  audience: Audience;
}) {
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
