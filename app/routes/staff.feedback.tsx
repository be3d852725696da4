/**
 * /staff/feedback — the counter-service satisfaction answers (the /feedback form, plan measure 17): totals per score
 * for one fiscal year (default: the current one), then the answers themselves, newest first, 50 per page. For those
 * who run the counter or answer for the service: admins, supervisors, executives and intake staff (never officers or
 * integrity officers). Plain GET form and links; nothing here needs JavaScript.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { tFor } from "~/i18n";
import { fiscalYearOf } from "~/lib/fiscal-year";
import { canReadCounterFeedback } from "~/lib/permissions";
import { isCounterService, SATISFIED_MIN } from "~/lib/satisfaction";
import { formatThaiDate } from "~/lib/thai-date";
import { counterFeedbackYears, listCounterFeedback } from "~/models/complaints/satisfaction.server";
import { now } from "~/utils/clock.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";
import { useAppPath } from "~/components/app-path";

export const handle = { i18n: ["satisfaction"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: tFor(data?.lang ?? "th", "satisfaction")("staff.metaTitle") },
  { name: "robots", content: "noindex, nofollow" },
];

const NO_STORE = { "Cache-Control": "no-store" };

function badRequest(messageKey: string): never {
  throw json({ messageKey }, { status: 400, headers: NO_STORE });
}

/** ?fy= (4-digit BE year, not before 2500 nor after next year; default the current one) and ?page= (1, 2, …). */
function parseQuery(url: URL, currentFy: number): { fy: number; page: number } {
  const fyRaw = (url.searchParams.get("fy") ?? "").trim();
  let fy = currentFy;
  if (fyRaw !== "") {
    if (!/^\d{4}$/.test(fyRaw)) badRequest("satisfaction:staff.errors.fiscalYear");
    fy = Number(fyRaw);
    if (fy < 2500 || fy > currentFy + 1) badRequest("satisfaction:staff.errors.fiscalYear");
  }
  const pageRaw = (url.searchParams.get("page") ?? "").trim();
  let page = 1;
  if (pageRaw !== "") {
    if (!/^[1-9]\d{0,5}$/.test(pageRaw)) badRequest("satisfaction:staff.errors.page");
    page = Number(pageRaw);
  }
  return { fy, page };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  if (!canReadCounterFeedback(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403, headers: NO_STORE });
  const lang = getLang(request);
  const db = getDb();
  const currentFy = fiscalYearOf(now());
  const { fy, page } = parseQuery(new URL(request.url), currentFy);
  const [years, list] = await Promise.all([counterFeedbackYears(db, currentFy), listCounterFeedback(db, { fiscalYear: fy, page })]);
  const satisfied = list.byScore.filter((s) => s.score >= SATISFIED_MIN).reduce((sum, s) => sum + s.n, 0);
  const href = (p: number) => `/staff/feedback?fy=${fy}${p > 1 ? `&page=${p}` : ""}`;
  const first = list.total === 0 ? 0 : (list.page - 1) * list.pageSize + 1;
  return json(
    {
      lang,
      fy,
      years: years.includes(fy) ? years : [...years, fy].sort((a, b) => b - a),
      byScore: list.byScore,
      total: list.total,
      satisfied,
      percent: list.total > 0 ? ((satisfied * 100) / list.total).toFixed(1) : null,
      page: list.page,
      pageCount: list.pageCount,
      first,
      last: first === 0 ? 0 : first + list.rows.length - 1,
      prevHref: list.page > 1 ? href(list.page - 1) : null,
      nextHref: list.page < list.pageCount ? href(list.page + 1) : null,
      rows: list.rows.map((r) => ({
        id: r.id,
        at: formatThaiDate(new Date(r.createdAt), lang, { withTime: true, short: true }),
        service: isCounterService(r.service) ? r.service : null,
        rawService: r.service,
        score: r.score,
        comment: r.comment,
      })),
    },
    { headers: NO_STORE },
  );
}

export default function StaffFeedback() {
  const appHref = useAppPath();
  const d = useLoaderData<typeof loader>();
  const { t } = useTranslation("satisfaction");
  const scoreLabel = (score: number) => t("scaleOption", { score, label: t(`scale.${score}`) });
  return (
    <>
      <h1>{t("staff.title")}</h1>
      <p className="hint">{t("staff.intro")}</p>
      <p className="no-print">
        <a href={appHref("/feedback/poster")} target="_blank" rel="noopener">
          {t("staff.posterLink")}
        </a>
      </p>

      <Form method="get" className="filters no-print" data-testid="feedback-fy-form">
        <div className="field">
          <label htmlFor="f-fy">{t("staff.fyLabel")}</label>
          <select id="f-fy" name="fy" defaultValue={String(d.fy)} key={d.fy}>
            {d.years.map((y) => (
              <option key={y} value={String(y)}>
                {t("staff.fyOption", { fy: y })}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <button type="submit" className="button secondary">
            {t("staff.show")}
          </button>
        </div>
      </Form>

      <section className="card" aria-labelledby="fb-totals-title">
        <h2 id="fb-totals-title">{t("staff.totalsTitle", { fy: d.fy })}</h2>
        <div className="table-wrap">
          <table data-testid="feedback-totals">
            <caption className="visually-hidden">{t("staff.totalsCaption", { fy: d.fy })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("staff.level")}</th>
                <th scope="col">{t("staff.answers")}</th>
              </tr>
            </thead>
            <tbody>
              {[...d.byScore].reverse().map((s) => (
                <tr key={s.score} data-score={s.score}>
                  <th scope="row">{scoreLabel(s.score)}</th>
                  <td data-testid={`feedback-total-${s.score}`}>{s.n.toLocaleString("en-US")}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t("staff.total")}</th>
                <td data-testid="feedback-total">{d.total.toLocaleString("en-US")}</td>
              </tr>
            </tfoot>
          </table>
        </div>
        {d.percent !== null ? (
          <p data-testid="feedback-satisfied">
            {t("staff.satisfied", {
              satisfied: d.satisfied.toLocaleString("en-US"),
              total: d.total.toLocaleString("en-US"),
              percent: d.percent,
            })}
          </p>
        ) : null}
      </section>

      <section aria-labelledby="fb-list-title">
        <h2 id="fb-list-title">{t("staff.listTitle")}</h2>
        {d.rows.length === 0 ? (
          <p className="muted" data-testid="feedback-empty">
            {t("staff.empty")}
          </p>
        ) : (
          <>
            <p data-testid="feedback-showing">
              {t("staff.showing", { first: d.first, last: d.last, total: d.total.toLocaleString("en-US") })}
            </p>
            <div className="table-wrap">
              <table data-testid="feedback-list">
                <caption className="visually-hidden">{t("staff.listCaption", { fy: d.fy, page: d.page, pages: d.pageCount })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("staff.colDate")}</th>
                    <th scope="col">{t("staff.colService")}</th>
                    <th scope="col">{t("staff.colScore")}</th>
                    <th scope="col">{t("staff.colComment")}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.rows.map((r) => (
                    <tr key={r.id} data-testid="feedback-row" data-score={r.score} data-service={r.rawService}>
                      <td>{r.at}</td>
                      <td>{r.service ? t(`services.${r.service}`) : r.rawService}</td>
                      <td>{scoreLabel(r.score)}</td>
                      <td className="pre-line">{r.comment || <span className="muted">{t("staff.noComment")}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        {d.pageCount > 1 ? (
          <nav className="pager" aria-label={t("staff.pager")} data-testid="feedback-pager">
            {d.prevHref ? (
              <Link to={d.prevHref} rel="prev">
                ← {t("staff.prev")}
              </Link>
            ) : null}
            <span>{t("staff.page", { page: d.page, pages: d.pageCount })}</span>
            {d.nextHref ? (
              <Link to={d.nextHref} rel="next">
                {t("staff.next")} →
              </Link>
            ) : null}
          </nav>
        ) : null}
      </section>
    </>
  );
}
