/**
 * Case tracking for citizens: reference + tracking code -> status, deadline and the public timeline.
 * The receipt's QR code points to /track#ref=…&code=… (a fragment never reaches the server); with JavaScript the
 * fields are filled from it and the fragment is cleared, without JavaScript people type them.
 *
 * Once a case is closed (resolved or forwarded) the page also offers the satisfaction rating (plan measure 23): the
 * form posts back here with intent=rate and the reference + tracking code as hidden fields, which are checked again
 * on every post exactly like a lookup (same throttling), so the rating needs nothing but what the lookup needed.
 */
import { useEffect, useRef } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { getDb } from "~/utils/db.server";
import { now } from "~/utils/clock.server";
import { clientOf, limits, sleep, slowRefusal, trackGlobalDelayMs } from "~/utils/rate-limit.server";
import { getLang } from "~/utils/request.server";
import { handlePublicPost, rateLimitedReply } from "~/utils/public-form.server";
import { nameIn } from "~/models/org.server";
import { findCaseForTracking, publicCaseSummary, publicTimeline, type PublicTimelineItem } from "~/models/complaint.server";
import type { DeadlineViewState } from "~/models/deadlines";
import { caseDeadlineView, casePolicies } from "~/models/deadlines";
import { listPublicNotices, type PublicNotice } from "~/models/notices.server";
import { formatThaiDate } from "~/lib/thai-date";
import type { CaseStatus } from "~/lib/case-status";
import type { Lang } from "~/i18n";
import { passThroughHeaders } from "~/utils/route-headers";
import { isDomainError } from "~/lib/domain-error";
import { caseRatingState, rateCase, type CaseRatingView } from "~/models/satisfaction.server";
import { caseRatingSchema, COMMENT_MAX } from "~/lib/satisfaction";
import { fieldErrors } from "~/lib/validation";
import { RatingFields, RatingSummary } from "~/components/satisfaction";

export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [{ title: "ติดตามเรื่อง · Sujarit" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return json({ lang: getLang(request) }, { headers: { "Cache-Control": "no-store" } });
}

interface FoundCase {
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

interface RatingState {
  open: boolean;
  rating: CaseRatingView | null;
}

interface RatingFormState {
  formError: string | null;
  errors: Record<string, string>;
  values: { score: string; comment: string };
}

type ActionData =
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

const MAX_INPUT = 64;

/** The post is read and its CSRF token checked by handlePublicPost; the lookup throttles failures itself (below). */
export async function action({ request, context }: ActionFunctionArgs) {
  return handlePublicPost(
    request,
    { limits: [], honeypot: false, messages: { rateLimited: "track:errors.rateLimited" } },
    (form, post) => lookUp(form, post.lang, clientOf(context)),
  );
}

async function lookUp(form: FormData, lang: Lang, client: string): Promise<Response> {
  const field = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v.trim().slice(0, MAX_INPUT) : "";
  };
  const values = { reference: field("reference"), code: field("code") };
  const intent = form.get("intent") === "rate" ? "rate" : "lookup";
  // Failed lookups per client are reserved before the lookup (parallel guesses all count) and given back when the
  // reference + code were right; past the limit only this client is refused. Failures of all clients together never
  // refuse anyone: they only make a client that has failed itself wait a little (rate-limit.server.ts).
  const slot = limits.trackFailuresClient().reserve(client);
  if (!slot.allowed) {
    await slowRefusal();
    return rateLimitedReply("track:errors.rateLimited", slot.retryAfterSec, { status: "error", values }, { "Cache-Control": "no-store" });
  }
  const errors: Record<string, string> = {};
  if (!values.reference) errors.reference = "errors.required";
  if (!values.code) errors.code = "errors.required";
  if (Object.keys(errors).length > 0) {
    slot.release();
    return json<ActionData>({ status: "error", formError: null, errors, values }, { status: 422, headers: { "Cache-Control": "no-store" } });
  }
  if (slot.count > 1) await sleep(trackGlobalDelayMs());

  const db = getDb();
  const complaint = await findCaseForTracking(db, values.reference, values.code);
  if (!complaint) {
    limits.trackFailuresGlobal().hit("all");
    return json<ActionData>(
      { status: "error", formError: "track:errors.notFound", errors: {}, values },
      { status: 404, headers: { "Cache-Control": "no-store" } },
    );
  }
  slot.release();

  // Rating (intent=rate): only after the reference + code above were verified again.
  let ratingForm: RatingFormState | undefined;
  let ratingSaved = false;
  let httpStatus = 200;
  if (intent === "rate") {
    const raw = { score: form.get("score"), comment: form.get("comment") };
    const ratingValues = {
      score: typeof raw.score === "string" ? raw.score.slice(0, 4) : "",
      comment: typeof raw.comment === "string" ? raw.comment.slice(0, COMMENT_MAX * 2) : "",
    };
    const parsed = caseRatingSchema.safeParse({
      score: typeof raw.score === "string" ? raw.score : undefined,
      comment: typeof raw.comment === "string" ? raw.comment : undefined,
    });
    if (!parsed.success) {
      ratingForm = { formError: null, errors: fieldErrors(parsed.error), values: ratingValues };
      httpStatus = 422;
    } else {
      try {
        await rateCase(db, { via: "tracking-code", complaintId: complaint.id }, { score: parsed.data.score, comment: parsed.data.comment });
        ratingSaved = true;
      } catch (e) {
        if (!isDomainError(e)) throw e;
        ratingForm = {
          formError: e.field ? null : e.messageKey,
          errors: e.field ? { [e.field]: e.messageKey } : {},
          values: ratingValues,
        };
        httpStatus = e.status;
      }
    }
  }

  const [policy, summary, timeline, notices, rating] = await Promise.all([
    casePolicies(db).then((p) => p.of(complaint)),
    publicCaseSummary(db, complaint),
    publicTimeline(db, complaint.id),
    listPublicNotices(db, complaint.id),
    caseRatingState(db, complaint),
  ]);
  const deadline = caseDeadlineView(complaint, policy, now());
  const found: FoundCase = {
    reference: summary.reference,
    status: summary.status,
    stage: summary.stage,
    subject: summary.subject,
    category: nameIn(lang, summary.category),
    division: nameIn(lang, summary.division),
    receivedAt: summary.receivedAt,
    dueAt: summary.dueAt,
    deadline,
    resultSummary: summary.resultSummary,
    forwardedTo: summary.forwardedTo,
    timeline,
    expectedAt: complaint.closed_at ? null : complaint.expected_at,
    notices,
  };
  return json<ActionData>(
    { status: "ok", found, credentials: values, rating, ...(ratingForm ? { ratingForm } : {}), ...(ratingSaved ? { ratingSaved } : {}) },
    { status: httpStatus, headers: { "Cache-Control": "no-store" } },
  );
}

export default function TrackRoute() {
  const { lang } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("track");
  if (result?.status === "ok") {
    return (
      <>
        <h1>{t("resultTitle")}</h1>
        <CaseView found={result.found} lang={lang}>
          <RatingSection result={result} lang={lang} />
        </CaseView>
        <p className="no-print">
          <a href="/track">{t("another")}</a>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>{t("title")}</h1>
      <p className="lead">{t("intro")}</p>
      <TrackForm result={result} />
      <p className="muted">{t("lostCode")}</p>
    </>
  );
}

function TrackForm({ result }: { result: Extract<ActionData, { status: "error" }> | undefined }) {
  const { t } = useTranslation("track");
  const navigation = useNavigation();
  const refInput = useRef<HTMLInputElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // Fill the fields from #ref=…&code=… (the receipt's QR code), then remove the secret from the address bar.
    const hash = window.location.hash;
    if (!hash || hash.length < 2) return;
    const params = new URLSearchParams(hash.slice(1));
    const ref = params.get("ref");
    const code = params.get("code");
    if (ref && refInput.current) refInput.current.value = ref.slice(0, MAX_INPUT);
    if (code && codeInput.current) codeInput.current.value = code.slice(0, MAX_INPUT);
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
    if (ref && code) submitRef.current?.focus();
  }, []);
  const labels = { reference: t("fields.reference"), code: t("fields.code") };
  const values = result?.values ?? { reference: "", code: "" };
  return (
    <>
      <ErrorSummary errors={result?.errors} labels={labels} formError={result?.formError ?? null} />
      <Form method="post" className="card track-form" key={JSON.stringify(values)}>
        <CsrfField />
        <Field name="reference" label={labels.reference} hint={t("hints.reference")} error={result?.errors.reference} required>
          {(p) => (
            <input {...p} ref={refInput} type="text" inputMode="numeric" autoComplete="off" maxLength={MAX_INPUT} defaultValue={values.reference} />
          )}
        </Field>
        <Field name="code" label={labels.code} hint={t("hints.code")} error={result?.errors.code} required>
          {(p) => (
            <input
              {...p}
              ref={codeInput}
              type="text"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              maxLength={MAX_INPUT}
              defaultValue={values.code}
              className="code-input"
            />
          )}
        </Field>
        <button type="submit" className="button" ref={submitRef} disabled={navigation.state === "submitting"}>
          {t("submit")}
        </button>
      </Form>
    </>
  );
}

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

function CaseView({ found, lang, children }: { found: FoundCase; lang: Lang; children?: React.ReactNode }) {
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
            <li key={s} className={i < stageIndex ? "past" : i === stageIndex ? "current" : "future"} aria-current={i === stageIndex ? "step" : undefined}>
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

/** The satisfaction rating of a closed case: the form (first answer or a change within 30 days) or the saved answer. */
function RatingSection({ result, lang }: { result: Extract<ActionData, { status: "ok" }>; lang: Lang }) {
  const { t } = useTranslation("satisfaction");
  const navigation = useNavigation();
  const { rating, ratingForm, ratingSaved, credentials } = result;
  const labels = { score: t("rate.legend"), comment: t("rate.comment") };
  const summary = (
    <ErrorSummary errors={ratingForm?.errors} labels={labels} formError={ratingForm?.formError ?? null} limits={{ comment: COMMENT_MAX }} />
  );
  // A rating post for a case that is not (or no longer) closed: only the refusal.
  if (!rating.open) return ratingForm ? <section aria-label={t("rate.title")}>{summary}</section> : null;
  const current = rating.rating;
  const values = ratingForm?.values ?? { score: current ? String(current.score) : "", comment: current?.comment ?? "" };
  return (
    <section className="card rating" aria-labelledby="rating-title" data-testid="rating-section">
      <h2 id="rating-title">{t("rate.title")}</h2>
      {ratingSaved ? (
        <p className="success" role="status" data-testid="rating-saved">
          {t("rate.saved")}
        </p>
      ) : null}
      {current ? <RatingSummary rating={current} lang={lang} /> : <p>{t("rate.intro")}</p>}
      {current && !current.changeable ? (
        summary
      ) : (
        <>
          {summary}
          <Form method="post" action="/track" className="rating-form" key={JSON.stringify([values, current?.updatedAt ?? ""])} data-testid="rating-form">
            <CsrfField />
            <input type="hidden" name="intent" value="rate" />
            <input type="hidden" name="reference" value={credentials.reference} />
            <input type="hidden" name="code" value={credentials.code} />
            <RatingFields values={values} errors={ratingForm?.errors ?? {}} />
            <button type="submit" className="button" disabled={navigation.state === "submitting"}>
              {current ? t("rate.change") : t("rate.submit")}
            </button>
          </Form>
        </>
      )}
    </section>
  );
}
