/**
 * /province: the public statistics of every organisation of this organisation's province (an installation with several
 * organisations, ORG_ROUTING=host, where each has a province code): side by side and summed — complaints, the 15-day
 * rule and written notices (measure 23), satisfaction, corruption reports in the ITA count (measure 28) — and the plan's
 * measures: for each, how many members met it. One open-data download for all of them (/province/data.csv). Only
 * what each member already publishes on its own /stats pages; no JavaScript.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { FiscalYearForm, StatsErrorView, TableWrap, formatCount } from "~/components/stats-ui";
import { selectedFiscalYear, statsCacheHeaders, statsHeaders } from "~/components/stats-route.server";
import { tFor } from "~/i18n";
import { formatShare } from "~/lib/stats";
import { TARGETS } from "~/lib/plan-targets";
import { sumMembers, summariseMeasures, verdictCounts, type MemberFigures } from "~/lib/province";
import { currentProvince, provinceFigures } from "~/models/platform/province.server";
import { useOrgNames } from "~/components/org-name";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { useAppPath } from "~/components/app-path";

export const headers = statsHeaders;

export const handle = { hydrate: false, i18n: ["stats"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.lang ?? "th", "stats")("province.metaTitle") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const province = currentProvince();
  if (!province) throw json({ messageKey: "province.none" }, { status: 404 });
  const lang = getLang(request);
  const { fy, years } = await selectedFiscalYear(request, getDb());
  const members = await provinceFigures(province, fy);
  return json(
    {
      lang,
      fy,
      years,
      province: province.code,
      members,
      total: sumMembers(members),
      measures: summariseMeasures(members, TARGETS),
    },
    { headers: statsCacheHeaders("public") },
  );
}

export function ErrorBoundary() {
  return <StatsErrorView />;
}

export default function ProvincePage() {
  const appHref = useAppPath();
  const { lang, fy, years, province, members, total, measures } = useLoaderData<typeof loader>();
  const { t } = useTranslation("stats");
  const names = useOrgNames();
  const n = (x: number) => formatCount(x, lang);
  const pct = (s: number | null) => formatShare(s, lang);
  const nameOf = (m: Pick<MemberFigures, "nameTh" | "nameEn">) => (lang === "en" ? m.nameEn : m.nameTh);
  return (
    <div className="stats-page">
      <h1>{t("province.title", { province, fy })}</h1>
      <p>{t("province.intro", { count: members.length })}</p>
      <FiscalYearForm action="/province" years={years} fy={fy} />
      <section aria-labelledby="province-table">
        <h2 id="province-table">{t("province.tableTitle")}</h2>
        <TableWrap labelId="province-table">
          <table className="stats-table" data-testid="province-table">
            <thead>
              <tr>
                <th scope="col">{t("province.cols.organisation")}</th>
                <th scope="col">{t("province.cols.received")}</th>
                <th scope="col">{t("province.cols.closed")}</th>
                <th scope="col">{t("province.cols.deadline")}</th>
                <th scope="col">{t("province.cols.ack")}</th>
                <th scope="col">{t("province.cols.overdue")}</th>
                <th scope="col">{t("province.cols.satisfaction")}</th>
                <th scope="col">{t("province.cols.corruption")}</th>
                <th scope="col">{t("province.cols.targetsMet")}</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const v = verdictCounts(m.verdicts);
                return (
                  <tr key={m.code} data-testid={`province-member-${m.code}`}>
                    <th scope="row">
                      <a href={m.url}>{nameOf(m)}</a>
                    </th>
                    <td data-label={t("province.cols.received")}>{n(m.received)}</td>
                    <td data-label={t("province.cols.closed")}>{n(m.closed)}</td>
                    <td data-label={t("province.cols.deadline")}>{pct(m.deadline.share)}</td>
                    <td data-label={t("province.cols.ack")}>{pct(m.acknowledgement.share)}</td>
                    <td data-label={t("province.cols.overdue")}>{n(m.overdueNow)}</td>
                    <td data-label={t("province.cols.satisfaction")}>{pct(m.satisfaction.share)}</td>
                    <td data-label={t("province.cols.corruption")}>{n(m.corruption.received)}</td>
                    <td data-label={t("province.cols.targetsMet")}>
                      {t("province.targetsOf", { met: n(v.met), judged: n(v.met + v.not_met) })}
                    </td>
                  </tr>
                );
              })}
            </tbody>
            <tfoot>
              <tr data-testid="province-total">
                <th scope="row">{t("province.total", { count: total.members })}</th>
                <td data-label={t("province.cols.received")}>{n(total.received)}</td>
                <td data-label={t("province.cols.closed")}>{n(total.closed)}</td>
                <td data-label={t("province.cols.deadline")}>{pct(total.deadline.share)}</td>
                <td data-label={t("province.cols.ack")}>{pct(total.acknowledgement.share)}</td>
                <td data-label={t("province.cols.overdue")}>{n(total.overdueNow)}</td>
                <td data-label={t("province.cols.satisfaction")}>{pct(total.satisfaction.share)}</td>
                <td data-label={t("province.cols.corruption")}>{n(total.corruption.received)}</td>
                <td data-label={t("province.cols.targetsMet")}>—</td>
              </tr>
            </tfoot>
          </table>
        </TableWrap>
        <p className="hint">{t("province.sharesNote")}</p>
      </section>
      <section aria-labelledby="province-targets">
        <h2 id="province-targets">{t("province.targetsTitle")}</h2>
        <TableWrap labelId="province-targets">
          <table className="stats-table" data-testid="province-targets">
            <thead>
              <tr>
                <th scope="col">{t("province.cols.measure")}</th>
                <th scope="col">{t("province.cols.met")}</th>
                <th scope="col">{t("province.cols.notMet")}</th>
                <th scope="col">{t("province.cols.notEnoughData")}</th>
              </tr>
            </thead>
            <tbody>
              {measures.map((m) => (
                <tr key={m.key} data-testid={`province-measure-${m.key}`}>
                  <th scope="row">
                    {t("targets.measure", { n: m.measure })}{" "}
                    {t(`targets.${m.key}.name`, { defaultValue: m.key, org: t("province.eachMember") })}
                  </th>
                  <td data-label={t("province.cols.met")}>{n(m.met)}</td>
                  <td data-label={t("province.cols.notMet")}>{n(m.notMet)}</td>
                  <td data-label={t("province.cols.notEnoughData")}>{n(m.notEnoughData + m.info)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
      <p>
        <a href={appHref(`/province/data.csv?fy=${fy}`)} download data-testid="province-download">
          {t("province.download", { fy })}
        </a>
      </p>
      <p className="hint">{t("province.shownAt", { org: lang === "en" ? names.en : names.th })}</p>
    </div>
  );
}
