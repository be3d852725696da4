/**
 * The rating link of the result e-mail: /track/rate#t=<token>. The token stays in the fragment (never in a server log
 * or a Referer header); a small inline script (allowed by the CSP nonce) moves it into a hidden field and clears the
 * fragment, before React loads. The POST verifies the token server-side and saves the answer for that one case.
 * Without JavaScript the page explains how to rate on /track with the reference and tracking code instead.
 */
import { useEffect, useRef } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { tFor } from "~/i18n";
import { CsrfField, ErrorSummary } from "~/components/form";
import { useNonce } from "~/components/nonce";
import { RatingFields, RatingSummary } from "~/components/satisfaction";
import { getDb } from "~/utils/db.server";
import { clientOf, limits, sleep, slowRefusal, trackGlobalDelayMs } from "~/utils/rate-limit.server";
import { getLang } from "~/utils/request.server";
import { handlePublicPost } from "~/utils/public-form.server";
import { passThroughHeaders } from "~/utils/route-headers";
import { isDomainError } from "~/lib/domain-error";
import { rateCase, redeemRatingToken, type CaseRatingView } from "~/models/complaints/satisfaction.server";
import { COMMENT_MAX, isRatingTokenShape } from "~/lib/satisfaction";
import { caseRatingSchema } from "~/lib/satisfaction.server";
import { fieldErrors } from "~/lib/validation";
import { useAppPath } from "~/components/app-path";

export const handle = { i18n: ["track", "satisfaction"] };

export const headers = passThroughHeaders;

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.lang ?? "th", "satisfaction")("link.metaTitle") }];

export async function loader({ request }: LoaderFunctionArgs) {
  return json({ lang: getLang(request) }, { headers: { "Cache-Control": "no-store" } });
}

type ActionData =
  | { status: "saved"; reference: string; rating: CaseRatingView; created: boolean }
  /** The link itself is unusable (missing, unknown or expired): the page says so and points to /track. */
  | { status: "badLink"; formError: string }
  | {
      status: "error";
      formError: string | null;
      errors: Record<string, string>;
      values: { score: string; comment: string };
      token: string;
    };

const NO_STORE = { "Cache-Control": "no-store" };

/** The post is read and its CSRF token checked by handlePublicPost; unknown links are throttled below. */
export async function action({ request, context }: ActionFunctionArgs) {
  return handlePublicPost(request, { limits: [], honeypot: false, messages: { rateLimited: "track:errors.rateLimited" } }, (form) =>
    rateByLink(form, clientOf(context)),
  );
}

async function rateByLink(form: FormData, client: string): Promise<Response> {
  const rawToken = form.get("t");
  const token = typeof rawToken === "string" ? rawToken.trim().slice(0, 100) : "";
  const values = {
    score: typeof form.get("score") === "string" ? String(form.get("score")).slice(0, 4) : "",
    comment: typeof form.get("comment") === "string" ? String(form.get("comment")).slice(0, COMMENT_MAX * 2) : "",
  };

  // Unknown tokens count as failed lookups, like wrong tracking codes (a token cannot be guessed, but be stingy):
  // reserved before the lookup, given back when the link is good; past the limit only this client is refused.
  const slot = limits.trackFailuresClient().reserve(client);
  if (!slot.allowed) {
    await slowRefusal();
    return json<ActionData>(
      { status: "badLink", formError: "track:errors.rateLimited" },
      { status: 429, headers: { ...NO_STORE, "Retry-After": String(slot.retryAfterSec) } },
    );
  }
  if (!token) {
    slot.release();
    return json<ActionData>({ status: "badLink", formError: "satisfaction:errors.noLink" }, { status: 400, headers: NO_STORE });
  }
  if (slot.count > 1) await sleep(trackGlobalDelayMs());

  const db = getDb();
  const owner = isRatingTokenShape(token) ? await redeemRatingToken(db, token) : null;
  if (!owner) {
    limits.trackFailuresGlobal().hit("all");
    return json<ActionData>({ status: "badLink", formError: "satisfaction:errors.badLink" }, { status: 404, headers: NO_STORE });
  }
  slot.release();

  const parsed = caseRatingSchema.safeParse({
    score: typeof form.get("score") === "string" ? form.get("score") : undefined,
    comment: typeof form.get("comment") === "string" ? form.get("comment") : undefined,
  });
  if (!parsed.success) {
    return json<ActionData>(
      { status: "error", formError: null, errors: fieldErrors(parsed.error), values, token },
      { status: 422, headers: NO_STORE },
    );
  }
  try {
    const saved = await rateCase(db, { via: "rating-link", token }, { score: parsed.data.score, comment: parsed.data.comment });
    return json<ActionData>(
      { status: "saved", reference: saved.reference, rating: saved.rating, created: saved.created },
      { headers: NO_STORE },
    );
  } catch (e) {
    if (!isDomainError(e)) throw e;
    if (e.status === 404) return json<ActionData>({ status: "badLink", formError: e.messageKey }, { status: 404, headers: NO_STORE });
    return json<ActionData>(
      { status: "error", formError: e.field ? null : e.messageKey, errors: e.field ? { [e.field]: e.messageKey } : {}, values, token },
      { status: e.status, headers: NO_STORE },
    );
  }
}

/** Runs before React: fragment token → hidden field, then the fragment is removed from the address bar. */
const MOVE_TOKEN_SCRIPT = `(function(){try{var h=location.hash;if(!h||h.length<2)return;var p=new URLSearchParams(h.slice(1));var t=p.get("t");var i=document.getElementById("rate-token");if(t&&i)i.value=t.slice(0,100);history.replaceState(history.state,"",location.pathname+location.search);}catch(e){}})();`;

export default function RateByLinkRoute() {
  const appHref = useAppPath();
  const { lang } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("satisfaction");
  const tc = useTranslation().t;
  const nonce = useNonce();
  const navigation = useNavigation();
  const tokenRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Same as the inline script, for a client-side navigation to this page (React does not run inserted scripts).
    const hash = window.location.hash;
    if (!hash || hash.length < 2) return;
    const tok = new URLSearchParams(hash.slice(1)).get("t");
    if (tok && tokenRef.current && !tokenRef.current.value) tokenRef.current.value = tok.slice(0, 100);
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  }, []);

  if (result?.status === "saved") {
    return (
      <>
        <h1>{t("link.thanksTitle")}</h1>
        <p className="success" role="status" data-testid="rating-saved">
          {t("rate.saved")}
        </p>
        <p>
          {t("link.forCase")}{" "}
          <strong className="code-small" data-testid="rated-reference">
            {result.reference}
          </strong>
        </p>
        <RatingSummary rating={result.rating} lang={lang} />
        <p>{t("link.changeLater")}</p>
        <p>
          <Link to="/">{tc("errors.backHome")}</Link>
        </p>
      </>
    );
  }
  if (result?.status === "badLink") {
    return (
      <>
        <h1>{t("link.badTitle")}</h1>
        <div className="warning" role="alert" data-testid="bad-link">
          <p>{tc(result.formError)}</p>
        </div>
        <p>{t("link.useTrack")}</p>
        <p>
          <Link to="/track" className="button secondary">
            {t("link.trackButton")}
          </Link>
        </p>
      </>
    );
  }
  const error = result?.status === "error" ? result : undefined;
  const labels = { score: t("rate.legend"), comment: t("rate.comment") };
  const values = error?.values ?? { score: "", comment: "" };
  return (
    <>
      <h1>{t("link.title")}</h1>
      <p className="lead">{t("link.intro")}</p>
      <noscript>
        <div className="notice" data-testid="noscript-help">
          <p>{t("link.noscript")}</p>
          <p>
            <a href={appHref("/track")}>{t("link.trackButton")}</a>
          </p>
        </div>
      </noscript>
      <ErrorSummary errors={error?.errors} labels={labels} formError={error?.formError ?? null} limits={{ comment: COMMENT_MAX }} />
      <Form method="post" className="card rating-form" data-testid="rating-form" noValidate>
        <CsrfField />
        {/* No value prop: React must not reset what the inline script put here. After a refused post the token
            comes back from the server (it was posted by this browser) so a correction can be sent again. */}
        {error ? (
          <input type="hidden" name="t" id="rate-token" ref={tokenRef} defaultValue={error.token} />
        ) : (
          <input type="hidden" name="t" id="rate-token" ref={tokenRef} />
        )}
        <RatingFields values={values} errors={error?.errors ?? {}} />
        <button type="submit" className="button" disabled={navigation.state === "submitting"}>
          {t("rate.submit")}
        </button>
      </Form>
      <script nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: MOVE_TOKEN_SCRIPT }} />
      <p className="muted">{t("link.privacy")}</p>
    </>
  );
}
