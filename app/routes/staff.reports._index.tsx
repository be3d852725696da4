/**
 * /staff/reports — the six-month (h1) and annual complaint-handling reports of every fiscal year, with their state.
 * Admins, supervisors and officers write them; supervisors and admins approve; intake and executives read.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { formatThaiDate } from "~/lib/thai-date";
import { STAT_REPORT_PERIODS, canEditStatReports, canViewStatReports, listStatReports } from "~/models/stat-reports.server";
import { availableFiscalYears, currentFiscalYear } from "~/models/stats.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const meta: MetaFunction = () => [{ title: "รายงานผลการดำเนินงาน · Sujarit" }, { name: "robots", content: "noindex, nofollow" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  if (!canViewStatReports(staff)) throw json({ messageKey: "statreport:errors.forbidden" }, { status: 403 });
  const db = getDb();
  const lang = getLang(request);
  const [reports, years] = await Promise.all([listStatReports(db), availableFiscalYears(db)]);
  const allYears = [...new Set([...years, ...reports.map((r) => r.fiscal_year), currentFiscalYear()])].sort((a, b) => b - a);
  const find = (fy: number, period: string) => reports.find((r) => r.fiscal_year === fy && r.period === period);
  return json({
    canEdit: canEditStatReports(staff),
    rows: allYears.flatMap((fy) =>
      STAT_REPORT_PERIODS.map((period) => {
        const r = find(fy, period);
        return {
          fy,
          period,
          status: r?.status ?? ("none" as const),
          updated: r ? formatThaiDate(new Date(r.updated_at), lang, { withTime: true }) : null,
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
                    <span className={`badge ${r.status === "published" ? "met" : r.status === "submitted" ? "due_soon" : ""}`}>{t(`status.${r.status}`)}</span>
                  </td>
                  <td>{r.updated ?? "–"}</td>
                  <td>
                    <Link to={`/staff/reports/${r.fy}/${r.period}`}>{d.canEdit && r.status !== "published" ? t("staff.edit") : t("staff.view")}</Link>
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
