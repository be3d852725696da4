/** Supervisor board: deadline states of open cases, overdue by division and assignee, explanations owed, late acknowledgements. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { fiscalYearText } from "~/lib/fiscal-year";
import { formatThaiDate } from "~/lib/thai-date";
import { deadlineBoard } from "~/models/deadlines/board.server";
import { BOARD_STATES } from "~/models/deadlines/due-dates";
import { nameIn } from "~/models/organisation/profile.server";
import { now } from "~/utils/clock.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["notice"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  if (!["admin", "supervisor", "executive"].includes(staff.role)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  const lang = getLang(request);
  const b = await deadlineBoard(getDb(), now());
  const date = (iso: string | null) => (iso ? formatThaiDate(new Date(iso), lang, { short: true }) : "");
  return json({
    counts: b.counts,
    byDivision: b.byDivision.map((d) => ({ name: d.name_th ? nameIn(lang, d) : "", count: d.count })),
    byAssignee: b.byAssignee,
    owed: b.owed.map((o) => ({
      reference: o.reference,
      due: date(o.dueAt),
      daysOverdue: o.daysOverdue,
      division: o.division_th ? nameIn(lang, { name_th: o.division_th, name_en: o.division_en }) : "",
      assignee: o.assignee,
    })),
    owedCount: b.owedCount,
    ackLate: b.ackLate.map((a) => ({ reference: a.reference, ackDue: date(a.ack_due_at), acknowledged: date(a.acknowledged_at) })),
    ackLateCount: b.ackLateCount,
    year: fiscalYearText(b.fiscalYear, lang),
    met: b.met,
    missed: b.missed,
  });
}

export default function Board() {
  const d = useLoaderData<typeof loader>();
  const { t } = useTranslation("notice");
  return (
    <>
      <h1>{t("board.title")}</h1>
      <section className="card" aria-labelledby="b-states">
        <h2 id="b-states">{t("board.byState")}</h2>
        <div className="table-wrap">
          <table data-testid="board-states">
            <thead>
              <tr>
                <th scope="col">{t("board.state")}</th>
                <th scope="col">{t("board.count")}</th>
              </tr>
            </thead>
            <tbody>
              {BOARD_STATES.map((s) => (
                <tr key={s} data-state={s}>
                  <td>
                    <span className={`badge ${s}`}>{t(`board.states.${s}`)}</span>
                  </td>
                  <td>
                    {s === "paused" ? d.counts[s] : <Link to={`/staff?deadline=${s === "due_today" ? "due_soon" : s}`}>{d.counts[s]}</Link>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p data-testid="board-closed-year">{t("board.closedThisYear", { year: d.year, met: d.met, missed: d.missed })}</p>
      </section>

      <section className="card" aria-labelledby="b-owed">
        <h2 id="b-owed">{t("board.explanationsOwed", { count: d.owedCount })}</h2>
        {d.owed.length === 0 ? (
          <p className="muted">{t("board.none")}</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="board-owed">
              <thead>
                <tr>
                  <th scope="col">{t("board.reference")}</th>
                  <th scope="col">{t("board.due")}</th>
                  <th scope="col">{t("board.daysOverdue")}</th>
                  <th scope="col">{t("board.division")}</th>
                  <th scope="col">{t("board.assignee")}</th>
                </tr>
              </thead>
              <tbody>
                {d.owed.map((o) => (
                  <tr key={o.reference}>
                    <td>
                      <Link to={`/staff/cases/${o.reference}`}>{o.reference}</Link>
                    </td>
                    <td>{o.due}</td>
                    <td>{o.daysOverdue}</td>
                    <td>{o.division || t("board.noDivision")}</td>
                    <td>{o.assignee || t("board.unassigned")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <div className="actions-grid">
        <section className="card" aria-labelledby="b-div">
          <h2 id="b-div">{t("board.overdueByDivision")}</h2>
          {d.byDivision.length === 0 ? (
            <p className="muted">{t("board.none")}</p>
          ) : (
            <table data-testid="board-by-division">
              <tbody>
                {d.byDivision.map((x, i) => (
                  <tr key={i}>
                    <td>{x.name || t("board.noDivision")}</td>
                    <td>{x.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card" aria-labelledby="b-ass">
          <h2 id="b-ass">{t("board.overdueByAssignee")}</h2>
          {d.byAssignee.length === 0 ? (
            <p className="muted">{t("board.none")}</p>
          ) : (
            <table data-testid="board-by-assignee">
              <tbody>
                {d.byAssignee.map((x, i) => (
                  <tr key={i}>
                    <td>{x.name || t("board.unassigned")}</td>
                    <td>{x.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="b-ack">
        <h2 id="b-ack">{t("board.acksLate", { count: d.ackLateCount })}</h2>
        {d.ackLate.length === 0 ? (
          <p className="muted">{t("board.none")}</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="board-ack-late">
              <thead>
                <tr>
                  <th scope="col">{t("board.reference")}</th>
                  <th scope="col">{t("board.ackDue")}</th>
                  <th scope="col">{t("kinds.acknowledgement")}</th>
                </tr>
              </thead>
              <tbody>
                {d.ackLate.map((a) => (
                  <tr key={a.reference}>
                    <td>
                      <Link to={`/staff/cases/${a.reference}`}>{a.reference}</Link>
                    </td>
                    <td>{a.ackDue}</td>
                    <td>{a.acknowledged || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
