/**
 * Counter-service satisfaction form (plan measure 17: a channel to rate service; no case needed). People served at
 * the office counter scan the poster's QR code (/feedback/poster) or type the address. A refused post comes back (422)
 * with what was chosen; an accepted one redirects to /feedback/thanks (a reload never posts twice). No JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { tFor } from "~/i18n";
import { CsrfField, ErrorSummary, Field, HoneypotField } from "~/components/form";
import { RatingFields } from "~/components/satisfaction";
import { getDb } from "~/utils/db.server";
import { clientOf, limits } from "~/utils/rate-limit.server";
import { getLang } from "~/utils/request.server";
import { handlePublicPost, limitPosts, publicFormError } from "~/utils/public-form.server";
import { passThroughHeaders } from "~/utils/route-headers";
import { getOrgProfile, nameIn } from "~/models/organisation/profile.server";
import { isDomainError } from "~/lib/domain-error";
import { submitCounterFeedback } from "~/models/complaints/satisfaction.server";
import { COMMENT_MAX, COUNTER_SERVICES } from "~/lib/satisfaction";
import { counterFeedbackSchema } from "~/lib/satisfaction.server";
import { fieldErrors } from "~/lib/validation";

export const handle = { i18n: ["satisfaction"] };

export const headers = passThroughHeaders;

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.lang ?? "th", "satisfaction")("feedback.metaTitle") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const lang = getLang(request);
  const org = await getOrgProfile(getDb());
  return json({ lang, orgName: nameIn(lang, org) }, { headers: { "Cache-Control": "no-store" } });
}

interface Values {
  service: string;
  score: string;
  comment: string;
}

interface ErrorData {
  formError: string | null;
  errors: Record<string, string>;
  values: Values;
}

function str(form: FormData, k: string, max: number): string {
  const v = form.get(k);
  return typeof v === "string" ? v.slice(0, max) : "";
}

function errorResponse(status: number, data: ErrorData, headers: Record<string, string> = {}) {
  return json<ErrorData>(data, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

/**
 * Limits: every post counts towards the per-client limit except a form sent back for correction (422); only stored
 * answers count towards the limit across all clients.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const empty: Values = { service: "", score: "", comment: "" };
  return handlePublicPost(
    request,
    {
      limits: [
        limitPosts(limits.counterFeedback(), clientOf(context)),
        limitPosts(limits.counterFeedbackGlobal(), "all", (o) => o.status === 302),
      ],
      messages: { rateLimited: "satisfaction:errors.rateLimited", rejected: "satisfaction:errors.rejected" },
      emptyReply: () => ({ values: empty }),
      headers: { "Cache-Control": "no-store" },
    },
    async (form) => {
      const values: Values = {
        service: str(form, "service", 40),
        score: str(form, "score", 4),
        comment: str(form, "comment", COMMENT_MAX * 2),
      };
      const text = (k: string) => (typeof form.get(k) === "string" ? (form.get(k) as string) : undefined);
      const parsed = counterFeedbackSchema.safeParse({ service: text("service"), score: text("score"), comment: text("comment") });
      if (!parsed.success) return errorResponse(422, { formError: null, errors: inFormOrder(fieldErrors(parsed.error)), values });
      try {
        await submitCounterFeedback(getDb(), parsed.data);
      } catch (e) {
        if (!isDomainError(e)) throw e;
        return publicFormError(e, { values }, { "Cache-Control": "no-store" });
      }
      return redirect("/feedback/thanks");
    },
  );
}

const FIELD_ORDER = ["service", "score", "comment"];
function inFormOrder(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => FIELD_ORDER.indexOf(a) - FIELD_ORDER.indexOf(b)));
}

export default function FeedbackRoute() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ErrorData | undefined;
  const { t } = useTranslation("satisfaction");
  const navigation = useNavigation();
  const values = result?.values ?? { service: "", score: "", comment: "" };
  const errors = result?.errors ?? {};
  const labels = { service: t("feedback.service"), score: t("feedback.legend"), comment: t("rate.comment") };
  return (
    <>
      <h1>{t("feedback.title")}</h1>
      <p className="lead">{t("feedback.intro", { org: data.orgName })}</p>
      <ErrorSummary errors={errors} labels={labels} formError={result?.formError ?? null} limits={{ comment: COMMENT_MAX }} />
      <Form method="post" className="card rating-form" key={JSON.stringify(values)} data-testid="feedback-form" noValidate>
        <CsrfField />
        <HoneypotField />
        <Field name="service" label={labels.service} error={errors.service} required>
          {(p) => (
            <select {...p} defaultValue={values.service}>
              <option value="">{t("feedback.choose")}</option>
              {COUNTER_SERVICES.map((s) => (
                <option key={s} value={s}>
                  {t(`services.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <RatingFields values={values} errors={errors} legend={labels.score} />
        <button type="submit" className="button" disabled={navigation.state === "submitting"}>
          {t("feedback.submit")}
        </button>
      </Form>
      <p className="muted">{t("feedback.privacy")}</p>
    </>
  );
}
