/**
 * /staff/setup — the organisation's own details: phone, e-mail, LINE ID, address, office hours and the name of every
 * หมู่. The first administrator to sign in is sent here before anything else (the staff layout redirects every
 * administrator until it is done); afterwards administrators edit the same details here (linked from /staff/admin).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { useTranslation } from "~/components/i18n";
import { canAdminister } from "~/lib/permissions";
import { isOrgSetupComplete } from "~/lib/org-contact";
import { getOrgProfile, listVillages } from "~/models/organisation/profile.server";
import { ORG_SETUP_LIMITS, readOrgSetupForm, saveOrgSetup, villageFieldName } from "~/models/organisation/setup.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, readFormData, safeRedirectPath } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["orgsetup"] };

export const meta: MetaFunction = () => [{ title: "ข้อมูลหน่วยงาน · Sujarit" }];

/** Where to go once saved: a back-office page other than this one. */
function nextPath(raw: unknown): string {
  const p = safeRedirectPath(raw, "/staff");
  const inStaff = p === "/staff" || p.startsWith("/staff/") || p.startsWith("/staff?");
  return inStaff && !p.startsWith("/staff/setup") && !p.startsWith("/staff/login") && !p.startsWith("/staff/logout") ? p : "/staff";
}

async function requireAdmin(request: Request) {
  const staff = await requireStaff(request);
  if (!canAdminister(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const db = getDb();
  const [org, villages] = await Promise.all([getOrgProfile(db), listVillages(db)]);
  return json(
    {
      firstTime: !isOrgSetupComplete(org),
      values: {
        phone: org.phone,
        email: org.email,
        lineId: org.line_id,
        addressTh: org.address_th,
        addressEn: org.address_en,
        officeHoursTh: org.office_hours_th,
        officeHoursEn: org.office_hours_en,
        ...Object.fromEntries(
          villages.flatMap((v) => [
            [villageFieldName(v.number, "th"), v.name_th],
            [villageFieldName(v.number, "en"), v.name_en],
          ]),
        ),
      } as Record<string, string>,
      villages: villages.map((v) => v.number),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

type ActionData = { errors: Record<string, string>; values: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const villages = (await listVillages(db)).map((v) => v.number);
  const { input, errors, values } = readOrgSetupForm(form, villages);
  if (!input) return json<ActionData>({ errors, values }, { status: 422, headers: { "Cache-Control": "no-store" } });
  await saveOrgSetup(db, admin, input);
  const to = nextPath(form.get("redirectTo"));
  return redirect(to === "/staff" ? "/staff?saved=org" : to);
}

const FIELD_ORDER = ["phone", "email", "lineId", "addressTh", "addressEn", "officeHoursTh", "officeHoursEn"] as const;

export default function OrgSetupRoute() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [params] = useSearchParams();
  const { t } = useTranslation("orgsetup");
  const values = result?.values ?? data.values;
  const errors = result?.errors ?? {};
  const labels: Record<string, string> = Object.fromEntries(FIELD_ORDER.map((k) => [k, t(`fields.${k}`)]));
  for (const n of data.villages) {
    labels[villageFieldName(n, "th")] = t("fields.villageTh", { number: n });
    labels[villageFieldName(n, "en")] = t("fields.villageEn", { number: n });
  }
  const limits: Record<string, number> = {
    addressTh: ORG_SETUP_LIMITS.address,
    addressEn: ORG_SETUP_LIMITS.address,
    officeHoursTh: ORG_SETUP_LIMITS.hours,
    officeHoursEn: ORG_SETUP_LIMITS.hours,
    email: ORG_SETUP_LIMITS.email,
  };
  const text = (name: string, opts: { type?: string; hint?: string; required?: boolean; autoComplete?: string } = {}) => (
    <Field name={name} label={labels[name]} hint={opts.hint} error={errors[name]} max={limits[name]} required={opts.required}>
      {(p) => <input {...p} type={opts.type ?? "text"} autoComplete={opts.autoComplete ?? "off"} defaultValue={values[name] ?? ""} />}
    </Field>
  );
  return (
    <div className="org-setup" data-first-time={data.firstTime ? "yes" : "no"} data-testid="org-setup">
      <h1>{t("title")}</h1>
      <p className="lead">{data.firstTime ? t("intro") : t("editIntro")}</p>
      <ErrorSummary errors={errors} labels={labels} limits={limits} />
      <Form method="post" noValidate className="card" data-testid="org-setup-form" key={JSON.stringify(values)}>
        <CsrfField />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/staff"} />
        <fieldset>
          <legend>{t("contactLegend")}</legend>
          {text("phone", { type: "tel", hint: t("hints.phone"), required: true })}
          {text("email", { type: "email", hint: t("hints.email") })}
          {text("lineId", { hint: t("hints.lineId") })}
        </fieldset>
        <fieldset>
          <legend>{t("officeLegend")}</legend>
          <Field name="addressTh" label={labels.addressTh} error={errors.addressTh} max={limits.addressTh} required>
            {(p) => <textarea {...p} rows={3} defaultValue={values.addressTh ?? ""} />}
          </Field>
          <Field name="addressEn" label={labels.addressEn} error={errors.addressEn} max={limits.addressEn}>
            {(p) => <textarea {...p} rows={3} defaultValue={values.addressEn ?? ""} />}
          </Field>
          {text("officeHoursTh", { hint: t("hints.officeHoursTh"), required: true })}
          {text("officeHoursEn")}
        </fieldset>
        <fieldset>
          <legend>{t("villagesLegend")}</legend>
          <p className="hint">{t("villagesHint")}</p>
          {data.villages.map((n) => (
            <div className="village-names" key={n}>
              {text(villageFieldName(n, "th"), { required: true })}
              {text(villageFieldName(n, "en"))}
            </div>
          ))}
        </fieldset>
        <p>
          <button type="submit" className="primary" disabled={navigation.state === "submitting"}>
            {t("save")}
          </button>
        </p>
      </Form>
    </div>
  );
}
