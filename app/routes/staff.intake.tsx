import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import type { ComplaintChannel } from "../../db/schema";
import { BuddhistDatePicker } from "~/components/date-picker";
import { Field } from "~/components/form";
import { ComplaintForm } from "~/components/complaint-form";
import { canRecordIntake } from "~/lib/permissions";
import { readBuddhistDateInput } from "~/lib/buddhist-date-input";
import { formatThaiDate, dateFromBangkokKey, bangkokDateKey } from "~/lib/thai-date";
import { isDomainError } from "~/lib/domain-error";
import { fieldErrors, isSubmissionKey } from "~/lib/validation";
import { MultipartError, parseMultipartUpload, storeUpload, UploadRejectedError } from "~/models/complaints/attachments.server";
import { complaintSchemaFor, createComplaint } from "~/models/complaints/filing.server";
import { intakeExtraSchema } from "~/models/complaints/intake-form.server";
import { listCategories, listVillages, nameIn } from "~/models/organisation/profile.server";
import { now } from "~/utils/clock.server";
import { randomToken } from "~/utils/crypto.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";
import { log } from "~/utils/logger.server";

export const handle = { i18n: ["complaint", "staff", "map"] };

export const INTAKE_CHANNELS = ["walk_in", "phone", "letter", "line", "facebook"] as const satisfies readonly ComplaintChannel[];

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
  const submissionKey = isSubmissionKey(values.submissionKey) ? values.submissionKey : randomToken(32);

  const picked = readBuddhistDateInput((k) => values[k], "receivedDate");
  const dateError = picked.ok || picked.problem === "missing" ? undefined : `common:datePicker.errors.${picked.problem}`;
  if (picked.ok) values.receivedDate = picked.key;

  const db = getDb();
  const main = (await complaintSchemaFor(db)).safeParse(values);
  const extra = intakeExtraSchema(INTAKE_CHANNELS).safeParse(values);
  if (!main.success || !extra.success || dateError) {
    const errors = {
      ...(main.success ? {} : fieldErrors(main.error)),
      ...(extra.success ? {} : fieldErrors(extra.error)),
      ...(dateError ? { receivedDate: dateError } : {}),
    };
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
    if (isDomainError(e) && e.field) {
      return json<ActionData>({ errors: { [e.field]: e.messageKey }, values, submissionKey }, { status: e.status });
    }
    throw e;
  }
}

function ReceiptSlip({ receipt }: { receipt: Receipt }) {
  const { t } = useTranslation("staff");
  return (
    <>
      <h1>{t("intake.receiptTitle")}</h1>
      {receipt.duplicate ? (
        <p className="warning">{t("intake.duplicate")}</p>
      ) : (
        <p className="success" role="status">
          {t("intake.recorded")}
        </p>
      )}
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
  return (
    <>
      <h1>{t("intake.title")}</h1>
      <p>{t("intake.intro")}</p>
      <ComplaintForm
        variant="intake"
        categories={data.categories}
        villages={data.villages}
        submissionKey={result?.submissionKey ?? data.submissionKey}
        values={v}
        errors={e}
        formError={result?.formError}
        extraLabels={{ channel: t("intake.channel"), receivedDate: t("intake.receivedDate") }}
        submitLabel={t("intake.submit")}
        before={
          <fieldset>
            <legend>{t("intake.receiving")}</legend>
            <Field name="channel" label={t("intake.channel")} error={e.channel} required>
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
            <BuddhistDatePicker
              id="f-receivedDate"
              name="receivedDate"
              label={t("intake.receivedDate")}
              hint={t("intake.receivedDateHint")}
              error={e.receivedDate ? t(e.receivedDate) : undefined}
              defaultValue={v.receivedDate}
              fromYear={Number(data.today.slice(0, 4)) - 1}
              toYear={Number(data.today.slice(0, 4))}
            />
            <Field name="citizenLang" label={t("intake.citizenLang")}>
              {(p) => (
                <select {...p} defaultValue={v.citizenLang ?? "th"}>
                  <option value="th">ไทย</option>
                  <option value="en">English</option>
                </select>
              )}
            </Field>
          </fieldset>
        }
      />
    </>
  );
}
