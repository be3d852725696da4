/**
 * The whistleblower form (/report/new): mode (anonymous or confidential, identity fields shown by CSS without
 * JavaScript), who will read it, the people and the events, the evidence. Uncontrolled: a rejected post comes back
 * as `result` and the form is re-created (`formKey`) with its values.
 */
import { Form } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary, Field, HoneypotField } from "~/components/form";
import {
  ElsewhereList,
  ReportEvidenceFieldset,
  ReportRecipientsFieldset,
  type AlternateRecipient,
  type ReportRecipient,
} from "~/components/report-form-parts";
import {
  REPORT_TEXT_FIELDS,
  SUBMISSION_KEY_PATTERN,
  type ReportFieldMax,
  type ReportFormErrorData,
  type ReportTextField,
} from "~/models/report/form-fields";

export interface ReportFormProps {
  officers: ReportRecipient[];
  alternate: AlternateRecipient | null;
  /** A fresh submission key from the loader (used unless the rejected post carried a valid one). */
  submissionKey: string;
  limits: ReportFieldMax;
  result: ReportFormErrorData | undefined;
  submitting: boolean;
}

/** Nobody can receive a report yet: no form (nothing would be stored), only where else to go. */
export function NoReportRecipients() {
  const { t } = useTranslation("report");
  return (
    <div className="report-page">
      <h1>{t("form.title")}</h1>
      <p className="warning" data-testid="no-recipients">
        {t("form.noRecipients")}
      </p>
      <ElsewhereList />
    </div>
  );
}

export function ReportForm({ officers, alternate, submissionKey: freshKey, limits, result, submitting }: ReportFormProps) {
  const { t } = useTranslation("report");
  const values = result?.values ?? {};
  const errors = result?.errors ?? {};
  const submissionKey = values.submissionKey && SUBMISSION_KEY_PATTERN.test(values.submissionKey) ? values.submissionKey : freshKey;
  const mode = values.mode === "confidential" ? "confidential" : "anonymous";
  const labels: Record<string, string> = {};
  for (const k of [...REPORT_TEXT_FIELDS, "evidence"]) labels[k] = t(`form.fields.${k}`);
  labels.recipients = t("form.recipientsLegend");
  const text = (
    name: Exclude<ReportTextField, "mode" | "recipient">,
    opts: { rows?: number; required?: boolean; hint?: boolean; autoComplete?: string } = {},
  ) => (
    <Field
      name={name}
      label={labels[name]}
      hint={opts.hint ? t(`form.hints.${name}`) : undefined}
      error={errors[name]}
      max={limits[name]}
      required={opts.required}
    >
      {(p) =>
        opts.rows ? (
          <textarea {...p} rows={opts.rows} maxLength={limits[name]} defaultValue={values[name] ?? ""} />
        ) : (
          <input {...p} type="text" autoComplete={opts.autoComplete ?? "off"} maxLength={limits[name]} defaultValue={values[name] ?? ""} />
        )
      }
    </Field>
  );

  return (
    <div className="report-page">
      <h1>{t("form.title")}</h1>
      <p className="lead">{t("form.intro")}</p>
      <p className="notice">{t("form.privacy")}</p>
      <ErrorSummary
        errors={errors}
        labels={labels}
        formError={result?.formError ?? null}
        limits={limits}
        keptFiles={result?.kept?.length ?? 0}
      />
      <Form
        method="post"
        encType="multipart/form-data"
        key={result?.formKey ?? "initial"}
        className="report-form"
        autoComplete="off"
        noValidate
      >
        <CsrfField />
        <HoneypotField />
        <input type="hidden" name="submissionKey" value={submissionKey} />

        <fieldset className={`report-mode${errors.mode ? " has-error" : ""}`} id="f-mode">
          <legend>{t("form.modeLegend")}</legend>
          {errors.mode ? <span className="field-error">{t(errors.mode)}</span> : null}
          <input
            type="radio"
            name="mode"
            value="anonymous"
            id="mode-anonymous"
            className="mode-radio"
            defaultChecked={mode === "anonymous"}
          />
          <label htmlFor="mode-anonymous" className="mode-label">
            <strong>{t("form.modeAnonymousTitle")}</strong>
            <span className="hint">{t("form.modeAnonymousDesc")}</span>
          </label>
          <input
            type="radio"
            name="mode"
            value="confidential"
            id="mode-confidential"
            className="mode-radio"
            defaultChecked={mode === "confidential"}
          />
          <label htmlFor="mode-confidential" className="mode-label">
            <strong>{t("form.modeConfidentialTitle")}</strong>
            <span className="hint">{t("form.modeConfidentialDesc")}</span>
          </label>
          <div className="identity-fields">
            <p className="hint">{t("form.identityNote")}</p>
            {text("reporterName", { autoComplete: "name" })}
            {text("reporterContact", { hint: true })}
          </div>
        </fieldset>

        <ReportRecipientsFieldset officers={officers} alternate={alternate} result={result} />

        <fieldset>
          <legend>{t("form.involvedLegend")}</legend>
          {text("involvedName", { hint: true })}
          {text("involvedPosition")}
          {text("involvedDivision")}
        </fieldset>

        <fieldset>
          <legend>{t("form.whatLegend")}</legend>
          {text("whatHappened", { rows: 8, required: true, hint: true })}
          {text("when", { hint: true })}
          {text("where", { hint: true })}
          {text("howKnown", { rows: 3, hint: true })}
          {text("reportedElsewhere", { hint: true })}
        </fieldset>

        <ReportEvidenceFieldset result={result} label={labels.evidence} />

        <p>
          <button type="submit" className="button" disabled={submitting} data-submitting-label={t("form.sending")}>
            {submitting ? t("form.sending") : t("form.submit")}
          </button>
        </p>
      </Form>
      <section aria-labelledby="elsewhere">
        <h2 id="elsewhere">{t("index.elsewhereTitle")}</h2>
        <ElsewhereList />
      </section>
    </div>
  );
}
