/**
 * Case tracking for citizens: reference + tracking code -> status, deadline and the public timeline.
 * The receipt's QR code points to /track#ref=… (the reference only, never the tracking code; a fragment never reaches
 * the server); with JavaScript the reference is filled from it and the fragment is cleared, without JavaScript people
 * type it. The reference is accepted with or without its dash (parseCaseReference).
 *
 * Once a case is closed (resolved or forwarded) the page also offers the satisfaction rating (plan measure 23): the
 * form posts back here with intent=rate and the reference + tracking code as hidden fields, which are checked again
 * on every post exactly like a lookup (same throttling), so the rating needs nothing but what the lookup needed.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { getDb } from "~/utils/db.server";
import { now } from "~/utils/clock.server";
import { clientOf, limits, sleep, slowRefusal, trackGlobalDelayMs } from "~/utils/rate-limit.server";
import { getLang } from "~/utils/request.server";
import { handlePublicPost, rateLimitedReply } from "~/utils/public-form.server";
import { nameIn } from "~/models/organisation/profile.server";
import { findCaseForTracking, publicCaseSummary, publicTimeline } from "~/models/complaints/filing.server";
import { caseDeadlineView, casePolicies } from "~/models/deadlines";
import { listPublicNotices } from "~/models/notices/notices.server";
import type { Lang } from "~/i18n";
import { passThroughHeaders } from "~/utils/route-headers";
import { isDomainError } from "~/lib/domain-error";
import { caseRatingState, rateCase } from "~/models/complaints/satisfaction.server";
import { COMMENT_MAX } from "~/lib/satisfaction";
import { caseRatingSchema } from "~/lib/satisfaction.server";
import { fieldErrors } from "~/lib/validation";
import { CaseView, MAX_INPUT, type FoundCase, type RatingFormState, type TrackActionData as ActionData } from "~/components/track-case";
import { RatingSection, TrackForm } from "~/components/track-forms";
import type { PageHandle } from "~/components/root-data";
import { useAppPath } from "~/components/app-path";

export const handle: PageHandle = { i18n: ["track", "notice", "satisfaction"], hydrate: false, enhance: { script: "track", strings: [] } };

export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [{ title: "ติดตามเรื่อง · Sujarit" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return json({ lang: getLang(request) }, { headers: { "Cache-Control": "no-store" } });
}

/** The post is read and its CSRF token checked by handlePublicPost; the lookup throttles failures itself (below). */
export async function action({ request, context }: ActionFunctionArgs) {
  return handlePublicPost(request, { limits: [], honeypot: false, messages: { rateLimited: "track:errors.rateLimited" } }, (form, post) =>
    lookUp(form, post.lang, clientOf(context)),
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
    return json<ActionData>(
      { status: "error", formError: null, errors, values },
      { status: 422, headers: { "Cache-Control": "no-store" } },
    );
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
  const appHref = useAppPath();
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
          <a href={appHref("/track")}>{t("another")}</a>
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
