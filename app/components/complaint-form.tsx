/**
 * The complaint form, one for both ways a complaint comes in:
 * - `public`: a citizen files it on /complaints/new (honeypot, hints, "use my location", files kept across a
 *   rejected post, contact preference as radio buttons, the privacy notice);
 * - `intake`: an officer records a walk-in, a call or a letter on /staff/intake (no honeypot, no autofill of the
 *   officer's own details, the fieldset of how it was received comes first through `before`).
 * The fields, their limits, the accepted files and the submission key follow app/lib/validation.ts, the one schema
 * the routes and app/models/complaints/filing.server.ts check the post with. Works without JavaScript.
 */
import { useEffect, useRef, type ReactNode } from "react";
import { mountLocateButton } from "~/enhance/locate-button";
import { Form } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary, Field, HoneypotField, fieldId } from "~/components/form";
import { LocationPicker } from "~/components/location-map";
import { CheckedFileInput } from "~/components/checked-file-input";
import { ATTACHMENT_ACCEPT, LIMITS, PREFERRED_CONTACTS, isSubmissionKey } from "~/lib/validation";

export interface ComplaintFormOption {
  categories: { code: string; name: string }[];
  villages: { number: number; name: string }[];
}

/** A file kept from an earlier (rejected) post of the public form. */
export interface KeptFile {
  id: string;
  name: string;
  size: number;
}

export interface ComplaintFormProps extends ComplaintFormOption {
  variant: "public" | "intake";
  /** The key of this page; a well-formed key sent back with a rejected post is kept instead (same complaint). */
  submissionKey: string;
  values: Partial<Record<string, string>>;
  errors: Record<string, string>;
  formError?: string | null;
  /** Changes with every answer so the uncontrolled form is re-created with the returned values. */
  formKey?: string;
  kept?: KeptFile[];
  rejectedFiles?: { name: string; key: string }[];
  submitLabel: string;
  submittingLabel?: string;
  submitting?: boolean;
  /** Labels of the fields in `before`, for the error summary. */
  extraLabels?: Record<string, string>;
  /** Fieldsets before the complaint's own (the intake's "how it was received"). */
  before?: ReactNode;
  /** Shown after the fields, before the submit button (the privacy notice). */
  after?: ReactNode;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export function ComplaintForm(props: ComplaintFormProps) {
  const { variant, values, errors, kept = [], rejectedFiles = [] } = props;
  const { t } = useTranslation("complaint");
  const isPublic = variant === "public";
  const submissionKey = isSubmissionKey(values.submissionKey) ? values.submissionKey : props.submissionKey;
  const labels: Record<string, string> = {
    ...props.extraLabels,
    category: t("fields.category"),
    subject: t("fields.subject"),
    details: t("fields.details"),
    village: t("fields.village"),
    landmark: t("fields.landmark"),
    latitude: t("fields.latitude"),
    longitude: t("fields.longitude"),
    attachments: t("fields.attachments"),
    contactName: t("fields.contactName"),
    contactPhone: t("fields.contactPhone"),
    contactEmail: t("fields.contactEmail"),
    contactAddress: t("fields.contactAddress"),
    preferredContact: t("fields.preferredContact"),
  };
  /** Hints speak to the citizen; the officer recording a complaint does not need them. */
  const hint = (key: string, params?: Record<string, unknown>) => (isPublic ? t(key, params) : undefined);
  const autofill = (kind: string) => (isPublic ? kind : "off");
  const preferred =
    values.preferredContact && (PREFERRED_CONTACTS as readonly string[]).includes(values.preferredContact)
      ? values.preferredContact
      : "none";

  return (
    <>
      <ErrorSummary errors={errors} labels={labels} formError={props.formError ?? null} keptFiles={kept.length} />
      <Form
        method="post"
        encType="multipart/form-data"
        key={props.formKey ?? "initial"}
        className="complaint-form"
        noValidate
        {...(isPublic ? {} : { reloadDocument: true })}
      >
        <CsrfField />
        {isPublic ? <HoneypotField /> : null}
        <input type="hidden" name="submissionKey" value={submissionKey} />
        {props.before}

        <fieldset>
          <legend>{t("sections.problem")}</legend>
          <Field name="category" label={labels.category} error={errors.category} required>
            {(p) => (
              <select {...p} defaultValue={values.category ?? ""}>
                <option value="">{t("choose")}</option>
                {props.categories.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field name="subject" label={labels.subject} hint={hint("hints.subject")} error={errors.subject} max={LIMITS.subject} required>
            {(p) => <input {...p} type="text" maxLength={LIMITS.subject} defaultValue={values.subject ?? ""} />}
          </Field>
          <Field name="details" label={labels.details} hint={hint("hints.details")} error={errors.details} max={LIMITS.details} required>
            {(p) => <textarea {...p} rows={6} maxLength={LIMITS.details} defaultValue={values.details ?? ""} />}
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t("sections.place")}</legend>
          <Field name="village" label={labels.village} error={errors.village} required>
            {(p) => (
              <select {...p} defaultValue={values.village ?? ""}>
                <option value="">{t("choose")}</option>
                {props.villages.map((v) => {
                  // A village without a name of its own is "หมู่ที่ 3", not "หมู่ที่ 3 – หมู่ที่ 3".
                  const plain = t("villagePlain", { number: v.number });
                  return (
                    <option key={v.number} value={String(v.number)}>
                      {v.name === plain ? plain : t("villageOption", { number: v.number, name: v.name })}
                    </option>
                  );
                })}
              </select>
            )}
          </Field>
          <Field name="landmark" label={labels.landmark} hint={hint("hints.landmark")} error={errors.landmark} max={LIMITS.landmark}>
            {(p) => <input {...p} type="text" maxLength={LIMITS.landmark} defaultValue={values.landmark ?? ""} />}
          </Field>
          {isPublic ? (
            <p className="hint" id="coords-hint">
              {t("hints.coordinates")}
            </p>
          ) : null}
          <div className="coords">
            <Field name="latitude" label={labels.latitude} error={errors.latitude}>
              {(p) => (
                <input
                  {...p}
                  type="text"
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder="14.123456"
                  defaultValue={values.latitude ?? ""}
                />
              )}
            </Field>
            <Field name="longitude" label={labels.longitude} error={errors.longitude}>
              {(p) => (
                <input
                  {...p}
                  type="text"
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder="100.123456"
                  defaultValue={values.longitude ?? ""}
                />
              )}
            </Field>
          </div>
          {isPublic ? <LocateButton latId={fieldId("latitude")} lngId={fieldId("longitude")} /> : null}
          <LocationPicker
            variant={isPublic ? "public" : "intake"}
            latId={fieldId("latitude")}
            lngId={fieldId("longitude")}
            photoInputId={fieldId("attachments")}
            photoOfferSlotId="photo-location-slot"
          />
        </fieldset>

        <fieldset>
          <legend>{t("sections.files")}</legend>
          {kept.length > 0 ? (
            <div className="kept-files">
              <p>{t("kept.intro")}</p>
              <ul>
                {kept.map((f) => (
                  <li key={f.id}>
                    <input type="hidden" name="keptUploads" value={f.id} />
                    <span className="kept-name">
                      {f.name} <span className="muted">({formatSize(f.size)})</span>
                    </span>{" "}
                    <label className="choice inline">
                      <input type="checkbox" name="removeUpload" value={f.id} /> {t("kept.remove")}
                    </label>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {rejectedFiles.length > 0 ? (
            <ul className="rejected-files">
              {rejectedFiles.map((f, i) => (
                <li key={i}>
                  {f.name}: {t(f.key.replace(/^complaint:/, ""))}
                </li>
              ))}
            </ul>
          ) : null}
          <Field
            name="attachments"
            label={labels.attachments}
            hint={hint("hints.attachments", {
              files: LIMITS.maxFiles,
              mb: LIMITS.maxFileBytes / (1024 * 1024),
              totalMb: LIMITS.maxTotalBytes / (1024 * 1024),
            })}
            error={errors.attachments}
          >
            {(p) => (
              <CheckedFileInput
                {...p}
                accept={ATTACHMENT_ACCEPT}
                limits={LIMITS}
                kept={{ count: kept.length, bytes: kept.reduce((n, f) => n + f.size, 0) }}
              />
            )}
          </Field>
          <div id="photo-location-slot" />
        </fieldset>

        <fieldset>
          <legend>{t("sections.contact")}</legend>
          {isPublic ? <p className="notice">{t("contactOptional")}</p> : null}
          <Field name="contactName" label={labels.contactName} error={errors.contactName} max={LIMITS.name}>
            {(p) => (
              <input {...p} type="text" autoComplete={autofill("name")} maxLength={LIMITS.name} defaultValue={values.contactName ?? ""} />
            )}
          </Field>
          <Field name="contactPhone" label={labels.contactPhone} hint={hint("hints.phone")} error={errors.contactPhone} max={LIMITS.phone}>
            {(p) => (
              <input {...p} type="tel" autoComplete={autofill("tel")} maxLength={LIMITS.phone} defaultValue={values.contactPhone ?? ""} />
            )}
          </Field>
          <Field name="contactEmail" label={labels.contactEmail} hint={hint("hints.email")} error={errors.contactEmail} max={LIMITS.email}>
            {(p) => (
              <input
                {...p}
                type="email"
                autoComplete={autofill("email")}
                maxLength={LIMITS.email}
                defaultValue={values.contactEmail ?? ""}
              />
            )}
          </Field>
          <Field name="contactAddress" label={labels.contactAddress} error={errors.contactAddress} max={LIMITS.address}>
            {(p) => (
              <textarea
                {...p}
                rows={3}
                autoComplete={autofill("street-address")}
                maxLength={LIMITS.address}
                defaultValue={values.contactAddress ?? ""}
              />
            )}
          </Field>
          {isPublic ? (
            <fieldset className={`field nested${errors.preferredContact ? " has-error" : ""}`} id="f-preferredContact">
              <legend>{labels.preferredContact}</legend>
              {errors.preferredContact ? <span className="field-error">{t(`common:${errors.preferredContact}`)}</span> : null}
              {PREFERRED_CONTACTS.map((c) => (
                <label className="choice" key={c}>
                  <input type="radio" name="preferredContact" value={c} defaultChecked={preferred === c} /> {t(`preferred.${c}`)}
                </label>
              ))}
            </fieldset>
          ) : (
            <Field name="preferredContact" label={labels.preferredContact} error={errors.preferredContact}>
              {(p) => (
                <select {...p} defaultValue={preferred}>
                  {PREFERRED_CONTACTS.map((x) => (
                    <option key={x} value={x}>
                      {t(`preferred.${x}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
        </fieldset>

        {props.after}

        <p>
          <button
            type="submit"
            className={isPublic ? "button" : "primary"}
            disabled={props.submitting}
            data-submitting-label={props.submittingLabel}
          >
            {props.submitting && props.submittingLabel ? props.submittingLabel : props.submitLabel}
          </button>
        </p>
      </Form>
    </>
  );
}

/** Fills latitude/longitude from the phone's location (app/enhance/locate-button.ts; only where JavaScript runs). */
function LocateButton({ latId, lngId }: { latId: string; lngId: string }) {
  const { t } = useTranslation("complaint");
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => (root.current ? mountLocateButton(root.current, t) : undefined), [t]);
  return <div ref={root} className="locate" data-locate="" data-lat={latId} data-lng={lngId} />;
}

export interface PrivacyNoticeData {
  orgName: string;
  retentionYears: number;
  privacyContact: string;
  orgPhone: string;
  orgEmail: string;
}

/** The privacy notice of the public form (what is collected, why, for how long, the citizen's rights). */
export function ComplaintPrivacyNotice({ data }: { data: PrivacyNoticeData }) {
  const { t } = useTranslation("complaint");
  const collected = t("privacy.collectedItems", { returnObjects: true }) as string[];
  const rights = t("privacy.rightsItems", { returnObjects: true }) as string[];
  return (
    <details className="card privacy-notice" id="privacy">
      <summary>{t("privacy.summary")}</summary>
      <h2>{t("privacy.title")}</h2>
      <p>{t("privacy.controller", { org: data.orgName })}</p>
      <h3>{t("privacy.collectedTitle")}</h3>
      <ul>
        {collected.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
      <h3>{t("privacy.purposeTitle")}</h3>
      <p>{t("privacy.purpose")}</p>
      <h3>{t("privacy.basisTitle")}</h3>
      <p>{t("privacy.basis")}</p>
      <h3>{t("privacy.sharingTitle")}</h3>
      <p>{t("privacy.sharing")}</p>
      <h3>{t("privacy.retentionTitle")}</h3>
      <p>{t("privacy.retention", { years: data.retentionYears })}</p>
      <h3>{t("privacy.rightsTitle")}</h3>
      <ul>
        {rights.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
      <h3>{t("privacy.contactTitle")}</h3>
      <p>{data.privacyContact || data.orgName}</p>
      {data.orgPhone ? <p>☎ {data.orgPhone}</p> : null}
      {data.orgEmail ? <p>{data.orgEmail}</p> : null}
    </details>
  );
}
