import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { z } from "zod";
import type { ComplaintChannel } from "../../db/schema";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { canRecordIntake } from "~/lib/permissions";
import { formatThaiDate, dateFromBangkokKey, bangkokDateKey } from "~/lib/thai-date";
import { complaintFormSchema, fieldErrors, LIMITS, PREFERRED_CONTACTS } from "~/lib/validation";
import { MultipartError, parseMultipartUpload, storeUpload, UploadRejectedError } from "~/models/attachment.server";
import { ComplaintInputError, createComplaint } from "~/models/complaint.server";
import { listCategories, listVillages, nameIn } from "~/models/org.server";
import { now } from "~/utils/clock.server";
import { randomToken } from "~/utils/crypto.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";
import { log } from "~/utils/logger.server";

export const INTAKE_CHANNELS = ["walk_in", "phone", "letter", "line", "facebook"] as const satisfies readonly ComplaintChannel[];

const extraSchema = z.object({
  channel: z.enum(INTAKE_CHANNELS, { error: "errors.invalidChoice" }),
  citizenLang: z.enum(["th", "en"]).catch("th"),
  receivedDate: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = (v ?? "").trim();
      if (!s) return undefined;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) {
        ctx.addIssue({ code: "custom", message: "staff:intake.badDate" });
        return z.NEVER;
      }
      const today = bangkokDateKey(now());
      const d = dateFromBangkokKey(s);
      if (Number.isNaN(d.getTime()) || s > today || now().getTime() - d.getTime() > 366 * 24 * 3600_000) {
        ctx.addIssue({ code: "custom", message: "staff:intake.badDate" });
        return z.NEVER;
      }
      return s;
    }),
});

async function options(lang: "th" | "en") {
  const db = getDb();
  const [categories, villages] = await Promise.all([listCategories(db), listVillages(db)]);
  return {
    categories: categories.map((c) => ({ code: c.code, name: nameIn(lang, c) })),
    villages: villages.map((v) => ({ number: v.number, name: nameIn(lang, v) })),
  };
}

async function requireIntakeStaff(request: Request) {
  const staff = await requireStaff(request);
  if (!canRecordIntake(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireIntakeStaff(request);
  const lang = getLang(request);
  return json({ ...(await options(lang)), submissionKey: randomToken(32), today: bangkokDateKey(now()) });
}

type Receipt = { reference: string; trackingCode: string; dueAt: string; receivedAt: string; channel: string; duplicate: boolean };
type ActionData = {
  errors?: Record<string, string>;
  formError?: string;
  values?: Record<string, string>;
  submissionKey?: string;
  receipt?: Receipt;
};

export async function action({ request }: ActionFunctionArgs) {
  const staff = await requireIntakeStaff(request);
  const lang = getLang(request);
  let form: FormData;
  let files: { name: string; data: Uint8Array }[] = [];
  try {
    const parsed = await parseMultipartUpload(request);
    form = parsed.form;
    files = parsed.files;
  } catch (e) {
    if (e instanceof MultipartError) {
      return json<ActionData>({ formError: e.messageKey, values: e.partial, submissionKey: e.partial.submissionKey }, { status: e.status });
    }
    throw e;
  }
  assertCsrf(request, form);
  const values: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string" && k !== "csrf") values[k] = v;
  const submissionKey = /^[A-Za-z0-9_-]{43}$/.test(values.submissionKey ?? "") ? values.submissionKey : randomToken(32);

  const db = getDb();
  const [categories, villages] = await Promise.all([listCategories(db), listVillages(db)]);
  const schema = complaintFormSchema({ categoryCodes: categories.map((c) => c.code), villageNumbers: villages.map((v) => v.number) });
  const main = schema.safeParse(values);
  const extra = extraSchema.safeParse(values);
  if (!main.success || !extra.success) {
    const errors = { ...(main.success ? {} : fieldErrors(main.error)), ...(extra.success ? {} : fieldErrors(extra.error)) };
    return json<ActionData>({ errors, values, submissionKey }, { status: 422 });
  }
  const uploadIds: string[] = [];
  try {
    for (const f of files) uploadIds.push(await storeUpload(f, db));
  } catch (e) {
    if (e instanceof UploadRejectedError) {
      return json<ActionData>({ errors: { attachments: e.messageKey }, values, submissionKey }, { status: 422 });
    }
    throw e;
  }
  const receivedDate = extra.data.receivedDate;
  // `receivedAt` is passed for createComplaint to honour (paper letters received on an earlier day).
  const input = {
    ...main.data,
    channel: extra.data.channel,
    lang: extra.data.citizenLang,
    submissionKey,
    recordedBy: staff.id,
    uploadIds,
    receivedAt: receivedDate ? dateFromBangkokKey(receivedDate) : undefined,
  };
  try {
    const created = await createComplaint(db, input);
    log.info("intake recorded", { complaintId: created.id, channel: extra.data.channel, staffId: staff.id });
    return json<ActionData>({
      receipt: {
        reference: created.reference,
        trackingCode: created.trackingCode,
        dueAt: formatThaiDate(new Date(created.dueAt), lang),
        receivedAt: formatThaiDate(new Date(created.receivedAt), lang, { withTime: true }),
        channel: extra.data.channel,
        duplicate: created.duplicate,
      },
    });
  } catch (e) {
    if (e instanceof ComplaintInputError) {
      return json<ActionData>({ errors: { [e.field]: e.messageKey }, values, submissionKey }, { status: 422 });
    }
    throw e;
  }
}

function ReceiptSlip({ receipt }: { receipt: Receipt }) {
  const { t } = useTranslation("staff");
  return (
    <>
      <h1>{t("intake.receiptTitle")}</h1>
      {receipt.duplicate ? <p className="warning">{t("intake.duplicate")}</p> : <p className="success" role="status">{t("intake.recorded")}</p>}
      <div className="receipt" data-testid="receipt">
        <h2>{t("intake.slipHeading")}</h2>
        <dl className="facts">
          <dt>{t("intake.reference")}</dt>
          <dd className="code-display" data-testid="reference">
            {receipt.reference}
          </dd>
          <dt>{t("intake.trackingCode")}</dt>
          <dd className="code-display" data-testid="tracking-code">
            {receipt.trackingCode}
          </dd>
          <dt>{t("intake.receivedAt")}</dt>
          <dd>
            {receipt.receivedAt} · {t(`channels.${receipt.channel}`)}
          </dd>
          <dt>{t("intake.dueAt")}</dt>
          <dd data-testid="due-date">{receipt.dueAt}</dd>
        </dl>
        <p>{t("intake.slipFollow")}</p>
        <p className="muted">{t("intake.slipKeep")}</p>
      </div>
      <p className="hint no-print">{t("intake.printHint")}</p>
      <p className="no-print">
        <Link to="/staff/intake" reloadDocument>
          {t("intake.another")}
        </Link>{" "}
        · <Link to={`/staff/cases/${receipt.reference}`}>{t("intake.openCase")}</Link>
      </p>
    </>
  );
}

export default function StaffIntake() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("staff");
  const { t: tc } = useTranslation("complaint");
  if (result?.receipt) return <ReceiptSlip receipt={result.receipt} />;
  const v = result?.values ?? {};
  const e = result?.errors ?? {};
  const labels: Record<string, string> = {
    channel: t("intake.channel"),
    receivedDate: t("intake.receivedDate"),
    category: tc("fields.category"),
    subject: tc("fields.subject"),
    details: tc("fields.details"),
    village: tc("fields.village"),
    landmark: tc("fields.landmark"),
    latitude: tc("fields.latitude"),
    longitude: tc("fields.longitude"),
    attachments: tc("fields.attachments"),
    contactName: tc("fields.contactName"),
    contactPhone: tc("fields.contactPhone"),
    contactEmail: tc("fields.contactEmail"),
    contactAddress: tc("fields.contactAddress"),
    preferredContact: tc("fields.preferredContact"),
  };
  return (
    <>
      <h1>{t("intake.title")}</h1>
      <p>{t("intake.intro")}</p>
      <ErrorSummary errors={e} labels={labels} formError={result?.formError} />
      <Form method="post" encType="multipart/form-data" noValidate reloadDocument>
        <CsrfField />
        <input type="hidden" name="submissionKey" value={result?.submissionKey ?? data.submissionKey} />
        <fieldset>
          <legend>{t("intake.receiving")}</legend>
          <Field name="channel" label={labels.channel} error={e.channel} required>
            {(p) => (
              <select {...p} defaultValue={v.channel ?? ""}>
                <option value="">{tc("choose")}</option>
                {INTAKE_CHANNELS.map((c) => (
                  <option key={c} value={c}>
                    {t(`channels.${c}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field name="receivedDate" label={labels.receivedDate} hint={t("intake.receivedDateHint")} error={e.receivedDate}>
            {(p) => <input {...p} type="date" max={data.today} defaultValue={v.receivedDate ?? ""} />}
          </Field>
          <Field name="citizenLang" label={t("intake.citizenLang")}>
            {(p) => (
              <select {...p} defaultValue={v.citizenLang ?? "th"}>
                <option value="th">ไทย</option>
                <option value="en">English</option>
              </select>
            )}
          </Field>
        </fieldset>
        <fieldset>
          <legend>{tc("sections.problem")}</legend>
          <Field name="category" label={labels.category} error={e.category} required>
            {(p) => (
              <select {...p} defaultValue={v.category ?? ""}>
                <option value="">{tc("choose")}</option>
                {data.categories.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field name="subject" label={labels.subject} error={e.subject} max={LIMITS.subject} required>
            {(p) => <input {...p} type="text" maxLength={LIMITS.subject} defaultValue={v.subject ?? ""} />}
          </Field>
          <Field name="details" label={labels.details} error={e.details} max={LIMITS.details} required>
            {(p) => <textarea {...p} maxLength={LIMITS.details} defaultValue={v.details ?? ""} />}
          </Field>
        </fieldset>
        <fieldset>
          <legend>{tc("sections.place")}</legend>
          <Field name="village" label={labels.village} error={e.village} required>
            {(p) => (
              <select {...p} defaultValue={v.village ?? ""}>
                <option value="">{tc("choose")}</option>
                {data.villages.map((x) => (
                  <option key={x.number} value={x.number}>
                    {tc("villageOption", { number: x.number, name: x.name })}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field name="landmark" label={labels.landmark} error={e.landmark} max={LIMITS.landmark}>
            {(p) => <input {...p} type="text" maxLength={LIMITS.landmark} defaultValue={v.landmark ?? ""} />}
          </Field>
          <Field name="latitude" label={labels.latitude} error={e.latitude}>
            {(p) => <input {...p} type="text" inputMode="decimal" defaultValue={v.latitude ?? ""} />}
          </Field>
          <Field name="longitude" label={labels.longitude} error={e.longitude}>
            {(p) => <input {...p} type="text" inputMode="decimal" defaultValue={v.longitude ?? ""} />}
          </Field>
        </fieldset>
        <fieldset>
          <legend>{tc("sections.files")}</legend>
          <Field name="attachments" label={labels.attachments} error={e.attachments}>
            {(p) => <input {...p} type="file" multiple accept="image/jpeg,image/png,image/webp,application/pdf" />}
          </Field>
        </fieldset>
        <fieldset>
          <legend>{tc("sections.contact")}</legend>
          <Field name="contactName" label={labels.contactName} error={e.contactName} max={LIMITS.name}>
            {(p) => <input {...p} type="text" autoComplete="off" maxLength={LIMITS.name} defaultValue={v.contactName ?? ""} />}
          </Field>
          <Field name="contactPhone" label={labels.contactPhone} error={e.contactPhone}>
            {(p) => <input {...p} type="tel" autoComplete="off" maxLength={LIMITS.phone} defaultValue={v.contactPhone ?? ""} />}
          </Field>
          <Field name="contactEmail" label={labels.contactEmail} error={e.contactEmail}>
            {(p) => <input {...p} type="email" autoComplete="off" maxLength={LIMITS.email} defaultValue={v.contactEmail ?? ""} />}
          </Field>
          <Field name="contactAddress" label={labels.contactAddress} error={e.contactAddress} max={LIMITS.address}>
            {(p) => <textarea {...p} maxLength={LIMITS.address} defaultValue={v.contactAddress ?? ""} />}
          </Field>
          <Field name="preferredContact" label={labels.preferredContact} error={e.preferredContact}>
            {(p) => (
              <select {...p} defaultValue={v.preferredContact ?? "none"}>
                {PREFERRED_CONTACTS.map((x) => (
                  <option key={x} value={x}>
                    {tc(`preferred.${x}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </fieldset>
        <button type="submit" className="primary">
          {t("intake.submit")}
        </button>
      </Form>
    </>
  );
}
