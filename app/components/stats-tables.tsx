/**
 * Tables of the statistics pages: received / completed / in progress per row with a total row, and a narrow table of
 * plain counts. Each row's counts link to the list they count when a filter is given (general complaints), or are
 * plain numbers (corruption channel). Split out of stats-sections.tsx, which re-exports these names.
 */
import { useTranslation } from "~/components/i18n";
import { Count, CountLink, TableWrap, formatCount, type Audience } from "~/components/stats-ui";
import type { CaseListFilter } from "~/lib/complaint-list-filter";
import { hasFigures, type Flow, type MonthStatus } from "~/lib/stats";
import type { Lang } from "~/lib/thai-date";

/** Received / completed / in progress (the one definition: app/lib/stats.ts). */
export type FlowCounts = Flow;

export interface FlowRow extends FlowCounts {
  key: string;
  label: string;
  /** The cases this row counts (no state); absent: counts only. */
  filter?: CaseListFilter;
  /** A month's status (app/lib/stats.ts): not_yet / no_records_yet rows show dashes and the status, never 0. */
  status?: MonthStatus;
}

/** A count cell: a link to the list when a filter is given, else the plain number. */
export function CountCell({
  n,
  filter,
  state,
  audience,
  lang,
  testId,
}: {
  n: number;
  filter?: CaseListFilter;
  state?: CaseListFilter["state"];
  audience: Audience;
  lang: Lang;
  testId?: string;
}) {
  if (!filter) return <Count n={n} lang={lang} testId={testId} />;
  return <CountLink n={n} filter={state ? { ...filter, state } : filter} audience={audience} lang={lang} testId={testId} />;
}

/** Table of received / completed / in progress per row, with a total row. */
/** The three column headings of a received / completed / in progress table. */
export function FlowHeaders() {
  const { t } = useTranslation("stats");
  return (
    <>
      <th scope="col" className="num">
        {t("cols.received")}
      </th>
      <th scope="col" className="num">
        {t("cols.completed")}
      </th>
      <th scope="col" className="num">
        {t("cols.inProgress")}
      </th>
    </>
  );
}

/** A narrow two-column table: a label per row and its count (no links: e.g. the corruption channel's totals). */
export function CountTable({
  id,
  caption,
  labelHeader,
  rows,
  lang,
}: {
  id: string;
  caption: string;
  labelHeader: string;
  rows: Array<{ key: string; label: string; n: number; testId: string }>;
  lang: Lang;
}) {
  const { t } = useTranslation("stats");
  return (
    <TableWrap labelId={`${id}-caption`}>
      <table className="stats-table stats-table-narrow" data-testid={`${id}-table`}>
        <caption id={`${id}-caption`}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{labelHeader}</th>
            <th scope="col" className="num">
              {t("cols.count")}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td className="num" data-testid={r.testId}>
                {formatCount(r.n, lang)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function FlowTable({
  id,
  caption,
  labelHeader,
  rows,
  total,
  totalFilter,
  audience,
  lang,
}: {
  id: string;
  caption: string;
  labelHeader: string;
  rows: readonly FlowRow[];
  total: FlowCounts;
  totalFilter?: CaseListFilter;
  audience: Audience;
  lang: Lang;
}) {
  const { t } = useTranslation("stats");
  const captionId = `${id}-caption`;
  return (
    <TableWrap labelId={captionId}>
      <table className="stats-table cards-on-phone" data-testid={`${id}-table`}>
        <caption id={captionId}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{labelHeader}</th>
            <FlowHeaders />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) =>
            r.status && !hasFigures(r.status) ? (
              <tr key={r.key} data-row={r.key} data-status={r.status}>
                <th scope="row">
                  {r.label}{" "}
                  <span className="muted" data-testid={`${id}-${r.key}-status`}>
                    ({t(`monthStatus.${r.status}`)})
                  </span>
                </th>
                <td className="num" data-label={t("cols.received")} data-testid={`${id}-${r.key}-received`}>
                  –
                </td>
                <td className="num" data-label={t("cols.completed")} data-testid={`${id}-${r.key}-completed`}>
                  –
                </td>
                <td className="num" data-label={t("cols.inProgress")} data-testid={`${id}-${r.key}-inprogress`}>
                  –
                </td>
              </tr>
            ) : (
              <tr key={r.key} data-row={r.key} data-status={r.status}>
                <th scope="row">
                  {r.label}
                  {r.status === "current" ? (
                    <>
                      {" "}
                      <span className="muted" data-testid={`${id}-${r.key}-status`}>
                        ({t("monthStatus.current")})
                      </span>
                    </>
                  ) : null}
                </th>
                <td className="num" data-label={t("cols.received")}>
                  <CountCell n={r.received} filter={r.filter} audience={audience} lang={lang} testId={`${id}-${r.key}-received`} />
                </td>
                <td className="num" data-label={t("cols.completed")}>
                  <CountCell
                    n={r.completed}
                    filter={r.filter}
                    state="closed"
                    audience={audience}
                    lang={lang}
                    testId={`${id}-${r.key}-completed`}
                  />
                </td>
                <td className="num" data-label={t("cols.inProgress")}>
                  <CountCell
                    n={r.inProgress}
                    filter={r.filter}
                    state="open"
                    audience={audience}
                    lang={lang}
                    testId={`${id}-${r.key}-inprogress`}
                  />
                </td>
              </tr>
            ),
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t("cols.total")}</th>
            <td className="num" data-label={t("cols.received")}>
              <CountCell n={total.received} filter={totalFilter} audience={audience} lang={lang} testId={`${id}-total-received`} />
            </td>
            <td className="num" data-label={t("cols.completed")}>
              <CountCell
                n={total.completed}
                filter={totalFilter}
                state="closed"
                audience={audience}
                lang={lang}
                testId={`${id}-total-completed`}
              />
            </td>
            <td className="num" data-label={t("cols.inProgress")}>
              <CountCell
                n={total.inProgress}
                filter={totalFilter}
                state="open"
                audience={audience}
                lang={lang}
                testId={`${id}-total-inprogress`}
              />
            </td>
          </tr>
        </tfoot>
      </table>
    </TableWrap>
  );
}
