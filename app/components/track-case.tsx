/** The case-tracking result page (/track): the case summary, public notices and timeline, and the shared types. */
import type { ReactNode } from "react";
import { useTranslation } from "~/components/i18n";
import type { PublicTimelineItem } from "~/models/complaints/filing.server";
import type { DeadlineViewState } from "~/models/deadlines";
import type { PublicNotice } from "~/models/notices/notices.server";
import type { CaseRatingView } from "~/models/complaints/satisfaction.server";
import { formatThaiDate } from "~/lib/thai-date";
import type { CaseStatus } from "~/lib/complaint-status";
import type { Lang } from "~/i18n";

export interface FoundCase {
  reference: string;
  status: CaseStatus;
  stage: "received" | "in_progress" | "done";
  subject: string;
  category: string;
  division: string;
  receivedAt: string;
  dueAt: string;
  deadline: { state: DeadlineViewState; daysLeft: number; daysOverdue: number };
  expectedAt: string | null;
  notices: PublicNotice[];
  resultSummary: string;
  forwardedTo: string;
  timeline: PublicTimelineItem[];
}

export interface RatingState {
  open: boolean;
  rating: CaseRatingView | null;
}

export interface RatingFormState {
  formError: string | null;
  errors: Record<string, string>;
  values: { score: string; comment: string };
}

export type TrackActionData =
  | {
      status: "ok";
      found: FoundCase;
      /** What the citizen typed, re-sent as hidden fields by the rating form. */
      credentials: { reference: string; code: string };
      rating: RatingState;
      /** Set when a rating post was refused. */
      ratingForm?: RatingFormState;
      /** Set when a rating post was saved. */
      ratingSaved?: boolean;
    }
  | { status: "error"; formError: string | null; errors: Record<string, string>; values: { reference: string; code: string } };

export const MAX_INPUT = 64;

function deadlineLabel(t: (k: string, o?: Record<string, unknown>) => string, d: FoundCase["deadline"], tn: (k: string) => string): string {
  switch (d.state) {
    case "paused":
      return tn("track.paused");
    case "on_track":
      return t("deadline.on_track", { count: d.daysLeft });
    case "due_soon":
      return t("deadline.due_soon", { count: d.daysLeft });
    case "due_today":
      return t("deadline.due_today");
    case "overdue":
      return t("deadline.overdue", { count: d.daysOverdue });
    case "met":
      return t("deadline.met");
    case "missed":
      return t("deadline.missed", { count: d.daysOverdue });
  }
}

const STAGES = ["received", "in_progress", "done"] as const;

export function CaseView({ found, lang, children }: { found: FoundCase; lang: Lang; children?: ReactNode }) {
  const { t } = useTranslation("track");
  const tn = useTranslation("notice").t;
  const stageIndex = STAGES.indexOf(found.stage);
  return (
    <>
      <section className="card case-summary" aria-labelledby="case-title">
        <h2 id="case-title">
          {t("reference")} <span className="code-small">{found.reference}</span>
        </h2>
        <p className="case-status-line">
          {t("currentStatus")}:{" "}
          <strong data-testid="case-status" data-status={found.status}>
            {t(`status.${found.status}`)}
          </strong>
        </p>
        <ol className="stages" aria-label={t("stagesLabel")}>
          {STAGES.map((s, i) => (
            <li
              key={s}
              className={i < stageIndex ? "past" : i === stageIndex ? "current" : "future"}
              aria-current={i === stageIndex ? "step" : undefined}
            >
              {t(`stage.${s}`)}
            </li>
          ))}
        </ol>
        <dl className="facts">
          <dt>{t("subject")}</dt>
          <dd>{found.subject}</dd>
          {found.category ? (
            <>
              <dt>{t("category")}</dt>
              <dd>{found.category}</dd>
            </>
          ) : null}
          <dt>{t("received")}</dt>
          <dd>{formatThaiDate(new Date(found.receivedAt), lang, { withTime: true })}</dd>
          <dt>{t("division")}</dt>
          <dd data-testid="case-division">{found.division || t("divisionPending")}</dd>
          <dt>{t("due")}</dt>
          <dd>
            <span data-testid="case-due">{formatThaiDate(new Date(found.dueAt), lang)}</span>{" "}
            <span className={`badge ${found.deadline.state}`} data-testid="deadline-state" data-state={found.deadline.state}>
              {deadlineLabel(t, found.deadline, tn)}
            </span>
          </dd>
          {found.expectedAt ? (
            <>
              <dt>{tn("track.expected")}</dt>
              <dd data-testid="expected-date">{formatThaiDate(new Date(found.expectedAt), lang)}</dd>
            </>
          ) : null}
        </dl>
        {found.status === "waiting_info" ? <p className="warning">{t("waitingInfo")}</p> : null}
        {found.status === "resolved" && found.resultSummary ? (
          <div className="success">
            <h3>{t("resultSummary")}</h3>
            <p className="pre-line" data-testid="result-summary">
              {found.resultSummary}
            </p>
          </div>
        ) : null}
        {found.status === "forwarded" && found.forwardedTo ? (
          <div className="notice">
            <h3>{t("forwardedTo")}</h3>
            <p data-testid="forwarded-to">{found.forwardedTo}</p>
            <p>{t("forwardedHint")}</p>
          </div>
        ) : null}
      </section>

      {children}

      {found.notices.length > 0 ? (
        <section aria-labelledby="notices-title">
          <h2 id="notices-title">{tn("track.noticesTitle")}</h2>
          <ol className="timeline" data-testid="notices">
            {found.notices.map((n) => (
              <li key={n.id} data-kind={n.kind}>
                <time dateTime={n.at}>{formatThaiDate(new Date(n.at), lang, { withTime: true, short: true })}</time>{" "}
                <strong>{tn(`kinds.${n.kind}`)}</strong>
                <p className="pre-line" data-testid={`notice-${n.kind}`}>
                  {n.body}
                </p>
                {n.expectedAt ? (
                  <p>
                    {tn("track.expected")} {formatThaiDate(new Date(n.expectedAt), lang)}
                  </p>
                ) : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t("timelineTitle")}</h2>
        <ol className="timeline" data-testid="timeline">
          {found.timeline.map((e) => (
            <li key={e.id} className={`event-${e.kind}`}>
              <time dateTime={e.at}>{formatThaiDate(new Date(e.at), lang, { withTime: true, short: true })}</time>
              <TimelineText item={e} lang={lang} />
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

function TimelineText({ item, lang }: { item: PublicTimelineItem; lang: Lang }) {
  const { t } = useTranslation("track");
  switch (item.kind) {
    case "created":
      return <span>{t("event.created")}</span>;
    case "status":
      return (
        <>
          <span>{t("event.status", { status: t(`status.${item.status}`) })}</span>
          {item.note ? <p className="pre-line">{item.note}</p> : null}
        </>
      );
    case "assign":
      return <span>{t("event.assign", { division: lang === "en" ? item.division.name_en : item.division.name_th })}</span>;
    case "reply":
      return (
        <div className="public-reply">
          <strong>{t("event.reply")}</strong>
          <p className="pre-line" data-testid="public-reply">
            {item.note}
          </p>
        </div>
      );
  }
}
