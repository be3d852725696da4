/**
 * /stats/targets: the plan scorecard. For each measure with a complaint or satisfaction target: its number (ลำดับที่),
 * name, the target exactly as published in the plan, the indicator for the selected fiscal year beside the previous
 * one, and the verdict as text and symbol (never colour only), with one sentence on how it is computed. Counts of the
 * corruption channel between 1 and 4 are shown as "fewer than 5".
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { AsOf, DownloadLinks, FiscalYearForm, StatsErrorView, StatsNav, TableWrap, dayLabel, formatCount } from "~/components/stats-ui";
import { selectedFiscalYear, statsAudience, statsCacheHeaders, statsHeaders } from "~/components/stats-route.server";
import { i18nFor, tFor } from "~/i18n";
import { caseListHref, hasStaffOnlyCriteria } from "~/lib/complaint-list-filter";
import { formatShare, periodRange } from "~/lib/stats";
import { PAGE_DEFINITIONS, TARGET_DEFINITIONS } from "~/lib/stat-definitions";
import { DefinitionList } from "~/components/stats-sections";
import type { Lang } from "~/lib/thai-date";
import { planTargets, type IndicatorValue, type TargetRow } from "~/models/statistics/figures.server";
import { now } from "~/utils/clock.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { useOrgNames } from "~/components/org-name";

export const headers = statsHeaders;

/** No JavaScript on this page (app/root.tsx): plain forms and server-drawn SVG. */
export const handle = { hydrate: false, i18n: ["stats", "statreport"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.lang ?? "th", "stats")("targets.metaTitle") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const lang = getLang(request);
  const { fy, years, isDefault } = await selectedFiscalYear(request, db);
  const [rows, audience] = await Promise.all([planTargets(db, fy), statsAudience(request, db)]);
  return json({ lang, fy, years, isDefault, audience, rows, asOf: now().toISOString() }, { headers: statsCacheHeaders(audience) });
}

export function ErrorBoundary() {
  return <StatsErrorView />;
}

const SYMBOL: Record<TargetRow["verdict"], string> = { met: "✔", not_met: "✘", not_enough_data: "?", info: "ℹ" };

/** Satisfaction shares are "from N answers"; deadline and acknowledgement shares "from N cases with a known outcome". */
const ANSWER_KEYS = new Set(["m20_satisfaction", "m23_satisfaction"]);

function IndicatorCell({
  v,
  rowKey,
  lang,
  testId,
  label,
}: {
  v: IndicatorValue;
  rowKey: string;
  lang: Lang;
  testId: string;
  label: string;
}) {
  const { t } = useTranslation("stats");
  const fewer = t("targets.fewerThan5");
  let main: string;
  if (v.suppressed) main = fewer;
  else if (v.value === null)
    main = v.unit === "percent" && (v.answers ?? 0) === 0 && ANSWER_KEYS.has(rowKey) ? t("chart.noAnswers") : t("targets.noValue");
  else main = v.unit === "percent" ? formatShare(v.value, lang) : formatCount(v.value, lang);
  return (
    <td className="num target-value" data-label={label}>
      <span className="target-main" data-testid={testId}>
        {main}
      </span>
      {v.unit === "percent" && v.answers !== undefined ? (
        <span className="target-basis">
          {t(ANSWER_KEYS.has(rowKey) ? "targets.basisAnswers" : "targets.basisCases", {
            count: v.answers,
            countText: formatCount(v.answers, lang),
          })}
        </span>
      ) : null}
      {v.parts ? (
        <span className="target-basis" data-testid={`${testId}-parts`}>
          {t("targets.parts", {
            general: v.parts.general === null ? fewer : formatCount(v.parts.general, lang),
            corruption: v.parts.corruptionSuppressed
              ? fewer
              : v.parts.corruption === null
                ? t("targets.noValue")
                : formatCount(v.parts.corruption, lang),
          })}
        </span>
      ) : null}
    </td>
  );
}

export default function TargetsPage() {
  const { lang, fy, years, isDefault, audience, rows, asOf } = useLoaderData<typeof loader>();
  const { t } = useTranslation("stats");
  const tTh = i18nFor("th").getFixedT("th", "stats");
  const names = useOrgNames();
  const org = { org: lang === "en" ? names.en : names.th };
  const full = periodRange(fy);
  const w = rows[0]?.window;
  const partial = w && w.current.to !== full.to;

  return (
    <div className="stats-page">
      <StatsNav current="targets" fy={fy} isDefaultYear={isDefault} />
      <h1>{t("targets.title", { fy })}</h1>
      <AsOf iso={asOf} lang={lang} />
      <FiscalYearForm action="/stats/targets" years={years} fy={fy} />
      <p className="lead">{t("targets.intro")}</p>
      <p>{t("targets.decreaseRule")}</p>
      {partial && w ? (
        <p className="warning" data-testid="targets-window">
          {w.current.to < w.current.from
            ? t("targets.windowEmpty")
            : t("targets.window", {
                from: dayLabel(w.current.from, lang),
                to: dayLabel(w.current.to, lang),
                pfrom: dayLabel(w.previous.from, lang),
                pto: dayLabel(w.previous.to, lang),
              })}
        </p>
      ) : null}
      <p className="muted">{t("targets.legend")}</p>

      <TableWrap labelId="targets-caption">
        <table className="stats-table stats-targets cards-on-phone" data-testid="targets-table">
          <caption id="targets-caption">{t("targets.caption", { fy, prev: fy - 1 })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("targets.colMeasure")}</th>
              <th scope="col">{t("targets.colTarget")}</th>
              <th scope="col" className="num">
                {t("targets.colCurrent", { fy })}
              </th>
              <th scope="col" className="num">
                {t("targets.colPrevious", { fy: fy - 1 })}
              </th>
              <th scope="col">{t("targets.colVerdict")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const listLabel =
                r.key === "m23_deadline"
                  ? t("targets.listLinkLate")
                  : r.key === "m23_satisfaction"
                    ? t("targets.listLinkRated")
                    : t("targets.listLink");
              return (
                <tr key={r.key} data-testid={`target-${r.key}`} data-verdict={r.verdict}>
                  <th scope="row" className="target-measure">
                    {t("targets.measure", { n: r.measure })}
                  </th>
                  <td className="target-text" data-label={t("targets.colTarget")}>
                    <strong className="target-name">{t(`targets.${r.key}.name`, { defaultValue: r.key, ...org })}</strong>
                    <span className="target-published">
                      <span className="target-label">{t("targets.published")}</span>{" "}
                      {lang === "th" ? (
                        <q data-testid={`target-${r.key}-published`}>{t(`targets.${r.key}.target`, org)}</q>
                      ) : (
                        <>
                          <q lang="th" data-testid={`target-${r.key}-published`}>
                            {tTh(`targets.${r.key}.target`, { org: names.th })}
                          </q>{" "}
                          <span className="target-translation">({t(`targets.${r.key}.target`, org)})</span>
                        </>
                      )}
                    </span>
                    <span className="target-how">
                      <span className="target-label">{t("targets.howLabel")}</span>{" "}
                      {TARGET_DEFINITIONS[r.key] ? t(`statreport:definitions.${TARGET_DEFINITIONS[r.key]}`) : t(`targets.${r.key}.how`)}
                    </span>
                    {r.list && (audience === "staff" || !hasStaffOnlyCriteria(r.list)) ? (
                      <span className="target-list no-print">
                        <Link to={caseListHref(r.list, audience)}>{listLabel}</Link>
                      </span>
                    ) : null}
                  </td>
                  <IndicatorCell
                    v={r.current}
                    rowKey={r.key}
                    lang={lang}
                    testId={`target-${r.key}-current`}
                    label={t("targets.colCurrent", { fy })}
                  />
                  <IndicatorCell
                    v={r.previous}
                    rowKey={r.key}
                    lang={lang}
                    testId={`target-${r.key}-previous`}
                    label={t("targets.colPrevious", { fy: fy - 1 })}
                  />
                  <td className="target-verdict" data-label={t("targets.colVerdict")}>
                    <strong className={`badge verdict-${r.verdict}`} data-testid={`target-${r.key}-verdict`}>
                      <span aria-hidden="true">{SYMBOL[r.verdict]}</span> {t(`targets.verdict.${r.verdict}`)}
                    </strong>
                    {r.provisional ? (
                      <span className="target-provisional" data-testid={`target-${r.key}-provisional`}>
                        {t("targets.provisional")}
                      </span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
      <DownloadLinks fy={fy} table="targets" label={t("download.tables.targets")} />
      <DefinitionList keys={PAGE_DEFINITIONS["/stats/targets"]} />
    </div>
  );
}
