import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CASE_STATUSES } from "~/lib/case-status";
import { queueDivisionScope } from "~/lib/permissions";
import { formatThaiDate } from "~/lib/thai-date";
import { listCategories, listDivisions, nameIn } from "~/models/org.server";
import { listQueue, parseQueueFilters } from "~/models/queue.server";
import { CASE_LIST_PARAMS, caseListHref, describeCriteria, type CaseListCriteria, type CriterionKey } from "~/lib/case-list-filter";
import { criteriaNames } from "~/models/case-list.server";
import { tFor } from "~/i18n";
import { casePolicies } from "~/models/deadlines";
import { reportCounts } from "~/models/report/retention.server";

/** Same values as DEADLINE_FILTERS in queue.server (not importable in browser code). */
const DEADLINE_OPTIONS = ["overdue", "due_soon", "on_track"] as const;
import { listAssignableStaff } from "~/models/staff.server";
import { now } from "~/utils/clock.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const db = getDb();
  const lang = getLang(request);
  const url = new URL(request.url);
  const filters = parseQueueFilters(url.searchParams);
  const policies = await casePolicies(db);
  const at = now();
  const result = await listQueue(db, { actor: staff, filters, now: at, policy: policies.org, policyFor: policies.of });
  const scope = queueDivisionScope(staff);
  const [categories, divisions, people, reports] = await Promise.all([
    listCategories(db, { activeOnly: false }),
    listDivisions(db, { activeOnly: false }),
    listAssignableStaff(db, scope === undefined ? undefined : scope),
    reportCounts(db),
  ]);
  const statistics = filters.list ? await statisticsFilter(url.searchParams, filters, lang, scope !== undefined) : null;
  return json({
    statistics,
    // Corruption reports are for integrity officers only; everyone else sees how many there are, nothing more.
    reportTotals: { total: reports.total, open: reports.open, closed: reports.total - reports.open },
    restricted: scope !== undefined,
    categories: categories.map((c) => ({ id: c.id, name: nameIn(lang, c) })),
    divisions: divisions.map((d) => ({ id: d.id, name: nameIn(lang, d) })),
    people: people.map((p) => ({ id: p.id, name: p.name })),
    page: result.page,
    hasNext: result.hasNext,
    hasPrev: result.hasPrev,
    rows: result.rows.map((r) => ({
      reference: r.reference,
      subject: r.subject,
      status: r.status,
      category: lang === "en" ? r.category_en : r.category_th,
      village: r.village_number === null ? "" : `${r.village_number} ${(lang === "en" ? r.village_en : r.village_th) ?? ""}`.trim(),
      division: (lang === "en" ? r.division_en : r.division_th) ?? "",
      assignee: r.assignee_name ?? "",
      due: formatThaiDate(new Date(r.due_at), lang, { short: true }),
      deadline: r.deadline,
      explanationOwed: r.explanation_owed === 1,
    })),
  });
}

/** The URL parameters each statistics criterion comes from (removing a chip removes them). */
const CRITERION_PARAMS: Record<CriterionKey | "fy", string[]> = {
  fy: ["fy"],
  dates: ["from", "to", "month"],
  categoryId: ["category"],
  channel: ["channel"],
  divisionId: ["division"],
  villageId: ["village"],
  state: ["state"],
  sla: ["sla"],
  ack: ["ack"],
  topic: ["topic"],
  rated: ["rated"],
};

/**
 * The statistics filter in words, so an officer sees why the queue is filtered: one chip per criterion with a link
 * that removes it, plus the hidden fields that keep the criteria when the filter form is submitted.
 */
async function statisticsFilter(params: URLSearchParams, filters: ReturnType<typeof parseQueueFilters>, lang: "th" | "en", restricted: boolean) {
  const criteria: CaseListCriteria = { ...filters.list };
  if (filters.categoryId !== undefined) criteria.categoryId = filters.categoryId;
  if (filters.divisionId !== undefined) criteria.divisionId = filters.divisionId;
  const names = await criteriaNames(getDb(), criteria, lang);
  const t = tFor(lang, "caselist") as unknown as (k: string, o?: Record<string, unknown>) => string;
  const without = (names: string[]) => {
    const p = new URLSearchParams(params);
    for (const n of [...names, "page"]) p.delete(n);
    const s = p.toString();
    return s ? `/staff?${s}` : "/staff";
  };
  const chips = describeCriteria(criteria, t, lang, names).map((c) => ({ key: c.key, text: c.text, removeHref: without(CRITERION_PARAMS[c.key]) }));
  // Criteria the form has no field for travel as hidden fields (category and a division id have their own selects).
  const hidden: { name: string; value: string }[] = [];
  for (const name of CASE_LIST_PARAMS) {
    if (name === "category" || (name === "division" && !restricted)) continue;
    const v = params.get(name);
    if (v !== null && v !== "") hidden.push({ name, value: v });
  }
  return {
    chips,
    hidden,
    clearHref: without([...CASE_LIST_PARAMS]),
    publicHref: criteria.fy !== undefined ? caseListHref({ ...criteria, fy: criteria.fy }, "public") : null,
  };
}

export default function StaffQueue() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation("staff");
  const tl = useTranslation("caselist").t;
  const [params] = useSearchParams();
  const v = (name: string) => params.get(name) ?? "";
  const pageHref = (page: number) => {
    const p = new URLSearchParams(params);
    p.set("page", String(page));
    return `/staff?${p.toString()}`;
  };
  return (
    <>
      <h1>{t("queue.title")}</h1>
      {data.statistics ? (
        <section className="card" aria-labelledby="stat-filter-title" data-testid="statistics-filter">
          <h2 id="stat-filter-title">{tl("staff.filterTitle")}</h2>
          <p className="hint">{tl("staff.filterIntro")}</p>
          <p data-testid="statistics-chips">
            {data.statistics.chips.map((c) => (
              <span key={c.key} data-key={c.key} className="badge">
                {c.text}{" "}
                <a href={c.removeHref} aria-label={tl("staff.remove", { what: c.text })} title={tl("staff.remove", { what: c.text })}>
                  ×
                </a>{" "}
              </span>
            ))}
          </p>
          <p>
            <a href={data.statistics.clearHref}>{tl("staff.clearAll")}</a>
            {data.statistics.publicHref ? (
              <>
                {" · "}
                <a href={data.statistics.publicHref}>{tl("staff.publicList")}</a>
              </>
            ) : null}
          </p>
        </section>
      ) : null}
      <Form method="get" className="filters no-print" role="search" aria-label={t("queue.filters")}>
        {data.statistics?.hidden.map((h) => <input key={h.name} type="hidden" name={h.name} value={h.value} />)}
        <div className="field">
          <label htmlFor="f-q">{t("queue.q")}</label>
          <input id="f-q" type="search" name="q" defaultValue={v("q")} maxLength={100} aria-describedby="f-q-hint" />
          <span className="hint" id="f-q-hint">
            {t("queue.qHint")}
          </span>
        </div>
        <div className="field">
          <label htmlFor="f-status">{t("queue.status")}</label>
          <select id="f-status" name="status" defaultValue={v("status") || "open"}>
            <option value="open">{t("queue.statusOpen")}</option>
            <option value="all">{t("queue.statusAll")}</option>
            {CASE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-deadline">{t("queue.deadline")}</label>
          <select id="f-deadline" name="deadline" defaultValue={v("deadline")}>
            <option value="">{t("queue.any")}</option>
            {DEADLINE_OPTIONS.map((d) => (
              <option key={d} value={d}>
                {t(`deadlineFilter.${d}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-category">{t("queue.category")}</label>
          <select id="f-category" name="category" defaultValue={v("category")}>
            <option value="">{t("queue.any")}</option>
            {data.categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        {data.restricted ? null : (
          <div className="field">
            <label htmlFor="f-division">{t("queue.division")}</label>
            <select id="f-division" name="division" defaultValue={v("division")}>
              <option value="">{t("queue.any")}</option>
              <option value="none">{tl("describe.noDivision")}</option>
              {data.divisions.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="f-assignee">{t("queue.assignee")}</label>
          <select id="f-assignee" name="assignee" defaultValue={v("assignee")}>
            <option value="">{t("queue.any")}</option>
            <option value="me">{t("queue.assigneeMe")}</option>
            <option value="none">{t("queue.assigneeNone")}</option>
            {data.people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <button type="submit" className="primary">
            {t("queue.apply")}
          </button>{" "}
          <Link to="/staff">{t("queue.reset")}</Link>
        </div>
      </Form>

      {data.rows.length === 0 ? (
        <p className="notice" data-testid="queue-empty">
          {t("queue.empty")}
        </p>
      ) : (
        <div className="table-wrap">
          <table data-testid="queue-table">
            <caption className="visually-hidden">{t("queue.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("queue.colReference")}</th>
                <th scope="col">{t("queue.colSubject")}</th>
                <th scope="col">{t("queue.category")}</th>
                <th scope="col">{t("queue.colVillage")}</th>
                <th scope="col">{t("queue.division")}</th>
                <th scope="col">{t("queue.assignee")}</th>
                <th scope="col">{t("queue.status")}</th>
                <th scope="col">{t("queue.colDue")}</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={r.reference} data-testid="queue-row">
                  <td>
                    {/* A plain link: 25 router-aware <Link>s cost more to render than they save. */}
                    <a href={`/staff/cases/${r.reference}`}>{r.reference}</a>
                  </td>
                  <td>{r.subject}</td>
                  <td>{r.category}</td>
                  <td>{r.village}</td>
                  <td>{r.division || <span className="muted">{t("case.noDivision")}</span>}</td>
                  <td>{r.assignee || <span className="muted">{t("case.unassigned")}</span>}</td>
                  <td>{t(`status.${r.status}`)}</td>
                  <td>
                    {r.due}
                    <br />
                    <DeadlineBadge deadline={r.deadline} />
                    {r.explanationOwed ? (
                      <>
                        <br />
                        <span className="badge overdue" data-testid="explanation-owed">
                          {t("deadline:explanationOwed")}
                        </span>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section className="card muted no-print" aria-labelledby="report-totals-title" data-testid="report-totals">
        <h2 id="report-totals-title">{t("reportTotals.title")}</h2>
        <p>
          {t("reportTotals.line", { total: data.reportTotals.total, open: data.reportTotals.open, closed: data.reportTotals.closed })}
        </p>
        <p className="hint">{t("reportTotals.note")}</p>
      </section>
      <nav className="pager" aria-label={t("queue.pager")}>
        {data.hasPrev ? <Link to={pageHref(data.page - 1)}>{t("queue.prev")}</Link> : null}
        <span>{t("queue.page", { page: data.page })}</span>
        {data.hasNext ? <Link to={pageHref(data.page + 1)}>{t("queue.next")}</Link> : null}
      </nav>
    </>
  );
}

/** The deadline state from deadlineView (app/lib/sla.ts), including "paused" (clock stopped while waiting for info). */
export function DeadlineBadge({ deadline }: { deadline: { state: string; daysLeft: number; daysOverdue: number } }) {
  const { t } = useTranslation("staff");
  if (deadline.state === "paused") {
    return (
      <span className="badge paused" data-testid="deadline-badge" data-state="paused">
        {t("deadline:stateShort.paused", { count: deadline.daysLeft })}
      </span>
    );
  }
  return (
    <span className={`badge ${deadline.state}`} data-testid="deadline-badge" data-state={deadline.state}>
      {t(`deadline.${deadline.state}`, { count: deadline.state === "overdue" || deadline.state === "missed" ? deadline.daysOverdue : deadline.daysLeft })}
    </span>
  );
}
