/**
 * Building blocks shared by the public statistics pages (/stats, /stats/corruption, /stats/targets): the section's
 * sub-navigation, the fiscal-year selector (a plain GET form: works without JavaScript), scrollable table wrappers,
 * number formatting, count links to the list a number counts, download links and the error view.
 */
import { formatCount } from "~/lib/stats";
import { Form, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { caseListHref, hasStaffOnlyCriteria, type CaseListFilter } from "~/lib/complaint-list-filter";
import { formatThaiDate, formatThaiDateKey, type Lang } from "~/lib/thai-date";
import { useAppPath } from "~/components/app-path";

export type Audience = "public" | "staff";

/** Open-data table names (helper D serves /stats/data/<fy>/<table>.csv|.json). */
export type DataTable =
  | "complaints-summary"
  | "complaints-by-month"
  | "complaints-by-category"
  | "complaints-by-channel"
  | "complaints-by-division"
  | "complaints-by-village"
  | "corruption-by-month"
  | "corruption-outcomes"
  | "corruption-by-kind"
  | "targets"
  | "satisfaction";

export function dataUrl(fy: number, table: DataTable, format: "csv" | "json"): string {
  return `/stats/data/${fy}/${table}.${format}`;
}

/** A whole number in the reader's language (Arabic digits, thousands separators): one formatter, app/lib/stats.ts. */
export { formatCount };

/** "ต.ค." / "Oct" (withYear: "ต.ค. 2568" / "Oct 2568"; long: "ตุลาคม 2568" / "October 2568") of a "YYYY-MM" month. */
export function monthLabel(month: string, lang: Lang, opts: { long?: boolean; withYear?: boolean } = {}): string {
  const text = formatThaiDateKey(`${month}-01`, lang, { short: !opts.long }).replace(/^\d+ /, "");
  const withYear = opts.withYear ?? Boolean(opts.long);
  if (withYear) return text;
  return text.replace(/ \d+( BE)?$/, "");
}

/** "1 ต.ค. 2568" of a "YYYY-MM-DD" day. */
export function dayLabel(day: string, lang: Lang): string {
  return formatThaiDateKey(day, lang, { short: true });
}

/** Last day ("YYYY-MM-DD") of a "YYYY-MM" month. */
export function monthEnd(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, "0")}`;
}

const SUB_PAGES = ["overview", "corruption", "targets", "report", "data", "feedback"] as const;
export type StatsPage = (typeof SUB_PAGES)[number];

function subPageHref(page: StatsPage, fy: number, isDefaultYear: boolean): string {
  const q = isDefaultYear ? "" : `?fy=${fy}`;
  switch (page) {
    case "overview":
      return `/stats${q}`;
    case "corruption":
      return `/stats/corruption${q}`;
    case "targets":
      return `/stats/targets${q}`;
    case "report":
      // The index of published reports: a year's own report is a 404 until it is approved.
      return "/stats/report";
    case "data":
      return "/stats/data";
    case "feedback":
      return "/feedback";
  }
}

/** Navigation across the statistics pages; keeps the selected fiscal year. */
export function StatsNav({ current, fy, isDefaultYear = false }: { current: StatsPage; fy: number; isDefaultYear?: boolean }) {
  const { t } = useTranslation("stats");
  return (
    <nav className="stats-nav no-print" aria-label={t("nav.label")}>
      <ul>
        {SUB_PAGES.map((p) => (
          <li key={p}>
            <Link
              to={subPageHref(p, fy, isDefaultYear)}
              aria-current={p === current ? "page" : undefined}
              reloadDocument={p === "feedback" || p === "data"}
            >
              {t(`nav.${p}`)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Fiscal-year selector: GET form with a select and a submit button (no JavaScript needed). */
export function FiscalYearForm({ action, years, fy }: { action: string; years: readonly number[]; fy: number }) {
  const { t } = useTranslation("stats");
  return (
    <Form method="get" action={action} className="stats-fy-form no-print" data-testid="fy-form">
      <label htmlFor="stats-fy">{t("fy.label")}</label>
      <div className="stats-fy-row">
        <select id="stats-fy" name="fy" defaultValue={String(fy)} key={fy}>
          {years.map((y) => (
            <option key={y} value={String(y)}>
              {t("fy.option", { fy: y })}
            </option>
          ))}
        </select>
        <button type="submit" className="button secondary">
          {t("fy.submit")}
        </button>
      </div>
    </Form>
  );
}

/** "ข้อมูล ณ 26 พฤศจิกายน 2569 เวลา 10:05 น." */
export function AsOf({ iso, lang }: { iso: string; lang: Lang }) {
  const { t } = useTranslation("stats");
  return (
    <p className="stats-asof" data-testid="as-of">
      {t("asOf", { date: formatThaiDate(new Date(iso), lang, { withTime: true }) })}
    </p>
  );
}

/**
 * A table that scrolls sideways on a phone inside a focusable, labelled region (keyboard users can scroll it).
 * `labelId` is the id of the table's <caption>.
 */
export function TableWrap({ labelId, children }: { labelId: string; children: React.ReactNode }) {
  return (
    <div className="table-wrap stats-table-wrap" tabIndex={0} role="region" aria-labelledby={labelId}>
      {children}
    </div>
  );
}

/** A count that links to the list of the cases it counts (public anonymised list, or the staff queue). */
export function CountLink({
  n,
  filter,
  audience,
  lang,
  testId,
}: {
  n: number;
  filter: CaseListFilter;
  audience: Audience;
  lang: Lang;
  testId?: string;
}) {
  const appHref = useAppPath();
  // Counts by plan topic or by rating have no public list (app/lib/complaint-list-filter.ts: staff-only criteria).
  if (audience === "public" && hasStaffOnlyCriteria(filter)) return <Count n={n} lang={lang} testId={testId} />;
  // A plain link: the lists are other pages, and a page of statistics has a few hundred of these (a router <Link>
  // resolves its path on every render).
  return (
    <a href={appHref(caseListHref(filter, audience))} data-testid={testId} className="stat-count">
      {formatCount(n, lang)}
    </a>
  );
}

/** A plain count (no list behind it, e.g. the corruption channel). */
export function Count({ n, lang, testId }: { n: number; lang: Lang; testId?: string }) {
  return (
    <span data-testid={testId} className="stat-count">
      {formatCount(n, lang)}
    </span>
  );
}

/** CSV and JSON links of one open-data table. */
export function DownloadLinks({ fy, table, label }: { fy: number; table: DataTable; label: string }) {
  const appHref = useAppPath();
  const { t } = useTranslation("stats");
  return (
    <p className="stats-downloads no-print">
      {t("download.of", { what: label })}{" "}
      <a href={appHref(dataUrl(fy, table, "csv"))} download>
        CSV
      </a>
      {" · "}
      <a href={appHref(dataUrl(fy, table, "json"))}>JSON</a>
      {" · "}
      <a href={appHref("/stats/data")}>{t("download.dictionary")}</a>
    </p>
  );
}

/** Error view for the statistics pages: a bad fiscal year (400) lists the years that have statistics. */
export function StatsErrorView() {
  const appHref = useAppPath();
  const error = useRouteError();
  const { t } = useTranslation("stats");
  const tc = useTranslation().t;
  if (isRouteErrorResponse(error) && error.status >= 400 && error.status < 500) {
    const data = (error.data ?? {}) as { messageKey?: string; years?: number[]; fy?: string };
    const years = Array.isArray(data.years) ? data.years : [];
    return (
      <section className="error-page" aria-labelledby="stats-error-title">
        <h1 id="stats-error-title">{error.status === 404 ? tc("errors.notFoundTitle") : tc("errors.badRequest")}</h1>
        <p data-testid="stats-error">{t(data.messageKey ?? "errors.generic", { fy: data.fy ?? "" })}</p>
        {years.length > 0 ? (
          <>
            <p>{t("errors.available")}</p>
            <ul>
              {years.map((y) => (
                <li key={y}>
                  <a href={appHref(`/stats?fy=${y}`)}>{t("fy.option", { fy: y })}</a>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p>
          <a href={appHref("/stats")}>{t("errors.back")}</a>
        </p>
      </section>
    );
  }
  return (
    <section className="error-page" aria-labelledby="stats-error-title">
      <h1 id="stats-error-title">{tc("errors.serverTitle")}</h1>
      <p>{tc("errors.server")}</p>
      <p>
        <a href={appHref("/stats")}>{t("errors.back")}</a>
      </p>
    </section>
  );
}
