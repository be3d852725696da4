/**
 * Pieces of the satisfaction forms (case rating on /track and /track/rate, counter feedback on /feedback): the
 * 5-point scale as radio buttons in a fieldset with a legend, the optional comment, and a saved answer.
 */
import { useTranslation } from "~/components/i18n";
import { Field, fieldId } from "~/components/form";
import { COMMENT_MAX, SCORES } from "~/lib/satisfaction";
import { formatThaiDate } from "~/lib/thai-date";
import type { Lang } from "~/i18n";

/** The 5-point scale (required) and the optional comment. `values` are what was posted (or the saved answer). */
export function RatingFields({
  values,
  errors,
  legend,
}: {
  values: { score: string; comment: string };
  errors: Record<string, string>;
  /** Question shown as the fieldset's legend (default: the case-handling question). */
  legend?: string;
}) {
  const { t } = useTranslation("satisfaction");
  const tc = useTranslation().t;
  const id = fieldId("score");
  const describedBy = [`${id}-hint`, errors.score ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <>
      <fieldset
        className={`field scale${errors.score ? " has-error" : ""}`}
        id={id}
        aria-describedby={describedBy}
        data-testid="rating-scale"
      >
        <legend>
          {legend ?? t("rate.legend")}
          <span aria-hidden="true"> *</span>
        </legend>
        <span className="hint" id={`${id}-hint`}>
          {t("scaleHint")}
        </span>
        {errors.score ? (
          <span className="field-error" id={`${id}-error`}>
            {tc(errors.score)}
          </span>
        ) : null}
        {SCORES.map((s) => (
          <label className="choice" key={s}>
            <input type="radio" name="score" value={String(s)} defaultChecked={values.score === String(s)} required />{" "}
            {t("scaleOption", { score: s, label: t(`scale.${s}`) })}
          </label>
        ))}
      </fieldset>
      <Field
        name="comment"
        label={t("rate.comment")}
        hint={t("rate.commentHint", { max: COMMENT_MAX.toLocaleString("en-US") })}
        error={errors.comment}
        max={COMMENT_MAX}
      >
        {(p) => <textarea {...p} rows={4} maxLength={COMMENT_MAX} defaultValue={values.comment} />}
      </Field>
    </>
  );
}

/** A saved case rating: score, comment, and until when it may be changed (or that it can no longer be). */
export function RatingSummary({
  rating,
  lang,
}: {
  rating: { score: number; comment: string; changeableUntil: string; changeable: boolean };
  lang: Lang;
}) {
  const { t } = useTranslation("satisfaction");
  return (
    <div className="rating-summary" data-testid="rating-current" data-score={rating.score}>
      <dl className="facts">
        <dt>{t("rate.yourAnswer")}</dt>
        <dd>
          <strong>{t("scaleOption", { score: rating.score, label: t(`scale.${rating.score}`) })}</strong>
        </dd>
        {rating.comment ? (
          <>
            <dt>{t("rate.yourComment")}</dt>
            <dd className="pre-line" data-testid="rating-comment">
              {rating.comment}
            </dd>
          </>
        ) : null}
      </dl>
      {rating.changeable ? (
        <p data-testid="rating-until">
          {t("rate.changeUntil", { date: formatThaiDate(new Date(rating.changeableUntil), lang, { withTime: true }) })}
        </p>
      ) : (
        <p className="notice" data-testid="rating-locked">
          {t("rate.locked", { date: formatThaiDate(new Date(rating.changeableUntil), lang, { withTime: true }) })}
        </p>
      )}
    </div>
  );
}
