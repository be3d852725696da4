/**
 * The published complaint-handling report: /stats/report/<fy> (annual) and /stats/report/<fy>/h1 (the six-month
 * round, Oct–Mar). The narrative written by staff (app/models/statistics/fiscal-reports.server.ts) merged with the figures frozen
 * when a supervisor approved it, the organisation's letterhead, Buddhist-calendar dates and "approved by <role> on
 * <date>"; printable (print.css). Not published → 404 for the public; signed-in staff who may read reports see the
 * draft with live figures under a DRAFT banner (never cached).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { ReportFigureSections } from "~/components/stat-report-figures";
import { SECTIONS, sectionText } from "~/lib/fiscal-report-text";
import { tFor } from "~/i18n";
import { formatThaiDate, formatThaiDateKey } from "~/lib/thai-date";
import { getOrgProfile } from "~/models/organisation/profile.server";
import {
  canViewStatReports,
  computeFigures,
  getStatReport,
  narrativeOf,
  parseSnapshot,
  publishedPeriods,
  type ReportFigures,
} from "~/models/statistics/fiscal-reports.server";
import { isReasonableFiscalYear } from "~/models/statistics/figures.server";
import { getDb } from "~/utils/db.server";
import { passThroughHeaders } from "~/utils/route-headers";
import { getLang } from "~/utils/request.server";
import { getStaff } from "~/utils/session.server";
import { useAppPath } from "~/components/app-path";

export const headers = passThroughHeaders;

/** No JavaScript on this page (app/root.tsx): plain links and forms. */
export const handle = { hydrate: false, i18n: ["staff", "stats", "statreport"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ? `${data.title} · Sujarit` : "Sujarit" },
  ...(data?.draft ? [{ name: "robots", content: "noindex, nofollow" }] : []),
];

function notFound(): never {
  throw json({ messageKey: "public.notFound" }, { status: 404 });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const fy = /^\d{4}$/.test(params.fy ?? "") ? Number(params.fy) : NaN;
  if (!isReasonableFiscalYear(fy)) notFound();
  if (params.period !== undefined && params.period !== "h1") notFound();
  const period = params.period === "h1" ? "h1" : "year";
  const db = getDb();
  const lang = getLang(request);
  const r = await getStatReport(db, fy, period);
  let figures: ReportFigures | null = null;
  let draft = false;
  if (r?.status === "published") {
    figures = parseSnapshot(r.snapshot);
  } else if (r) {
    // Drafts: only signed-in staff who may read reports, with today's figures.
    const staff = await getStaff(request, db);
    if (staff && canViewStatReports(staff)) {
      figures = await computeFigures(db, fy, period);
      draft = true;
    }
  }
  if (!r || !figures) notFound();
  const [org, published] = await Promise.all([getOrgProfile(db), publishedPeriods(db, fy)]);
  const other = period === "h1" ? "year" : "h1";
  const t = tFor(lang, "statreport");
  return json(
    {
      fy,
      period,
      draft,
      status: r.status,
      title: t(period === "h1" ? "public.titleH1" : "public.titleYear", { fy }),
      narrative: narrativeOf(r),
      figures,
      approvedAt: !draft && r.approved_at ? formatThaiDate(new Date(r.approved_at), lang) : null,
      approverRole: !draft ? (figures.approverRole ?? null) : null,
      asOf: formatThaiDate(new Date(figures.asOf), lang, { withTime: true }),
      range: {
        from: formatThaiDateKey(figures.complaints.from, lang),
        to: formatThaiDateKey(figures.complaints.to, lang),
      },
      org: {
        name: lang === "en" ? org.name_en : org.name_th,
        address: lang === "en" ? org.address_en : org.address_th,
        phone: org.phone,
        email: org.email,
      },
      otherPeriod: published.includes(other) ? other : null,
    },
    { headers: draft ? { "Cache-Control": "private, no-store" } : {} },
  );
}

export default function StatReportPage() {
  const appHref = useAppPath();
  const d = useLoaderData<typeof loader>();
  const { t, lang } = useTranslation("statreport");
  const tStaff = useTranslation("staff").t;
  const f = d.figures as unknown as ReportFigures;
  const h1 = d.period === "h1";

  return (
    <article className="stat-report" data-testid="stat-report" data-period={d.period}>
      {d.draft ? (
        <p className="warning" role="note" data-testid="draft-banner">
          <strong>{t("public.draftBanner")}</strong> {t("public.draftStatus", { status: t(`status.${d.status}`) })}
        </p>
      ) : null}
      <header className="letterhead">
        <strong>{d.org.name}</strong>
        {d.org.address ? <div className="pre-line">{d.org.address}</div> : null}
        {d.org.phone || d.org.email ? <div>{[d.org.phone, d.org.email].filter(Boolean).join(" · ")}</div> : null}
      </header>
      <h1 data-testid="report-title">{d.title}</h1>
      <p>{t("public.range", d.range)}</p>
      {d.approvedAt ? (
        <p data-testid="approved-by">
          {t("public.approved", { role: d.approverRole ? tStaff(`roles.${d.approverRole}`) : "", date: d.approvedAt })}
        </p>
      ) : null}
      <p className="hint">{d.draft ? null : t("public.figuresAsOf", { date: d.asOf })}</p>
      <p className="no-print">
        <Link to={`/stats?fy=${d.fy}`}>{t("public.statsLink")}</Link> ·{" "}
        <a href={appHref(`/stats/data?fy=${d.fy}`)}>{t("public.dataLink")}</a>
        {d.otherPeriod ? (
          <>
            {" · "}
            <Link to={d.otherPeriod === "h1" ? `/stats/report/${d.fy}/h1` : `/stats/report/${d.fy}`}>
              {t("public.otherPeriod", { period: t(`periods.${d.otherPeriod}`) })}
            </Link>
          </>
        ) : null}
      </p>
      <p className="hint no-print">{t("public.print")}</p>

      <section aria-labelledby="rp-narrative">
        <h2 id="rp-narrative">{t("public.narrativeTitle")}</h2>
        {SECTIONS.map((s, i) => {
          const { text, fallback } = sectionText(d.narrative, s, lang);
          return (
            <section key={s} aria-labelledby={`rp-${s}`} data-testid={`section-${s}`}>
              <h3 id={`rp-${s}`}>
                {i + 1}. {t(`sections.${s}`)}
              </h3>
              {fallback ? (
                <p className="hint" data-testid={`fallback-${s}`}>
                  {t("public.englishMissing")}
                </p>
              ) : null}
              <p className="pre-line" lang={fallback || lang === "th" ? "th" : "en"} data-testid={`text-${s}`}>
                {text || t("public.emptySection")}
              </p>
            </section>
          );
        })}
      </section>

      <ReportFigureSections f={f} h1={h1} />
    </article>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation("statreport");
  const tc = useTranslation().t;
  const nf = isRouteErrorResponse(error) && error.status === 404;
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">{nf ? tc("errors.notFoundTitle") : tc("errors.serverTitle")}</h1>
      <p data-testid="report-error">{nf ? t("public.notFound") : tc("errors.server")}</p>
      <p>
        <Link to="/stats/report">{t("public.allReports")}</Link> · <Link to="/stats">{t("public.statsLink")}</Link>
      </p>
    </section>
  );
}
