/**
 * The read-only parts of the officer's case page: the facts, the complainant's contact details, attachments, the
 * complainant's satisfaction answer, the notices sent and the history. The data comes shaped for display from
 * caseWorkspace (app/models/complaints/workspace.server.ts).
 */
import { useTranslation } from "~/components/i18n";
import type { CaseWorkspace } from "~/models/complaints/workspace.server";
import { CaseMapFacts } from "~/components/location-map-case";
import { useAppPath } from "~/components/app-path";

type View = CaseWorkspace;

function DeadlineBadge({ deadline }: { deadline: View["c"]["deadline"] }) {
  const { t } = useTranslation("staff");
  const tn = useTranslation("notice").t;
  if (deadline.state === "paused") {
    return (
      <span className="badge paused" data-testid="deadline-badge" data-state="paused">
        {tn("case.deadlinePaused")}
      </span>
    );
  }
  const late = deadline.state === "overdue" || deadline.state === "missed";
  return (
    <span className={`badge ${deadline.state}`} data-testid="deadline-badge" data-state={deadline.state}>
      {t(`deadline.${deadline.state}`, { count: late ? deadline.daysOverdue : deadline.daysLeft })}
    </span>
  );
}

/**
 * A status by its name: staff and citizens share one vocabulary (the citizen's words on /track); where the staff
 * wording differs, the citizen's is shown beside it so the officer knows what the citizen reads.
 */
export function StatusName({ status }: { status: string }) {
  const { t } = useTranslation("staff");
  const tt = useTranslation("track").t;
  const own = t(`status.${status}`);
  const citizen = tt(`status.${status}`);
  return (
    <>
      {own}
      {citizen !== own ? <span className="citizen-status"> ({t("panel.citizenSees", { status: citizen })})</span> : null}
    </>
  );
}

/** A term and its value, left out when there is no value. */
function Fact({ term, children, className }: { term: string; children: React.ReactNode; className?: string }) {
  if (children === null || children === undefined || children === "") return null;
  return (
    <>
      <dt>{term}</dt>
      <dd className={className}>{children}</dd>
    </>
  );
}

export function CaseFacts({ c }: { c: View["c"] }) {
  const { t } = useTranslation("staff");
  const td = useTranslation("deadline").t;
  return (
    <section className="card" aria-labelledby="facts-title">
      <h2 id="facts-title">{t("case.facts")}</h2>
      <dl className="facts">
        <dt>{t("queue.status")}</dt>
        <dd data-testid="case-status">
          <StatusName status={c.status} />
        </dd>
        <dt>{t("case.dueAt")}</dt>
        <dd>
          {c.dueAt} <DeadlineBadge deadline={c.deadline} />
          <details className="clock-rules">
            <summary>{td("clockRulesTitle")}</summary>
            <p className="hint">{td("clockRules")}</p>
          </details>
        </dd>
        <dt>{t("case.receivedAt")}</dt>
        <dd>
          {c.receivedAt} · {t(`channels.${c.channel}`)}
        </dd>
        <Fact term={t("case.acceptedAt")}>{c.acceptedAt}</Fact>
        <Fact term={t("case.closedAt")}>{c.closedAt}</Fact>
        <dt>{t("queue.category")}</dt>
        <dd>{c.category}</dd>
        <dt>{t("queue.division")}</dt>
        <dd data-testid="case-division">{c.division || t("case.noDivision")}</dd>
        <dt>{t("queue.assignee")}</dt>
        <dd data-testid="case-assignee">{c.assignee || t("case.unassigned")}</dd>
        <dt>{t("queue.colVillage")}</dt>
        <dd>{c.village}</dd>
        <Fact term={t("case.landmark")}>{c.landmark}</Fact>
        {c.latitude !== null && c.longitude !== null ? (
          <Fact term={t("case.location")}>
            <a
              href={`https://www.openstreetmap.org/?mlat=${c.latitude}&mlon=${c.longitude}#map=18/${c.latitude}/${c.longitude}`}
              rel="noreferrer noopener"
              target="_blank"
            >
              {c.latitude.toFixed(5)}, {c.longitude.toFixed(5)}
            </a>
          </Fact>
        ) : null}
        <CaseMapFacts latitude={c.latitude} longitude={c.longitude} meToo={c.meToo} />
        <Fact term={t("case.recordedBy")}>{c.recordedBy}</Fact>
        <Fact term={t("case.resultSummary")} className="pre-wrap">
          {c.resultSummary}
        </Fact>
        <Fact term={t("case.forwardedTo")}>{c.forwardedTo}</Fact>
      </dl>
      <h3>{t("case.details")}</h3>
      <p className="pre-wrap" data-testid="case-details">
        {c.details}
      </p>
    </section>
  );
}

export function CaseContact({ c }: { c: View["c"] }) {
  const { t } = useTranslation("staff");
  return (
    <section className="card" aria-labelledby="contact-title">
      <h2 id="contact-title">{t("case.contact")}</h2>
      {c.contactName || c.contactPhone || c.contactEmail || c.contactAddress ? (
        <dl className="facts">
          <dt>{t("case.contactName")}</dt>
          <dd>{c.contactName || "—"}</dd>
          <dt>{t("case.contactPhone")}</dt>
          <dd>{c.contactPhone ? <a href={`tel:${c.contactPhone}`}>{c.contactPhone}</a> : "—"}</dd>
          <dt>{t("case.contactEmail")}</dt>
          <dd>{c.contactEmail || "—"}</dd>
          <dt>{t("case.contactAddress")}</dt>
          <dd className="pre-wrap">{c.contactAddress || "—"}</dd>
          <dt>{t("case.preferredContact")}</dt>
          <dd>{t(`preferred.${c.preferredContact}`)}</dd>
        </dl>
      ) : (
        <p className="muted">{t("case.anonymous")}</p>
      )}
    </section>
  );
}

export function CaseAttachments({ reference, attachments }: { reference: string; attachments: View["attachments"] }) {
  const appHref = useAppPath();
  const { t } = useTranslation("staff");
  if (attachments.length === 0) return null;
  return (
    <section className="card" aria-labelledby="files-title">
      <h2 id="files-title">{t("case.attachments")}</h2>
      <ul className="thumbs">
        {attachments.map((a) => {
          const href = `/staff/cases/${reference}/attachments/${a.id}`;
          return (
            <li key={a.id}>
              {a.mime.startsWith("image/") ? (
                <a href={appHref(href)} target="_blank" rel="noreferrer">
                  <img src={appHref(href)} alt={a.name || t("case.image")} loading="lazy" />
                </a>
              ) : (
                <a href={appHref(href)} download>
                  {a.name || "file.pdf"} ({Math.ceil(a.size / 1024)} KB)
                </a>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The complainant's satisfaction answer, read-only (shown once the case has been rated). */
export function CaseRatingSection({ rating }: { rating: NonNullable<View["rating"]> }) {
  const { t } = useTranslation("satisfaction");
  return (
    <section className="card" aria-labelledby="rating-title" data-testid="case-rating" data-score={rating.score}>
      <h2 id="rating-title">{t("staff.case.title")}</h2>
      <p className="hint">{t("staff.case.intro")}</p>
      <dl className="facts">
        <dt>{t("staff.case.score")}</dt>
        <dd data-testid="case-rating-score">
          <strong>{t("staff.scoreOf", { score: rating.score, label: t(`scale.${rating.score}`) })}</strong>
        </dd>
        {rating.comment ? (
          <>
            <dt>{t("staff.case.comment")}</dt>
            <dd className="pre-line" data-testid="case-rating-comment">
              {rating.comment}
            </dd>
          </>
        ) : null}
        <dt>{t("staff.case.givenAt")}</dt>
        <dd data-testid="case-rating-given">{rating.givenAt}</dd>
        {rating.changedAt ? (
          <>
            <dt>{t("staff.case.changedAt")}</dt>
            <dd data-testid="case-rating-changed">{rating.changedAt}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

/** The notices sent to the complainant, each with a link to its printable letter. */
export function NoticeList({ reference, notices }: { reference: string; notices: View["notices"] }) {
  const appHref = useAppPath();
  const tn = useTranslation("notice").t;
  if (notices.length === 0) return <p className="muted">{tn("case.noNotices")}</p>;
  return (
    <ol className="timeline" data-testid="notices">
      {notices.map((n) => (
        <li key={n.id} data-kind={n.kind}>
          <time>{n.at}</time> <strong>{tn(`kinds.${n.kind}`)}</strong> · {tn(`methods.${n.method}`)}
          <span className="muted"> · {n.by ? tn("case.sentBy", { name: n.by }) : tn("case.system")}</span>
          {n.expectedAt ? (
            <span>
              {" "}
              · {tn("case.expectedLabel")} {n.expectedAt}
            </span>
          ) : null}
          <p className="pre-wrap">{n.body}</p>
          <a className="no-print" href={appHref(`/staff/cases/${reference}/letter/${n.id}`)}>
            {tn("case.printLetter")}
          </a>
        </li>
      ))}
    </ol>
  );
}

export function CaseHistory({ events }: { events: View["events"] }) {
  const { t } = useTranslation("staff");
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{t("case.history")}</h2>
      <ol className="timeline" data-testid="timeline">
        {events.map((e) => (
          <li key={e.id} className={e.isPublic ? "event-public" : "event-internal"} data-kind={e.kind}>
            <time>{e.at}</time>
            <strong>
              {e.kind === "status" && e.to
                ? t("history.status", { from: e.from ? t(`status.${e.from}`) : "", to: t(`status.${e.to}`) })
                : e.kind === "assign"
                  ? t("history.assign", { division: e.division || t("case.noDivision"), person: e.assignee || t("case.unassigned") })
                  : t(`history.${e.kind}`)}
            </strong>{" "}
            {e.isPublic ? (
              <span className="badge public">{t("history.public")}</span>
            ) : (
              <span className="badge internal">{t("history.internal")}</span>
            )}
            {e.actor ? <span className="muted"> · {e.actor}</span> : null}
            {e.note ? <p className="pre-wrap">{e.note}</p> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
