/**
 * Accessible form pieces shared by every form: an error summary that takes focus, fields whose label, hint and
 * error are tied together with aria-describedby, the CSRF field and the honeypot.
 */
import { useEffect, useRef } from "react";
import { fieldId } from "~/lib/field-id";
import { useTranslation } from "~/components/i18n";
import { useRootData } from "~/components/root-data";
import { LIMITS } from "~/lib/validation";

/** Maximum lengths of the complaint fields, for "too long" messages in the summary. */
const FIELD_LIMITS: Record<string, number> = {
  subject: LIMITS.subject,
  details: LIMITS.details,
  landmark: LIMITS.landmark,
  contactName: LIMITS.name,
  contactPhone: LIMITS.phone,
  contactEmail: LIMITS.email,
  contactAddress: LIMITS.address,
};

/** Hidden CSRF field; every POST form includes it. */
export function CsrfField() {
  const data = useRootData();
  return <input type="hidden" name="csrf" value={data?.csrf ?? ""} />;
}

/** The honeypot: invisible to people (and to screen readers), filled in by naive bots. Field name: "website". */
export function HoneypotField() {
  return (
    <div className="hp-field" aria-hidden="true">
      <label htmlFor="website">Website</label>
      <input id="website" type="text" name="website" tabIndex={-1} autoComplete="off" defaultValue="" />
    </div>
  );
}

/** Lists every field error with links to the fields; receives focus when shown. */
export function ErrorSummary({
  errors,
  labels,
  formError,
  formErrorValues,
  limits = FIELD_LIMITS,
  keptFiles = 0,
}: {
  errors?: Record<string, string>;
  labels: Record<string, string>;
  formError?: string | null;
  /** Values interpolated into the form-level message (e.g. an already formatted date). */
  formErrorValues?: Record<string, string>;
  /** Maximum length per field name, shown in "too long" messages. */
  limits?: Record<string, number>;
  /** Files the server kept from this post: the summary says they need not be chosen again. */
  keptFiles?: number;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const entries = Object.entries(errors ?? {});
  const count = entries.length + (formError ? 1 : 0);
  useEffect(() => {
    if (count > 0) ref.current?.focus();
  }, [count, errors, formError]);
  if (count === 0) return null;
  return (
    <div className="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} ref={ref}>
      <h2 id="error-summary-title">{t("errors.summaryTitle", { count })}</h2>
      <ul>
        {formError ? <li>{formErrorValues ? t(formError, formErrorValues) : t(formError)}</li> : null}
        {entries.map(([field, key]) => (
          <li key={field}>
            <a href={`#${fieldId(field)}`}>
              {labels[field] ?? field}: {t(key, { max: limits[field] })}
            </a>
          </li>
        ))}
      </ul>
      {keptFiles > 0 ? (
        <p className="kept-note" data-testid="kept-note">
          {t("files.keptNote", { count: keptFiles })}
        </p>
      ) : null}
    </div>
  );
}

export { fieldId };

interface FieldProps {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  /** Max length shown in the error message. */
  max?: number;
  required?: boolean;
  children: (props: {
    id: string;
    name: string;
    "aria-describedby"?: string;
    "aria-invalid"?: boolean;
    required?: boolean;
  }) => React.ReactNode;
}

/** A labelled field; `children` renders the control with the ids and ARIA attributes it is given. */
export function Field({ name, label, hint, error, max, required, children }: FieldProps) {
  const { t } = useTranslation();
  const id = fieldId(name);
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {t(error, { max })}
        </span>
      ) : null}
      {children({ id, name, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined, required })}
    </div>
  );
}
