/**
 * /staff/integrity — the integrity officer's queue: the corruption and misconduct reports whose key they hold (their
 * keys must be unlocked in this session). No content here: number, date received, status, tags and two
 * deadlines — the acknowledgement (ack_days after receipt, until the first status change or message) and the next
 * feedback to the reporter (feedback_days after the last one, while the report is open).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { isReportStatus, isReportTag, REPORT_STATUSES, REPORT_TAGS } from "~/lib/report-status";
import { addDays, deadlineStatus } from "~/models/deadlines";
import { formatThaiDate, formatThaiDateKey } from "~/lib/thai-date";
import { getIntegritySettings } from "~/models/report/integrity-settings.server";
import { listReportsFor } from "~/models/report/casework.server";
import { publicKeyFingerprint } from "~/models/report/crypto.server";
import { now } from "~/utils/clock.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { requireReportAccess } from "~/utils/report-access.server";
import { useAppPath } from "~/components/app-path";

export const handle = { i18n: ["staff", "integrity"] };

export const meta: MetaFunction = () => [
  { title: "สุจริต · เรื่องร้องเรียนการทุจริต / Corruption reports" },
  { name: "robots", content: "noindex, nofollow" },
];

const DUE_SOON_DAYS = 2;

export async function loader({ request }: LoaderFunctionArgs) {
  const access = await requireReportAccess(request);
  const db = getDb();
  const lang = getLang(request);
  const url = new URL(request.url);
  const statusRaw = url.searchParams.get("status") ?? "open";
  const status = statusRaw === "all" || statusRaw === "open" || isReportStatus(statusRaw) ? statusRaw : "open";
  const tagRaw = url.searchParams.get("tag") ?? "";
  const tag = isReportTag(tagRaw) ? tagRaw : undefined;
  const pageRaw = Number(url.searchParams.get("page") ?? "1");
  const page = Number.isInteger(pageRaw) && pageRaw >= 1 && pageRaw <= 10_000 ? pageRaw : 1;
  const [list, settings] = await Promise.all([listReportsFor(db, access, { status, tag, page, pageSize: 50 }), getIntegritySettings(db)]);
  const at = now();
  const policy = { dueSoonDays: DUE_SOON_DAYS };
  const recoveryLeftRaw = url.searchParams.get("recoveryLeft");
  return json(
    {
      status,
      tag: tag ?? "",
      page: list.page,
      total: list.total,
      hasNext: list.page * list.pageSize < list.total,
      fingerprint: publicKeyFingerprint(access.keys.keys.publicKey),
      recoveryLeft: recoveryLeftRaw !== null && /^\d{1,2}$/.test(recoveryLeftRaw) ? Number(recoveryLeftRaw) : null,
      feedbackDays: settings.feedback_days,
      ackDays: settings.ack_days,
      rows: list.items.map((r) => {
        const closed = r.status === "closed";
        // Acknowledgement: until the first officer action (status change or message) sets last_feedback_at.
        const ack = r.lastFeedbackAt
          ? null
          : deadlineStatus({ dueAt: new Date(r.ackDueAt), now: at, closedAt: closed && r.closedAt ? new Date(r.closedAt) : null, policy });
        const feedbackDue =
          r.lastFeedbackAt && !closed ? addDays(new Date(r.lastFeedbackAt), settings.feedback_days, { mode: "calendar" }) : null;
        const feedback = feedbackDue ? deadlineStatus({ dueAt: feedbackDue, now: at, policy }) : null;
        return {
          publicId: r.publicId,
          received: formatThaiDateKey(r.receivedAt.slice(0, 10), lang, { short: true }),
          status: r.status,
          finding: r.finding,
          referredTo: r.referredTo,
          tags: r.tags,
          unread: r.unread,
          ack: ack ? { ...ack, due: formatThaiDate(new Date(r.ackDueAt), lang, { short: true }) } : null,
          lastFeedback: r.lastFeedbackAt ? formatThaiDate(new Date(r.lastFeedbackAt), lang, { short: true }) : null,
          feedback: feedback && feedbackDue ? { ...feedback, due: formatThaiDate(feedbackDue, lang, { short: true }) } : null,
        };
      }),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function IntegrityQueue() {
  const appHref = useAppPath();
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation("integrity");
  const ts = useTranslation("staff").t;
  const [params] = useSearchParams();
  const pageHref = (page: number) => {
    const p = new URLSearchParams(params);
    p.delete("recoveryLeft");
    p.set("page", String(page));
    return `/staff/integrity?${p.toString()}`;
  };
  return (
    <>
      <h1>{t("queue.title")}</h1>
      {data.recoveryLeft !== null ? (
        <p className={`notice ${data.recoveryLeft <= 3 ? "warning" : ""}`} role="status" data-testid="recovery-left">
          {t("queue.recoveryUsed", { count: data.recoveryLeft })}
        </p>
      ) : null}
      <p className="hint">{t("queue.intro", { ackDays: data.ackDays, feedbackDays: data.feedbackDays })}</p>
      <p className="hint" data-testid="own-fingerprint">
        {t("keys.ownFingerprint")}{" "}
        <code lang="en" translate="no">
          {data.fingerprint}
        </code>
      </p>
      <Form method="get" className="filters no-print" role="search" aria-label={t("queue.filters")}>
        <div className="field">
          <label htmlFor="f-status">{t("queue.status")}</label>
          <select id="f-status" name="status" defaultValue={data.status}>
            <option value="open">{t("queue.statusOpen")}</option>
            <option value="all">{t("queue.statusAll")}</option>
            {REPORT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-tag">{t("queue.tag")}</label>
          <select id="f-tag" name="tag" defaultValue={data.tag}>
            <option value="">{t("queue.any")}</option>
            {REPORT_TAGS.map((g) => (
              <option key={g} value={g}>
                {t(`tags.${g}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <button type="submit" className="primary">
            {t("queue.apply")}
          </button>
        </div>
      </Form>
      {data.rows.length === 0 ? (
        <p className="notice" data-testid="reports-empty">
          {t("queue.empty")}
        </p>
      ) : (
        <div className="table-wrap">
          <table data-testid="reports-table">
            <caption className="visually-hidden">{t("queue.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("queue.colNumber")}</th>
                <th scope="col">{t("queue.colReceived")}</th>
                <th scope="col">{t("queue.status")}</th>
                <th scope="col">{t("queue.colTags")}</th>
                <th scope="col">{t("queue.colDeadlines")}</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={r.publicId} data-testid="report-row">
                  <td>
                    <a href={appHref(`/staff/integrity/reports/${r.publicId}`)}>{r.publicId}</a>
                    {r.unread > 0 ? (
                      <>
                        {" "}
                        <span className="badge due_soon" data-testid="unread">
                          {t("queue.unread", { count: r.unread })}
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td>{r.received}</td>
                  <td>
                    {t(`status.${r.status}`)}
                    {r.finding ? <span className="muted"> · {t(`finding.${r.finding}`)}</span> : null}
                    {r.referredTo ? <span className="muted"> · {t(`referral.${r.referredTo}`)}</span> : null}
                  </td>
                  <td>{r.tags.length ? r.tags.map((g) => t(`tags.${g}`)).join(", ") : <span className="muted">–</span>}</td>
                  <td>
                    {r.ack ? (
                      <span>
                        {t("queue.ackDue", { date: r.ack.due })}{" "}
                        <span className={`badge ${r.ack.state}`} data-testid="ack-badge">
                          {ts(`deadline.${r.ack.state}`, {
                            count: r.ack.state === "overdue" || r.ack.state === "missed" ? r.ack.daysOverdue : r.ack.daysLeft,
                          })}
                        </span>
                      </span>
                    ) : null}
                    {r.lastFeedback ? <span className="muted">{t("queue.lastFeedback", { date: r.lastFeedback })}</span> : null}
                    {r.feedback ? (
                      <>
                        <br />
                        {t("queue.feedbackDue", { date: r.feedback.due })}{" "}
                        <span className={`badge ${r.feedback.state}`} data-testid="feedback-badge">
                          {ts(`deadline.${r.feedback.state}`, {
                            count: r.feedback.state === "overdue" ? r.feedback.daysOverdue : r.feedback.daysLeft,
                          })}
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
      <nav className="pager" aria-label={t("queue.pager")}>
        {data.page > 1 ? <a href={appHref(pageHref(data.page - 1))}>{ts("queue.prev")}</a> : null}
        <span>{ts("queue.page", { page: data.page })}</span>
        {data.hasNext ? <a href={appHref(pageHref(data.page + 1))}>{ts("queue.next")}</a> : null}
      </nav>
    </>
  );
}
