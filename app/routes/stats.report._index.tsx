/** /stats/report — every published six-month and annual report, newest first (drafts never appear here). */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { tFor } from "~/i18n";
import { formatThaiDate } from "~/lib/thai-date";
import { listStatReports } from "~/models/statistics/fiscal-reports.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";

/** No JavaScript on this page (app/root.tsx): plain links and forms. */
export const handle = { hydrate: false, i18n: ["statreport"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Reports"} · Sujarit` }];

export async function loader({ request }: LoaderFunctionArgs) {
  const lang = getLang(request);
  const rows = (await listStatReports(getDb())).filter((r) => r.status === "published");
  return json({
    title: tFor(lang, "statreport")("public.listTitle"),
    reports: rows.map((r) => ({
      fy: r.fiscal_year,
      period: r.period,
      href: r.period === "h1" ? `/stats/report/${r.fiscal_year}/h1` : `/stats/report/${r.fiscal_year}`,
      approvedAt: r.approved_at ? formatThaiDate(new Date(r.approved_at), lang) : null,
    })),
  });
}

export default function PublishedReports() {
  const d = useLoaderData<typeof loader>();
  const { t } = useTranslation("statreport");
  return (
    <>
      <p className="no-print">
        <Link to="/stats">{t("public.statsLink")}</Link>
      </p>
      <h1>{t("public.listTitle")}</h1>
      <p className="lead">{t("public.listIntro")}</p>
      {d.reports.length === 0 ? (
        <p data-testid="reports-empty">{t("public.listEmpty")}</p>
      ) : (
        <ul data-testid="reports-list">
          {d.reports.map((r) => (
            <li key={r.href}>
              <Link to={r.href}>{t(r.period === "h1" ? "public.titleH1" : "public.titleYear", { fy: r.fy })}</Link>
              {r.approvedAt ? <span className="muted"> · {t("staff.approvedAt", { date: r.approvedAt })}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
