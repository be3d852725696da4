/**
 * The public complaint form. A rejected post comes back (422) with everything typed; an accepted one redirects to
 * /complaints/done, which shows the receipt (so a reload never re-posts the form). Works without JavaScript.
 */
import { useEffect, useRef, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary, Field, HoneypotField } from "~/components/form";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { randomToken } from "~/utils/crypto.server";
import { clientOf, limits } from "~/utils/rate-limit.server";
import { log, errorFields } from "~/utils/logger.server";
import { assertCsrf, getLang } from "~/utils/request.server";
import { getOrgProfile, listCategories, listVillages, nameIn } from "~/models/org.server";
import {
  MultipartError,
  UploadRejectedError,
  maybeCleanupPendingUploads,
  parseMultipartUpload,
  resolveKeptUploads,
  storeUploadInfo,
  type PendingUploadInfo,
} from "~/models/attachment.server";
import { ComplaintInputError, createComplaint, isSubmissionKey } from "~/models/complaint.server";
import { receiptCookie } from "~/models/receipt.server";
import { complaintFormSchema, fieldErrors, LIMITS, PREFERRED_CONTACTS } from "~/lib/validation";
import { formatThaiDate } from "~/lib/thai-date";
import type { Lang } from "~/i18n";
import { passThroughHeaders } from "~/utils/route-headers";

export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [{ title: "ยื่นเรื่องร้องทุกข์ · Sujarit" }];

/** Text fields of the form that are echoed back when it is rejected. */
const TEXT_FIELDS = [
  "category",
  "subject",
  "details",
  "village",
  "landmark",
  "latitude",
  "longitude",
  "contactName",
  "contactPhone",
  "contactEmail",
  "contactAddress",
  "preferredContact",
] as const;
type TextField = (typeof TEXT_FIELDS)[number];
type Values = Partial<Record<TextField | "submissionKey", string>>;

interface ErrorData {
  status: "error";
  formError: string | null;
  errors: Record<string, string>;
  values: Values;
  kept: PendingUploadInfo[];
  rejectedFiles: { name: string; key: string }[];
  /** Changes with every answer so the uncontrolled form is re-created with the returned values. */
  formKey: string;
}
type ActionData = ErrorData;

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const lang = getLang(request);
  const [org, categories, villages] = await Promise.all([getOrgProfile(db), listCategories(db), listVillages(db)]);
  return json(
    {
      lang,
      orgName: nameIn(lang, org),
      slaDays: org.sla_days,
      countingMode: org.counting_mode,
      retentionYears: org.retention_years,
      privacyContact: lang === "en" ? org.privacy_contact_en : org.privacy_contact_th,
      orgPhone: org.phone,
      orgEmail: org.email,
      categories: categories.map((c) => ({ code: c.code, name: nameIn(lang, c) })),
      villages: villages.map((v) => ({ number: v.number, name: nameIn(lang, v) })),
      submissionKey: randomToken(32),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

function textValues(form: FormData | Record<string, string>): Values {
  const out: Values = {};
  for (const k of [...TEXT_FIELDS, "submissionKey"] as const) {
    const v = form instanceof FormData ? form.get(k) : form[k];
    if (typeof v === "string") out[k] = v.slice(0, 6000);
  }
  return out;
}

const FIELD_ORDER: string[] = [...TEXT_FIELDS.slice(0, 7), "attachments", ...TEXT_FIELDS.slice(7)];

/** Errors ordered as the fields appear on the page (the error summary lists them in this order). */
function inFormOrder(errors: Record<string, string>): Record<string, string> {
  const rank = (k: string) => (FIELD_ORDER.includes(k) ? FIELD_ORDER.indexOf(k) : FIELD_ORDER.length);
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b)));
}

function errorResponse(status: number, data: Omit<ErrorData, "status" | "formKey">, headers?: HeadersInit) {
  return json<ActionData>({ status: "error", formKey: randomToken(6), ...data }, { status, headers });
}

/**
 * Rate limit per client: every post counts, except a rejected form (422) that brought no new files, so that
 * someone correcting typos is never locked out while bulk posting and upload floods are.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const limiter = limits.publicForm();
  const client = clientOf(context);
  const blocked = limiter.peek(client);
  if (blocked.blocked) {
    return errorResponse(
      429,
      { errors: {}, values: {}, kept: [], rejectedFiles: [], formError: "complaint:errors.rateLimited" },
      { "Retry-After": String(Math.max(1, blocked.retryAfterSec)) },
    );
  }
  const state = { newFiles: 0 };
  let response: Response | undefined;
  try {
    response = await handleSubmission(request, state);
    return response;
  } finally {
    if (!response || response.status !== 422 || state.newFiles > 0) limiter.hit(client);
  }
}

async function handleSubmission(request: Request, state: { newFiles: number }): Promise<Response> {
  const lang = getLang(request);
  const db = getDb();
  const empty = { errors: {}, values: {}, kept: [], rejectedFiles: [] };

  let parsed;
  try {
    parsed = await parseMultipartUpload(request);
  } catch (e) {
    if (e instanceof MultipartError) {
      return errorResponse(e.status, { ...empty, values: textValues(e.partial), formError: e.messageKey });
    }
    throw e;
  }
  const form = parsed.form;
  state.newFiles = parsed.files.length;
  assertCsrf(request, form, lang);

  const website = form.get("website");
  if (typeof website === "string" && website.trim() !== "") {
    return errorResponse(400, { ...empty, formError: "complaint:errors.rejected" });
  }
  const submissionKey = form.get("submissionKey");
  if (!isSubmissionKey(submissionKey)) {
    return errorResponse(400, { ...empty, values: textValues(form), formError: "complaint:errors.malformedForm" });
  }
  maybeCleanupPendingUploads(db);

  // Files: those kept from an earlier post (minus the ones the citizen removed), then the new ones.
  const errors: Record<string, string> = {};
  const removed = new Set(form.getAll("removeUpload").filter((x): x is string => typeof x === "string"));
  const keptIds = form.getAll("keptUploads").filter((x) => typeof x === "string" && !removed.has(x));
  const kept = await resolveKeptUploads(db, keptIds);
  if (kept.missing > 0) errors.attachments = "complaint:errors.uploadExpired";
  const files: PendingUploadInfo[] = [...kept.found];
  const rejectedFiles: { name: string; key: string }[] = [];
  for (const f of parsed.files) {
    try {
      files.push(await storeUploadInfo(f, db));
    } catch (e) {
      if (!(e instanceof UploadRejectedError)) {
        log.error("upload could not be stored", errorFields(e));
        rejectedFiles.push({ name: f.name.slice(0, 120), key: "complaint:errors.fileNotSaved" });
      } else rejectedFiles.push({ name: f.name.slice(0, 120), key: e.messageKey });
    }
  }
  if (rejectedFiles.length > 0) errors.attachments = rejectedFiles.length === 1 ? rejectedFiles[0].key : "complaint:errors.filesRejected";
  if (files.length > LIMITS.maxFiles) errors.attachments = "complaint:errors.tooManyFiles";
  else if (files.reduce((n, f) => n + f.size, 0) > LIMITS.maxTotalBytes) errors.attachments = "complaint:errors.filesTooLarge";

  const schema = await formSchema(db);
  const raw: Record<string, string | undefined> = {};
  for (const k of TEXT_FIELDS) {
    const v = form.get(k);
    raw[k] = typeof v === "string" ? v : undefined;
  }
  const result = schema.safeParse(raw);
  if (!result.success) Object.assign(errors, { ...fieldErrors(result.error), ...errors });

  const values = { ...textValues(form), submissionKey };
  if (!result.success || Object.keys(errors).length > 0) {
    return errorResponse(422, { formError: null, errors: inFormOrder(errors), values, kept: files, rejectedFiles });
  }

  const input = result.data;
  let created;
  try {
    created = await createComplaint(db, {
      ...input,
      channel: "web",
      lang,
      submissionKey,
      recordedBy: null,
      uploadIds: files.map((f) => f.id),
    });
  } catch (e) {
    if (e instanceof ComplaintInputError) {
      return errorResponse(422, { formError: null, errors: { [e.field]: e.messageKey }, values, kept: [], rejectedFiles });
    }
    throw e;
  }

  return redirect("/complaints/done", {
    headers: {
      "Set-Cookie": receiptCookie({
        reference: created.reference,
        trackingCode: created.trackingCode,
        receivedAt: created.receivedAt,
        dueAt: created.dueAt,
        hasContact: Boolean(input.contactEmail || input.contactPhone || input.contactAddress),
        hasEmail: Boolean(input.contactEmail),
      }),
    },
  });
}

/** The form's schema, rebuilt only when the offered categories or villages change. */
let schemaCache: { categories: unknown; villages: unknown; schema: ReturnType<typeof complaintFormSchema> } | null = null;
async function formSchema(db: ReturnType<typeof getDb>) {
  const [categories, villages] = await Promise.all([listCategories(db), listVillages(db)]);
  if (!schemaCache || schemaCache.categories !== categories || schemaCache.villages !== villages) {
    schemaCache = {
      categories,
      villages,
      schema: complaintFormSchema({ categoryCodes: categories.map((c) => c.code), villageNumbers: villages.map((v) => v.number) }),
    };
  }
  return schemaCache.schema;
}

export default function NewComplaintRoute() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ErrorData | undefined;
  return <ComplaintForm data={data} result={actionData} />;
}

function useHydrated() {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function ComplaintForm({ data, result }: { data: LoaderData; result: ErrorData | undefined }) {
  const { t } = useTranslation("complaint");
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const values = result?.values ?? {};
  const errors = result?.errors ?? {};
  const kept = result?.kept ?? [];
  const submissionKey = values.submissionKey && /^[A-Za-z0-9_-]{43}$/.test(values.submissionKey) ? values.submissionKey : data.submissionKey;
  const labels: Record<string, string> = {
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
  const latRef = useRef<HTMLInputElement>(null);
  const lngRef = useRef<HTMLInputElement>(null);
  const preferred = values.preferredContact && (PREFERRED_CONTACTS as readonly string[]).includes(values.preferredContact) ? values.preferredContact : "none";

  return (
    <>
      <h1>{t("title")}</h1>
      <p className="lead">{t("intro", { days: data.slaDays })}</p>
      <ErrorSummary errors={errors} labels={labels} formError={result?.formError ?? null} />
      <Form method="post" encType="multipart/form-data" key={result?.formKey ?? "initial"} className="complaint-form">
        <CsrfField />
        <HoneypotField />
        <input type="hidden" name="submissionKey" value={submissionKey} />

        <fieldset>
          <legend>{t("sections.problem")}</legend>
          <Field name="category" label={labels.category} error={errors.category} required>
            {(p) => (
              <select {...p} defaultValue={values.category ?? ""}>
                <option value="">{t("choose")}</option>
                {data.categories.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field name="subject" label={labels.subject} hint={t("hints.subject")} error={errors.subject} max={LIMITS.subject} required>
            {(p) => <input {...p} type="text" maxLength={LIMITS.subject} defaultValue={values.subject ?? ""} />}
          </Field>
          <Field name="details" label={labels.details} hint={t("hints.details")} error={errors.details} max={LIMITS.details} required>
            {(p) => <textarea {...p} rows={6} maxLength={LIMITS.details} defaultValue={values.details ?? ""} />}
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t("sections.place")}</legend>
          <Field name="village" label={labels.village} error={errors.village} required>
            {(p) => (
              <select {...p} defaultValue={values.village ?? ""}>
                <option value="">{t("choose")}</option>
                {data.villages.map((v) => {
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
          <Field name="landmark" label={labels.landmark} hint={t("hints.landmark")} error={errors.landmark} max={LIMITS.landmark}>
            {(p) => <input {...p} type="text" maxLength={LIMITS.landmark} defaultValue={values.landmark ?? ""} />}
          </Field>
          <p className="hint" id="coords-hint">
            {t("hints.coordinates")}
          </p>
          <div className="coords">
            <Field name="latitude" label={labels.latitude} error={errors.latitude}>
              {(p) => (
                <input {...p} ref={latRef} type="text" inputMode="decimal" autoComplete="off" placeholder="14.123456" defaultValue={values.latitude ?? ""} />
              )}
            </Field>
            <Field name="longitude" label={labels.longitude} error={errors.longitude}>
              {(p) => (
                <input {...p} ref={lngRef} type="text" inputMode="decimal" autoComplete="off" placeholder="100.123456" defaultValue={values.longitude ?? ""} />
              )}
            </Field>
          </div>
          <LocateButton latRef={latRef} lngRef={lngRef} />
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
          {result?.rejectedFiles?.length ? (
            <ul className="rejected-files">
              {result.rejectedFiles.map((f, i) => (
                <li key={i}>
                  {f.name}: {t(f.key.replace(/^complaint:/, ""))}
                </li>
              ))}
            </ul>
          ) : null}
          <Field
            name="attachments"
            label={labels.attachments}
            hint={t("hints.attachments", { files: LIMITS.maxFiles, mb: LIMITS.maxFileBytes / (1024 * 1024), totalMb: LIMITS.maxTotalBytes / (1024 * 1024) })}
            error={errors.attachments}
          >
            {(p) => <input {...p} type="file" multiple accept="image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf" />}
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t("sections.contact")}</legend>
          <p className="notice">{t("contactOptional")}</p>
          <Field name="contactName" label={labels.contactName} error={errors.contactName} max={LIMITS.name}>
            {(p) => <input {...p} type="text" autoComplete="name" maxLength={LIMITS.name} defaultValue={values.contactName ?? ""} />}
          </Field>
          <Field name="contactPhone" label={labels.contactPhone} hint={t("hints.phone")} error={errors.contactPhone} max={LIMITS.phone}>
            {(p) => <input {...p} type="tel" autoComplete="tel" maxLength={LIMITS.phone + 10} defaultValue={values.contactPhone ?? ""} />}
          </Field>
          <Field name="contactEmail" label={labels.contactEmail} hint={t("hints.email")} error={errors.contactEmail} max={LIMITS.email}>
            {(p) => <input {...p} type="email" autoComplete="email" maxLength={LIMITS.email} defaultValue={values.contactEmail ?? ""} />}
          </Field>
          <Field name="contactAddress" label={labels.contactAddress} error={errors.contactAddress} max={LIMITS.address}>
            {(p) => <textarea {...p} rows={3} autoComplete="street-address" maxLength={LIMITS.address} defaultValue={values.contactAddress ?? ""} />}
          </Field>
          <fieldset className={`field nested${errors.preferredContact ? " has-error" : ""}`} id="f-preferredContact">
            <legend>{labels.preferredContact}</legend>
            {errors.preferredContact ? <span className="field-error">{t(`common:${errors.preferredContact}`)}</span> : null}
            {PREFERRED_CONTACTS.map((c) => (
              <label className="choice" key={c}>
                <input type="radio" name="preferredContact" value={c} defaultChecked={preferred === c} /> {t(`preferred.${c}`)}
              </label>
            ))}
          </fieldset>
        </fieldset>

        <PrivacyNotice data={data} />

        <p>
          <button type="submit" className="button" disabled={submitting}>
            {submitting ? t("sending") : t("submit")}
          </button>
        </p>
      </Form>
    </>
  );
}

/** Fills latitude/longitude from the phone's location (only when JavaScript runs; the fields can also be typed). */
function LocateButton({ latRef, lngRef }: { latRef: React.RefObject<HTMLInputElement>; lngRef: React.RefObject<HTMLInputElement> }) {
  const { t } = useTranslation("complaint");
  const hydrated = useHydrated();
  const [message, setMessage] = useState("");
  if (!hydrated || typeof navigator === "undefined" || !("geolocation" in navigator)) return null;
  const locate = () => {
    setMessage(t("locate.working"));
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        if (latRef.current) latRef.current.value = pos.coords.latitude.toFixed(6);
        if (lngRef.current) lngRef.current.value = pos.coords.longitude.toFixed(6);
        setMessage(t("locate.done"));
      },
      () => setMessage(t("locate.failed")),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  };
  return (
    <div className="locate">
      <button type="button" className="button secondary" onClick={locate}>
        {t("locate.button")}
      </button>
      <p className="hint" role="status" aria-live="polite">
        {message}
      </p>
    </div>
  );
}

function PrivacyNotice({ data }: { data: LoaderData }) {
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
