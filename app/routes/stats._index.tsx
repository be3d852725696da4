/**
 * /stats: public statistics of general complaints for one fiscal year (default: the current one). Every figure is
 * read from the summary tables through app/models/statistics/figures.server.ts, says what it counts, and links to the list of the
 * cases it counts (the public anonymised list, or the staff queue for signed-in staff). Charts are server-rendered
 * SVG beside their data tables; nothing here needs JavaScript.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { AsOf, FiscalYearForm, StatsErrorView, StatsNav, dayLabel, monthEnd } from "~/components/stats-ui";
import { BreakdownSection, DefinitionList, MonthlySection, SatisfactionSection, type FlowRow } from "~/components/stats-sections";
import { OverviewDownloads, OverviewSummary, OverviewTimeliness } from "~/components/stats-overview";
import { PAGE_DEFINITIONS } from "~/lib/stat-definitions";
import { selectedFiscalYear, statsAudience, statsCacheHeaders, statsHeaders } from "~/components/stats-route.server";
import type { CaseListFilter } from "~/lib/complaint-list-filter";
import { tFor } from "~/i18n";
import { complaintStats } from "~/models/statistics/figures.server";
import { getOrgProfile } from "~/models/organisation/profile.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";

export const headers = statsHeaders;

/** No JavaScript on this page (app/root.tsx): plain forms and server-drawn SVG. */
export const handle = { hydrate: false, i18n: ["staff", "stats", "statreport"] };

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

export default function StatsOverview() {
  const { lang, fy, years, isDefault, audience, slaDays, stats: s } = useLoaderData<typeof loader>();
  const { t } = useTranslation("stats");
  const ts = useTranslation("staff").t;
  const name = (r: { nameTh: string; nameEn: string }) => (lang === "en" ? r.nameEn : r.nameTh);
  const base: CaseListFilter = { fy };
  const from = dayLabel(s.from, lang);
  const to = dayLabel(s.to, lang);
  const villageLabel = (v: { number: number | null; nameTh: string; nameEn: string }) => {
    if (v.number === null) return name(v);
    const short = t("overview.village.name", { number: v.number, name: "" }).trim();
    const nm = name(v).trim();
    return /^(หมู่ที่|หมู่|Village|Moo)\s*\d+$/i.test(nm) || nm === "" ? short : t("overview.village.name", { number: v.number, name: nm });
  };

  const categoryRows: FlowRow[] = s.byCategory.map((c) => ({
    key: c.code,
    label: name(c),
    ...flowOf(c),
    filter: { ...base, categoryId: c.id },
  }));
  const channelRows: FlowRow[] = s.byChannel.map((c) => ({
    key: c.channel,
    label: ts(`channels.${c.channel}`),
    ...flowOf(c),
    filter: { ...base, channel: c.channel },
  }));
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

  return (
    <div className="stats-page">
      <StatsNav current="overview" fy={fy} isDefaultYear={isDefault} />
      <h1>{t("overview.title", { fy })}</h1>
      <AsOf iso={s.asOf} lang={lang} />
      <FiscalYearForm action="/stats" years={years} fy={fy} />
      <p className="lead">{t("overview.intro", { from, to, fy })}</p>
      <p className="muted">{t("overview.excludesCorruption")}</p>
      {audience === "staff" ? <p className="notice no-print">{t("overview.staffLinks")}</p> : null}

      <OverviewSummary s={s} base={base} audience={audience} lang={lang} from={from} to={to} />

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

      <OverviewTimeliness s={s} base={base} audience={audience} lang={lang} fy={fy} slaDays={slaDays} />

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

      <OverviewDownloads fy={fy} />
    </div>
  );
}

function flowOf(f: { received: number; completed: number; inProgress: number }) {
  return { received: f.received, completed: f.completed, inProgress: f.inProgress };
}
