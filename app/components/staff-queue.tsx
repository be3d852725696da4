/** The table of the staff queue (/staff) and its deadline badge. */
import { StatusName } from "~/components/case-page";
import { useTranslation } from "~/components/i18n";
import { QueueMap } from "~/components/location-map-queue";
import { Link } from "~/components/links";

export type QueueRow = {
  reference: string;
  subject: string;
  status: string;
  category: string | null;
  village: string;
  division: string;
  assignee: string;
  due: string;
  deadline: { state: string; daysLeft: number; daysOverdue: number };
  explanationOwed: boolean;
};

/** The queue rows, or a notice when there are none. */
export function QueueTable({ rows }: { rows: QueueRow[] }) {
  const { t } = useTranslation("staff");
  return (
    <>
      <QueueMap />
      {rows.length === 0 ? (
        <p className="notice" data-testid="queue-empty">
          {t("queue.empty")}
        </p>
      ) : (
        <div className="table-wrap">
          <table data-testid="queue-table" className="queue-table">
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
              {rows.map((r) => (
                <tr key={r.reference} data-testid="queue-row">
                  <td data-label={t("queue.colReference")}>
                    <Link to={`/staff/cases/${r.reference}`}>{r.reference}</Link>
                  </td>
                  <td data-label={t("queue.colSubject")}>{r.subject}</td>
                  <td data-label={t("queue.category")}>{r.category}</td>
                  <td data-label={t("queue.colVillage")}>{r.village}</td>
                  <td data-label={t("queue.division")}>{r.division || <span className="muted">{t("case.noDivision")}</span>}</td>
                  <td data-label={t("queue.assignee")}>{r.assignee || <span className="muted">{t("case.unassigned")}</span>}</td>
                  <td data-label={t("queue.status")}>
                    <span>
                      <StatusName status={r.status} />
                    </span>
                  </td>
                  <td data-label={t("queue.colDue")}>
                    <span>
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
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
      {t(`deadline.${deadline.state}`, {
        count: deadline.state === "overdue" || deadline.state === "missed" ? deadline.daysOverdue : deadline.daysLeft,
      })}
    </span>
  );
}
