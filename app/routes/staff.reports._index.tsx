/**
 * /staff/reports — the six-month (h1) and annual complaint-handling reports, with their state, for every fiscal year
 * the portal has figures for (or a stored report), up to the current one (a later year has not started). Admins,
 * supervisors and officers write them; supervisors and admins approve, once the period has ended (each row whose
 * period is still running says from which day); intake and executives read.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { tFor } from "~/i18n";
import { formatThaiDate, formatThaiDateKey } from "~/lib/thai-date";
import {
  STAT_REPORT_PERIODS,
  approvableFrom,
  canEditStatReports,
  canViewStatReports,
  isPeriodOver,
  listStatReports,
} from "~/models/statistics/fiscal-reports.server";
import { availableFiscalYears, currentFiscalYear } from "~/models/statistics/figures.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["statreport"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: tFor(data?.lang ?? "th", "statreport")("staff.metaTitle") },
  { name: "robots", content: "noindex, nofollow" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  if (!canViewStatReports(staff)) throw json({ messageKey: "statreport:errors.forbidden" }, { status: 403 });
  const db = getDb();
  const lang = getLang(request);
  const [reports, years] = await Promise.all([listStatReports(db), availableFiscalYears(db)]);
  const current = currentFiscalYear();
  const allYears = [...new Set([...years, ...reports.map((r) => r.fiscal_year), current])]
    .filter((fy) => fy <= current)
    .sort((a, b) => b - a);
  const find = (fy: number, period: string) => reports.find((r) => r.fiscal_year === fy && r.period === period);
  return json({
    lang,
    canEdit: canEditStatReports(staff),
    rows: allYears.flatMap((fy) =>
      STAT_REPORT_PERIODS.map((period) => {
        const r = find(fy, period);
        return {
          fy,
          period,
          status: r?.status ?? ("none" as const),
          updated: r ? formatThaiDate(new Date(r.updated_at), lang, { withTime: true }) : null,
          // The period is still running: it can be written and sent, but approved only from this day.
          approvableFrom:
            r?.status !== "published" && !isPeriodOver(fy, period) ? formatThaiDateKey(approvableFrom(fy, period), lang) : null,
        };
      }),
    ),
  });
}

export default function StatReportsList() {
  const d = useLoaderData<typeof loader>();
  const { t } = useTranslation("statreport");
  return (
    <>
      <h1>{t("staff.listTitle")}</h1>
      <p className="hint">{t("staff.listIntro")}</p>
      <div className="table-wrap">
        <table data-testid="stat-reports">
          <thead>
            <tr>
              <th scope="col">{t("staff.year")}</th>
              <th scope="col">{t("staff.period")}</th>
              <th scope="col">{t("staff.status")}</th>
              <th scope="col">{t("staff.updated")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("staff.open")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {d.rows.map((r) => {
              const publicPath = r.period === "h1" ? `/stats/report/${r.fy}/h1` : `/stats/report/${r.fy}`;
              return (
                <tr key={`${r.fy}-${r.period}`} data-testid={`stat-report-${r.fy}-${r.period}`} data-status={r.status}>
                  <td>{r.fy}</td>
                  <td>{t(`periods.${r.period}`)}</td>
                  <td>
                    <span className={`badge ${r.status === "published" ? "met" : r.status === "submitted" ? "due_soon" : ""}`}>
                      {t(`status.${r.status}`)}
                    </span>
                    {r.approvableFrom ? (
                      <div className="hint" data-testid={`approvable-${r.fy}-${r.period}`}>
                        {t("staff.listApprovableFrom", { from: r.approvableFrom })}
                      </div>
                    ) : null}
                  </td>
                  <td>{r.updated ?? "–"}</td>
                  <td>
                    <Link to={`/staff/reports/${r.fy}/${r.period}`}>
                      {d.canEdit && r.status !== "published" ? t("staff.edit") : t("staff.view")}
                    </Link>
                    {r.status === "published" ? (
                      <>
                        {" · "}
                        <Link to={publicPath}>{t("staff.publicLink")}</Link>
                      </>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
