import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { proxyWarning } from "~/utils/client-address.server";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { canAdminister } from "~/lib/permissions";
import { fieldErrors } from "~/lib/validation";
import { safeText } from "~/lib/validation.server";
import { formatThaiDate } from "~/lib/thai-date";
import {
  addCategory,
  addDivision,
  addVillage,
  namedRowSchema,
  orgProfileSchema,
  rowIdField,
  updateOrgProfile,
  updateRefRow,
} from "~/models/organisation/settings.server";
import { getOrgProfile, listCategories, listDivisions, listVillages, nameIn } from "~/models/organisation/profile.server";
import { listStaff } from "~/models/staff/staff.server";
import { getDb } from "~/utils/db.server";
import { isDomainError } from "~/lib/domain-error";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";
import { log } from "~/utils/logger.server";
import { getHealth } from "~/models/operations/health.server";
import { healthWarnings } from "~/models/operations/health-warnings.server";
import { HealthWarnings, ReferenceDataSections, StaffSection } from "~/components/admin-settings";
import { useAppPath } from "~/components/app-path";

export const handle = { i18n: ["staff", "orgsetup"] };

async function requireAdmin(request: Request) {
  const staff = await requireStaff(request);
  if (!canAdminister(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const db = getDb();
  const lang = getLang(request);
  const [org, staff, divisions, villages, categories] = await Promise.all([
    getOrgProfile(db),
    listStaff(db),
    listDivisions(db, { activeOnly: false }),
    listVillages(db, { activeOnly: false }),
    listCategories(db, { activeOnly: false }),
  ]);
  const proxy = proxyWarning();
  const health = await getHealth(db);
  return json({
    org,
    proxyWarning: proxy.seen ? { since: proxy.since } : null,
    healthWarnings: healthWarnings(health, lang),
    staff: staff.map((s) => ({
      id: s.id,
      name: s.name,
      email: s.email,
      role: s.role,
      active: s.active === 1,
      division: s.division_code ? nameIn(lang, { name_th: s.division_name_th ?? "", name_en: s.division_name_en ?? "" }) : "",
      lastLogin: s.last_login_at ? formatThaiDate(new Date(s.last_login_at), lang, { withTime: true, short: true }) : "",
    })),
    divisions,
    villages,
    categories,
  });
}

type ActionData = { intent?: string; errors?: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const values = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string>;
  const intent = values.intent;
  const fail = (errors: Record<string, string>, status = 422) => json<ActionData>({ intent, errors }, { status });
  try {
    if (intent === "profile") {
      const p = orgProfileSchema.safeParse(values);
      if (!p.success) return fail(fieldErrors(p.error));
      await updateOrgProfile(db, admin, p.data);
    } else if (intent === "addDivision" || intent === "addVillage" || intent === "addCategory") {
      const p = namedRowSchema.extend({ code: safeText(40, intent !== "addVillage") }).safeParse(values);
      if (!p.success) return fail(fieldErrors(p.error));
      if (intent === "addDivision") await addDivision(db, admin, p.data);
      else if (intent === "addVillage") await addVillage(db, admin, { ...p.data, number: Number(values.number) });
      else {
        const d = rowIdField.safeParse(values.divisionId);
        if (!d.success) return fail({ divisionId: "errors.invalidChoice" });
        await addCategory(db, admin, { ...p.data, divisionId: d.data });
      }
    } else if (intent === "updateRow") {
      const table = values.table;
      if (table !== "divisions" && table !== "villages" && table !== "categories") return fail({ table: "errors.invalidChoice" }, 400);
      const id = rowIdField.safeParse(values.id);
      const p = namedRowSchema.safeParse(values);
      if (!id.success) return fail({ id: "errors.invalidChoice" }, 400);
      if (!p.success) return fail(fieldErrors(p.error));
      const divisionId = table === "categories" && values.divisionId ? Number(values.divisionId) : undefined;
      const ok = await updateRefRow(db, admin, table, id.data, { ...p.data, active: values.active === "1", divisionId });
      if (!ok) throw json({ messageKey: "errorPage.notFound" }, { status: 404 });
    } else {
      return fail({ intent: "errors.invalidChoice" }, 400);
    }
  } catch (e) {
    if (isDomainError(e) && e.field) return fail({ [e.field]: `${e.ns ? `${e.ns}:` : ""}${e.messageKey}` });
    throw e;
  }
  log.info("admin change", { intent, staffId: admin.id });
  return redirect(`/staff/admin?saved=${intent}`);
}

export default function StaffAdmin() {
  const appHref = useAppPath();
  const tOrg = useTranslation("orgsetup").t;
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [search] = useSearchParams();
  const { t } = useTranslation("staff");
  const o = data.org;
  const e = result?.intent === "profile" ? (result.errors ?? {}) : {};
  const profileFields = [
    ["name_th", 200],
    ["name_en", 200],
    ["address_th", 500],
    ["address_en", 500],
    ["phone", 50],
    ["email", 254],
    ["website", 300],
    ["privacy_contact_th", 500],
    ["privacy_contact_en", 500],
  ] as const;
  const labels = Object.fromEntries([
    ...profileFields.map(([f]) => [f, t(`admin.fields.${f}`)]),
    ["sla_days", t("admin.fields.sla_days")],
    ["due_soon_days", t("admin.fields.due_soon_days")],
    ["code", t("admin.code")],
    ["number", t("admin.number")],
    ["divisionId", t("admin.division")],
    ["name_th", t("admin.nameTh")],
    ["name_en", t("admin.nameEn")],
  ]);
  return (
    <>
      <h1>{t("admin.title")}</h1>
      <p>
        <a href={appHref("/staff/setup")} data-testid="org-setup-link">
          {tOrg("adminLink")}
        </a>
      </p>
      {data.proxyWarning ? (
        <div className="notice warning" role="alert" data-testid="proxy-warning">
          <p>{t("admin.proxyWarning", { since: data.proxyWarning.since ?? "" })}</p>
        </div>
      ) : null}
      {data.healthWarnings.length > 0 ? <HealthWarnings warnings={data.healthWarnings} /> : null}
      {search.get("saved") && !result ? (
        <p className="success" role="status">
          {t("admin.saved")}
        </p>
      ) : null}
      {result?.errors && result.intent !== "profile" ? <ErrorSummary errors={result.errors} labels={labels} /> : null}
      <section className="card" aria-labelledby="org-title">
        <h2 id="org-title">{t("admin.profile")}</h2>
        <ErrorSummary errors={e} labels={labels} />
        <Form method="post">
          <CsrfField />
          <input type="hidden" name="intent" value="profile" />
          {profileFields.map(([f, max]) => (
            <Field key={f} name={f} label={labels[f]} error={e[f]} max={max}>
              {(p) => <input {...p} type="text" maxLength={max} defaultValue={String(o[f] ?? "")} />}
            </Field>
          ))}
          <Field name="sla_days" label={labels.sla_days} error={e.sla_days}>
            {(p) => <input {...p} type="number" min={1} max={90} defaultValue={o.sla_days} />}
          </Field>
          <Field name="due_soon_days" label={labels.due_soon_days} error={e.due_soon_days}>
            {(p) => <input {...p} type="number" min={0} max={30} defaultValue={o.due_soon_days} />}
          </Field>
          <button type="submit" className="primary">
            {t("admin.save")}
          </button>
        </Form>
      </section>

      <StaffSection staff={data.staff} />

      <ReferenceDataSections divisions={data.divisions} villages={data.villages} categories={data.categories} />
    </>
  );
}
