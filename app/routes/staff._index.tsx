import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { CASE_STATUSES } from "~/lib/complaint-status";
import { queueDivisionScope } from "~/lib/permissions";
import { formatThaiDate } from "~/lib/thai-date";
import { listCategories, listDivisions, nameIn } from "~/models/organisation/profile.server";
import { listQueue, parseQueueFilters } from "~/models/complaints/queue.server";
import { statisticsFilter } from "~/models/complaints/queue-filter.server";
import { casePolicies } from "~/models/deadlines";
import { reportCounts } from "~/models/report/retention.server";

export const handle = { i18n: ["track", "staff", "notice", "deadline", "satisfaction", "caselist", "map"] };

/** Same values as DEADLINE_FILTERS in queue.server (not importable in browser code). */
const DEADLINE_OPTIONS = ["overdue", "due_soon", "on_track"] as const;
import { listAssignableStaff } from "~/models/staff/staff.server";
import { now } from "~/utils/clock.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { requireStaffState } from "~/utils/session.server";
import { QueueTable } from "~/components/staff-queue";
import { useAppPath } from "~/components/app-path";

export { DeadlineBadge } from "~/components/staff-queue";

export async function loader({ request }: LoaderFunctionArgs) {
  const { staff, statsVersion, directoryVersion } = await requireStaffState(request);
  const db = getDb();
  const lang = getLang(request);
  const url = new URL(request.url);
  const filters = parseQueueFilters(url.searchParams);
  const policies = await casePolicies(db);
  const at = now();
  const scope = queueDivisionScope(staff);
  // Side by side: on PostgreSQL each is a round trip, and none needs another's answer.
  const [result, categories, divisions, people, reports] = await Promise.all([
    listQueue(db, { actor: staff, filters, now: at, policy: policies.org, policyFor: policies.of }),
    listCategories(db, { activeOnly: false }),
    listDivisions(db, { activeOnly: false }),
    listAssignableStaff(db, scope === undefined ? undefined : scope, { directoryVersion }),
    reportCounts(db, { statsVersion }),
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

export default function StaffQueue() {
  const appHref = useAppPath();
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
                <a
                  href={appHref(c.removeHref)}
                  aria-label={tl("staff.remove", { what: c.text })}
                  title={tl("staff.remove", { what: c.text })}
                >
                  ×
                </a>{" "}
              </span>
            ))}
          </p>
          <p>
            <a href={appHref(data.statistics.clearHref)}>{tl("staff.clearAll")}</a>
            {data.statistics.publicHref ? (
              <>
                {" · "}
                <a href={appHref(data.statistics.publicHref)}>{tl("staff.publicList")}</a>
              </>
            ) : null}
          </p>
        </section>
      ) : null}
      <Form method="get" className="filters no-print" role="search" aria-label={t("queue.filters")}>
        {data.statistics?.hidden.map((h) => (
          <input key={h.name} type="hidden" name={h.name} value={h.value} />
        ))}
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

      <QueueTable rows={data.rows} />
      <section className="card muted no-print" aria-labelledby="report-totals-title" data-testid="report-totals">
        <h2 id="report-totals-title">{t("reportTotals.title")}</h2>
        <p>{t("reportTotals.line", { total: data.reportTotals.total, open: data.reportTotals.open, closed: data.reportTotals.closed })}</p>
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
