/**
 * The figures of a published complaint-handling report (/stats/report/<fy>[/h1], app/routes/stats.report.$fy.($period).tsx):
 * summary, complaints by month, category and channel, the corruption channel in the ITA format, satisfaction and the
 * plan targets. Printable, no JavaScript needed.
 */
import { FlowBarChart, HBarChart, ShareMeter } from "~/components/charts";
import { useTranslation } from "~/components/i18n";
import { formatCount, monthLabel } from "~/components/stats-ui";
import { fiscalMonthIndex, formatShare, hasFigures, type Flow, type MonthStatus } from "~/lib/stats";
import type { Lang } from "~/lib/thai-date";
import type { ReportFigures } from "~/models/statistics/fiscal-reports.server";
import type { IndicatorValue } from "~/models/statistics/figures.server";
import { useOrgNames } from "~/components/org-name";

function pct(s: number | null, lang: Lang): string {
  return formatShare(s, lang);
}

function FlowCells({ f, lang, status }: { f: Flow; lang: Lang; status?: MonthStatus }) {
  const { t } = useTranslation("statreport");
  const labels = {
    received: t("data.columns.received.label"),
    completed: t("data.columns.completed.label"),
    inProgress: t("data.columns.in_progress.label"),
  };
  // A month not reached yet or before the portal's first record has no figures: dashes, never 0.
  if (status && !hasFigures(status)) {
    return (
      <>
        <td className="num" data-label={labels.received}>
          –
        </td>
        <td className="num" data-label={labels.completed}>
          –
        </td>
        <td className="num" data-label={labels.inProgress}>
          –
        </td>
      </>
    );
  }
  return (
    <>
      <td className="num" data-label={labels.received}>
        {formatCount(f.received, lang)}
      </td>
      <td className="num" data-label={labels.completed}>
        {formatCount(f.completed, lang)}
      </td>
      <td className="num" data-label={labels.inProgress}>
        {formatCount(f.inProgress, lang)}
      </td>
    </>
  );
}

function FlowHead({ first }: { first: string }) {
  const { t } = useTranslation("statreport");
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        <th scope="col">{t("data.columns.received.label")}</th>
        <th scope="col">{t("data.columns.completed.label")}</th>
        <th scope="col">{t("data.columns.in_progress.label")}</th>
      </tr>
    </thead>
  );
}

function indicatorText(v: IndicatorValue, lang: Lang, fewer: string): string {
  if (v.suppressed) return fewer;
  if (v.value === null) return "–";
  return v.unit === "percent" ? formatShare(v.value, lang) : formatCount(v.value, lang);
}
/** Every figure section of the report, from the snapshot (published) or live figures (draft preview). */
export function ReportFigureSections({ f, h1 }: { f: ReportFigures; h1: boolean }) {
  const { t, lang } = useTranslation("statreport");
  const ts = useTranslation("stats").t;
  const names = useOrgNames();
  const org = { org: lang === "en" ? names.en : names.th };
  const tStaff = useTranslation("staff").t;
  const c = f.complaints;
  const k = f.corruption;
  const legend = { completed: t("data.columns.completed.label"), inProgress: t("data.columns.in_progress.label") };
  const fewer = t("public.fewerThan5");

  // ITA table rows: months with quarter and half subtotals (the six-month report stops after the first half). The
  // figures cover the report's period only (six months, two quarters, one half for h1); subtotals are matched by
  // their number, not their position, and an older six-month snapshot holding the whole year shows its first half.
  // Snapshots frozen before months had a status carry none: they were taken after the period ended ("ok").
  type ItaRow = { kind: "month" | "quarter" | "half" | "year"; label: string; flow: Flow; status: MonthStatus; cumulative?: Flow };
  const st = (x: { status?: MonthStatus }): MonthStatus => x.status ?? "ok";
  const cum = (x: { cumulative?: Flow | null; status?: MonthStatus } | undefined): Flow | undefined =>
    x && st(x) === "ok" && x.cumulative ? x.cumulative : undefined;
  const ita: ItaRow[] = [];
  const monthsShown = h1 ? k.months.filter((m) => fiscalMonthIndex(m.month) < 6) : k.months;
  for (const m of monthsShown) {
    const i = fiscalMonthIndex(m.month);
    ita.push({ kind: "month", label: monthLabel(m.month, lang, { long: true }), flow: m, status: st(m), cumulative: cum(m) });
    if (i % 3 === 2) {
      const q = k.quarters.find((x) => x.quarter === (i + 1) / 3);
      if (q) ita.push({ kind: "quarter", label: t("public.quarter", { n: q.quarter }), flow: q, status: st(q), cumulative: cum(m) });
    }
    if (i % 6 === 5) {
      const hf = k.halves.find((x) => x.half === (i + 1) / 6);
      if (hf) ita.push({ kind: "half", label: t(`public.half${hf.half}`), flow: hf, status: st(hf), cumulative: cum(m) });
    }
  }
  if (!h1)
    ita.push({
      kind: "year",
      label: t("public.yearTotal"),
      flow: k.total,
      status: (k as { totalStatus?: MonthStatus }).totalStatus ?? "ok",
      cumulative: cum(k.months[k.months.length - 1]),
    });

  const summary: Array<{ key: string; label: string; value: string }> = [
    { key: "received", label: t("public.rows.received"), value: formatCount(c.totals.received, lang) },
    { key: "completed", label: t("public.rows.completed"), value: formatCount(c.totals.completed, lang) },
    { key: "in-progress", label: t("public.rows.inProgress"), value: formatCount(c.totals.inProgress, lang) },
    { key: "resolved", label: t("public.rows.resolved"), value: formatCount(c.totals.resolved, lang) },
    { key: "forwarded", label: t("public.rows.forwarded"), value: formatCount(c.totals.forwarded, lang) },
    { key: "deadline", label: t("public.rows.deadlineShare"), value: pct(c.deadline.share, lang) },
    { key: "ack", label: t("public.rows.ackShare"), value: pct(c.acknowledgement.share, lang) },
    {
      key: "median",
      label: t("public.rows.median"),
      value: c.resolveDays.median === null ? "–" : t("public.days", { n: c.resolveDays.median }),
    },
    { key: "p90", label: t("public.rows.p90"), value: c.resolveDays.p90 === null ? "–" : t("public.days", { n: c.resolveDays.p90 }) },
    { key: "overdue", label: t("public.rows.overdue"), value: formatCount(c.overdueNow, lang) },
  ];
  return (
    <>
      <section aria-labelledby="rp-figures">
        <h2 id="rp-figures">{t("public.figuresTitle")}</h2>
        <h3 id="rp-summary">{t("public.summaryTitle")}</h3>
        <div className="table-wrap">
          <table aria-labelledby="rp-summary" data-testid="summary">
            <thead>
              <tr>
                <th scope="col">{t("public.item")}</th>
                <th scope="col">{t("public.count")}</th>
              </tr>
            </thead>
            <tbody>
              {summary.map((row) => (
                <tr key={row.key}>
                  <th scope="row">{row.label}</th>
                  <td className="num" data-testid={`fig-${row.key}`}>
                    {row.value}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>

        <h3 id="rp-month">{t("public.byMonthTitle")}</h3>
        <div className="chart-scroll" tabIndex={0} role="region" aria-labelledby="rp-chart-month-title">
          <FlowBarChart
            id="rp-chart-month"
            title={t("public.byMonthTitle")}
            desc={t("public.byMonthTitle")}
            bars={c.byMonth.map((m) => ({ label: monthLabel(m.month, lang), completed: m.completed, inProgress: m.inProgress }))}
            legend={legend}
            formatNumber={(n) => formatCount(n, lang)}
          />
        </div>
        <div className="table-wrap">
          <table aria-labelledby="rp-month" data-testid="by-month" className="cards-on-phone">
            <FlowHead first={t("data.columns.month.label")} />
            <tbody>
              {c.byMonth.map((m) => (
                <tr key={m.month} data-month={m.month} data-status={st(m)}>
                  <th scope="row">
                    {monthLabel(m.month, lang, { long: true })}
                    {st(m) === "ok" ? null : ` (${t(`data.values.status.${st(m)}`)})`}
                  </th>
                  <FlowCells f={m} lang={lang} status={st(m)} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>

        <h3 id="rp-category">{t("public.byCategoryTitle")}</h3>
        <div className="chart-scroll" tabIndex={0} role="region" aria-labelledby="rp-chart-category-title">
          <HBarChart
            id="rp-chart-category"
            title={t("public.byCategoryTitle")}
            desc={t("public.byCategoryTitle")}
            rows={c.byCategory.map((x) => ({ label: lang === "en" ? x.nameEn : x.nameTh, total: x.received, part: x.completed }))}
            legend={{ solid: legend.completed, outline: legend.inProgress }}
            formatNumber={(n) => formatCount(n, lang)}
          />
        </div>
        <div className="table-wrap">
          <table aria-labelledby="rp-category" data-testid="by-category">
            <FlowHead first={t("data.columns.category_th.label")} />
            <tbody>
              {c.byCategory.map((x) => (
                <tr key={x.id} data-code={x.code}>
                  <th scope="row">{lang === "en" ? x.nameEn : x.nameTh}</th>
                  <FlowCells f={x} lang={lang} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>

        <h3 id="rp-channel">{t("public.byChannelTitle")}</h3>
        <div className="table-wrap">
          <table aria-labelledby="rp-channel" data-testid="by-channel">
            <FlowHead first={t("data.columns.channel_th.label")} />
            <tbody>
              {c.byChannel.map((x) => (
                <tr key={x.channel} data-channel={x.channel}>
                  <th scope="row">{tStaff(`channels.${x.channel}`)}</th>
                  <FlowCells f={x} lang={lang} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="rp-corruption">
        <h2 id="rp-corruption">{t("public.corruptionTitle")}</h2>
        <p className="hint">{t("public.corruptionNote")}</p>
        <div className="table-wrap">
          <table aria-labelledby="rp-corruption" data-testid="corruption" className="cards-on-phone">
            <thead>
              <tr>
                <th scope="col">{t("data.columns.label_th.label")}</th>
                <th scope="col">{t("data.columns.received.label")}</th>
                <th scope="col">{t("data.columns.completed.label")}</th>
                <th scope="col">{t("data.columns.in_progress.label")}</th>
                <th scope="col">{t("data.columns.cumulative_received.label")}</th>
                <th scope="col">{t("data.columns.remark_th.label")}</th>
              </tr>
            </thead>
            <tbody>
              {ita.map((row, i) => (
                <tr key={i} data-kind={row.kind} className={row.kind === "month" ? undefined : "subtotal"}>
                  <th scope="row">{row.kind === "month" ? row.label : <strong>{row.label}</strong>}</th>
                  <FlowCells f={row.flow} lang={lang} status={row.status} />
                  <td className="num" data-label={t("data.columns.cumulative_received.label")}>
                    {row.cumulative ? formatCount(row.cumulative.received, lang) : "–"}
                  </td>
                  <td data-label={t("data.columns.remark_th.label")}>
                    {row.status === "ok"
                      ? row.flow.received === 0
                        ? t("data.values.noComplaints")
                        : ""
                      : t(`data.values.status.${row.status}`)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h3 id="rp-outcomes">{t("public.outcomesTitle")}</h3>
        <div className="table-wrap">
          <table aria-labelledby="rp-outcomes" data-testid="outcomes">
            <tbody>
              {(["substantiated", "unsubstantiated", "referred"] as const).map((o) => (
                <tr key={o}>
                  <th scope="row">{t(`data.values.outcome.${o}`)}</th>
                  <td className="num">{formatCount(k.outcomes[o], lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="rp-satisfaction">
        <h2 id="rp-satisfaction">{t("public.satisfactionTitle")}</h2>
        {(
          [
            ["cases", t("public.satisfactionCases"), c.satisfaction],
            ["counter", t("public.satisfactionCounter"), c.counterSatisfaction],
          ] as const
        ).map(([key, label, s]) => (
          <div key={key} data-testid={`satisfaction-${key}`}>
            <div className="chart-scroll" tabIndex={0} role="region" aria-labelledby={`rp-sat-${key}-title`}>
              <ShareMeter
                id={`rp-sat-${key}`}
                title={label}
                desc={`${label}: ${pct(s.share, lang)} ${t("public.answers", { n: s.answers })}`}
                share={s.share}
                valueText={pct(s.share, lang)}
                target={0.8}
                targetText="80%"
                noDataText="–"
              />
            </div>
            <p>
              {label}: <strong>{pct(s.share, lang)}</strong> {t("public.answers", { n: formatCount(s.answers, lang) })}
            </p>
          </div>
        ))}
      </section>

      <section aria-labelledby="rp-targets">
        <h2 id="rp-targets">{t("public.targetsTitle")}</h2>
        <div className="table-wrap">
          <table aria-labelledby="rp-targets" data-testid="targets" className="cards-on-phone targets-cards">
            <thead>
              <tr>
                <th scope="col">{t("public.measure")}</th>
                <th scope="col">{t("public.indicator")}</th>
                <th scope="col">{t("public.target")}</th>
                <th scope="col">{t("public.value")}</th>
                <th scope="col">{t("public.previous")}</th>
                <th scope="col">{t("public.verdict")}</th>
              </tr>
            </thead>
            <tbody>
              {f.targets.map((row) => (
                <tr key={row.key} data-key={row.key}>
                  <td data-label={t("public.measure")}>{row.measure}</td>
                  <th scope="row">{ts(`targets.${row.key}.name`, org)}</th>
                  <td data-label={t("public.target")}>{ts(`targets.${row.key}.target`, org)}</td>
                  <td className="num" data-label={t("public.value")}>
                    {indicatorText(row.current, lang, fewer)}
                  </td>
                  <td className="num" data-label={t("public.previous")}>
                    {indicatorText(row.previous, lang, fewer)}
                  </td>
                  <td className="target-verdict" data-label={t("public.verdict")}>
                    {t(`data.values.verdict.${row.verdict}`)}
                    {row.provisional ? ` (${t("public.provisional")})` : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
