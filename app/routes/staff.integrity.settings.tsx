/**
 * /staff/integrity/settings — admin only: who receives reports routed to the alternate recipient (a staff account with
 * role integrity), how /report names that recipient (Thai/English), how long closed reports are kept, and the
 * acknowledgement / feedback deadlines. No report is shown or reachable from here. Every change is audited.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { canManageReportSettings } from "~/lib/permissions";
import { fieldErrors } from "~/lib/validation";
import {
  getIntegritySettings,
  integritySettingsSchema,
  listIntegrityOfficers,
  updateIntegritySettings,
} from "~/models/report/integrity-settings.server";
import { getDb } from "~/utils/db.server";
import { isDomainError } from "~/lib/domain-error";
import { log } from "~/utils/logger.server";
import { assertCsrf, readFormData } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["integrity"] };

export const meta: MetaFunction = () => [
  { title: "สุจริต · ตั้งค่าช่องทางแจ้งเบาะแสการทุจริต / Report channel settings" },
  { name: "robots", content: "noindex, nofollow" },
];

async function requireSettingsAdmin(request: Request) {
  const staff = await requireStaff(request);
  if (!canManageReportSettings(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireSettingsAdmin(request);
  const db = getDb();
  const [settings, officers] = await Promise.all([getIntegritySettings(db), listIntegrityOfficers(db)]);
  return json({ settings, officers });
}

type ActionData = { errors: Record<string, string>; values: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireSettingsAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const values = Object.fromEntries(
    ["alternateStaffId", "alternateLabelTh", "alternateLabelEn", "retentionYears", "ackDays", "feedbackDays"].map((k) => {
      const v = form.get(k);
      return [k, typeof v === "string" ? v.slice(0, 400) : ""];
    }),
  );
  const parsed = integritySettingsSchema.safeParse(values);
  if (!parsed.success) return json<ActionData>({ errors: fieldErrors(parsed.error), values }, { status: 422 });
  try {
    const changed = await updateIntegritySettings(getDb(), admin, parsed.data);
    log.info("integrity settings", { staffId: admin.id, changed: changed.length });
  } catch (e) {
    if (isDomainError(e) && e.field) return json<ActionData>({ errors: { [e.field]: e.messageKey }, values }, { status: e.status });
    throw e;
  }
  return redirect("/staff/integrity/settings?saved=1");
}

export default function IntegritySettingsPage() {
  const { settings, officers } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const { t } = useTranslation("integrity");
  const v = (k: string, fallback: string | number | null) => data?.values?.[k] ?? (fallback === null ? "" : String(fallback));
  const labels = {
    alternateStaffId: t("settings.alternate"),
    alternateLabelTh: t("settings.labelTh"),
    alternateLabelEn: t("settings.labelEn"),
    retentionYears: t("settings.retention"),
    ackDays: t("settings.ackDays"),
    feedbackDays: t("settings.feedbackDays"),
  };
  const err = (k: string) => {
    const e = data?.errors?.[k];
    return e ? (e.includes(":") ? e : `common:${e}`) : undefined;
  };
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t("settings.title")}</h1>
      <p>{t("settings.intro")}</p>
      {params.get("saved") && !data ? (
        <p className="notice success" role="status" data-testid="saved">
          {t("settings.saved")}
        </p>
      ) : null}
      <ErrorSummary
        errors={data?.errors ? Object.fromEntries(Object.keys(data.errors).map((k) => [k, err(k)!])) : undefined}
        labels={labels}
      />
      <Form method="post" noValidate className="card">
        <CsrfField />
        <h2>{t("settings.alternateTitle")}</h2>
        <p className="hint">{t("settings.alternateIntro")}</p>
        <Field name="alternateStaffId" label={labels.alternateStaffId} hint={t("settings.alternateHint")} error={err("alternateStaffId")}>
          {(p) => (
            <select {...p} defaultValue={v("alternateStaffId", settings.alternate_staff_id)}>
              <option value="">{t("settings.noAlternate")}</option>
              {officers.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name} ({o.email})
                </option>
              ))}
            </select>
          )}
        </Field>
        {officers.length === 0 ? <p className="notice warning">{t("settings.noOfficers")}</p> : null}
        <Field
          name="alternateLabelTh"
          label={labels.alternateLabelTh}
          hint={t("settings.labelHint")}
          error={err("alternateLabelTh")}
          max={200}
        >
          {(p) => <input {...p} type="text" maxLength={200} defaultValue={v("alternateLabelTh", settings.alternate_label_th)} />}
        </Field>
        <Field name="alternateLabelEn" label={labels.alternateLabelEn} error={err("alternateLabelEn")} max={200}>
          {(p) => <input {...p} type="text" maxLength={200} defaultValue={v("alternateLabelEn", settings.alternate_label_en)} />}
        </Field>
        <h2>{t("settings.deadlinesTitle")}</h2>
        <Field name="ackDays" label={labels.ackDays} hint={t("settings.ackHint")} error={err("ackDays")}>
          {(p) => <input {...p} type="number" inputMode="numeric" min={1} max={90} defaultValue={v("ackDays", settings.ack_days)} />}
        </Field>
        <Field name="feedbackDays" label={labels.feedbackDays} hint={t("settings.feedbackHint")} error={err("feedbackDays")}>
          {(p) => (
            <input {...p} type="number" inputMode="numeric" min={1} max={365} defaultValue={v("feedbackDays", settings.feedback_days)} />
          )}
        </Field>
        <h2>{t("settings.retentionTitle")}</h2>
        <Field name="retentionYears" label={labels.retentionYears} hint={t("settings.retentionHint")} error={err("retentionYears")}>
          {(p) => (
            <input {...p} type="number" inputMode="numeric" min={1} max={50} defaultValue={v("retentionYears", settings.retention_years)} />
          )}
        </Field>
        <button type="submit" className="primary">
          {t("settings.save")}
        </button>
      </Form>
    </section>
  );
}
