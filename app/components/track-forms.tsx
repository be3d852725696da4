/** The forms of the case-tracking page (/track): the lookup form and the satisfaction rating of a closed case. */
import { useEffect, useRef } from "react";
import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { fillTrackFormFromHash } from "~/enhance/track-hash";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { RatingFields, RatingSummary } from "~/components/satisfaction";
import { MAX_INPUT, type TrackActionData as ActionData } from "~/components/track-case";
import { COMMENT_MAX } from "~/lib/satisfaction";
import type { Lang } from "~/i18n";

export function TrackForm({ result }: { result: Extract<ActionData, { status: "error" }> | undefined }) {
  const { t } = useTranslation("track");
  const navigation = useNavigation();
  const refInput = useRef<HTMLInputElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);
  useEffect(() => fillTrackFormFromHash(refInput.current, codeInput.current, submitRef.current, MAX_INPUT), []);
  const labels = { reference: t("fields.reference"), code: t("fields.code") };
  const values = result?.values ?? { reference: "", code: "" };
  return (
    <>
      <ErrorSummary errors={result?.errors} labels={labels} formError={result?.formError ?? null} />
      <Form method="post" className="card track-form" key={JSON.stringify(values)} noValidate>
        <CsrfField />
        <Field name="reference" label={labels.reference} hint={t("hints.reference")} error={result?.errors.reference} required>
          {(p) => (
            <input
              {...p}
              ref={refInput}
              type="text"
              inputMode="numeric"
              autoComplete="off"
              maxLength={MAX_INPUT}
              defaultValue={values.reference}
            />
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

/** The satisfaction rating of a closed case: the form (first answer or a change within 30 days) or the saved answer. */
export function RatingSection({ result, lang }: { result: Extract<ActionData, { status: "ok" }>; lang: Lang }) {
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
          <Form
            method="post"
            action="/track"
            className="rating-form"
            noValidate
            key={JSON.stringify([values, current?.updatedAt ?? ""])}
            data-testid="rating-form"
          >
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
