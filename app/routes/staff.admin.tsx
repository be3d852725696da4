import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { proxyWarning } from "~/utils/client-address.server";
import { z } from "zod";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { canAdminister } from "~/lib/permissions";
import { fieldErrors, safeText } from "~/lib/validation";
import { formatThaiDate } from "~/lib/thai-date";
import {
  addCategory,
  addDivision,
  addVillage,
  namedRowSchema,
  orgProfileSchema,
  updateOrgProfile,
  updateRefRow,
} from "~/models/org-admin.server";
import { getOrgProfile, listCategories, listDivisions, listVillages, nameIn } from "~/models/org.server";
import { listStaff } from "~/models/staff.server";
import { getDb } from "~/utils/db.server";
import { isDomainError } from "~/lib/domain-error";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";
import { log } from "~/utils/logger.server";
import { getHealth, OUTBOX_PENDING_MAX_AGE_S, DISK_MIN_FREE_BYTES, type HealthReport } from "~/models/health.server";
import { dateFromBangkokKey } from "~/lib/thai-date";
import type { Lang } from "~/i18n";

/** The /healthz problems as admin-page warnings (message key under admin.health, values, a page to fix it). */
type HealthWarning = { problem: string; key: string; vars: Record<string, string>; link?: string };

function healthWarnings(h: HealthReport, lang: Lang): HealthWarning[] {
  const day = (key: string | null) => (key ? formatThaiDate(dateFromBangkokKey(key), lang) : "");
  const size = (bytes: number | null) => (bytes === null ? "?" : bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`);
  const c = h.checks;
  return h.problems.map((problem): HealthWarning => {
    switch (problem) {
      case "outbox_stuck":
        return {
          problem,
          key: "outbox_stuck",
          vars: { hours: String(OUTBOX_PENDING_MAX_AGE_S / 3600), age: String(Math.round((c.outbox.oldestPendingSeconds ?? 0) / 60)), count: String(c.outbox.pending ?? 0) },
          link: "/staff/admin/outbox",
        };
      case "outbox_dead_letters":
        return { problem, key: "outbox_dead_letters", vars: { count: String(c.outbox.deadLettersRecent ?? 0) }, link: "/staff/admin/outbox" };
      case "deadline_tick_stale":
        return c.deadlineTick.secondsSinceLastTick === null
          ? { problem, key: "deadline_tick_never", vars: {} }
          : { problem, key: "deadline_tick_stale", vars: { minutes: String(Math.round(c.deadlineTick.secondsSinceLastTick / 60)) } };
      case "holidays_ending":
        return c.holidays.coveredUntil === null
          ? { problem, key: "holidays_none", vars: {}, link: "/staff/admin/holidays" }
          : { problem, key: "holidays_ending", vars: { until: day(c.holidays.coveredUntil), needed: day(c.holidays.neededUntil) }, link: "/staff/admin/holidays" };
      case "disk_low":
        return { problem, key: "disk_low", vars: { free: size(c.disk.freeBytes), min: size(DISK_MIN_FREE_BYTES) } };
      default:
        return { problem, key: "database", vars: {} };
    }
  });
}

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

const idField = z.coerce.number().int().min(1);

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
        const d = idField.safeParse(values.divisionId);
        if (!d.success) return fail({ divisionId: "errors.invalidChoice" });
        await addCategory(db, admin, { ...p.data, divisionId: d.data });
      }
    } else if (intent === "updateRow") {
      const table = values.table;
      if (table !== "divisions" && table !== "villages" && table !== "categories") return fail({ table: "errors.invalidChoice" }, 400);
      const id = idField.safeParse(values.id);
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

function RowForm({ table, row, divisions }: { table: "divisions" | "villages" | "categories"; row: { id: number; name_th: string; name_en: string; active: number; division_id?: number }; divisions?: { id: number; name_th: string }[] }) {
  const { t } = useTranslation("staff");
  const id = `${table}-${row.id}`;
  return (
    <Form method="post" className="admin-row">
      <CsrfField />
      <input type="hidden" name="intent" value="updateRow" />
      <input type="hidden" name="table" value={table} />
      <input type="hidden" name="id" value={row.id} />
      <label htmlFor={`${id}-th`} className="visually-hidden">
        {t("admin.nameTh")}
      </label>
      <input id={`${id}-th`} type="text" name="name_th" defaultValue={row.name_th} maxLength={200} required />
      <label htmlFor={`${id}-en`} className="visually-hidden">
        {t("admin.nameEn")}
      </label>
      <input id={`${id}-en`} type="text" name="name_en" defaultValue={row.name_en} maxLength={200} required />
      {divisions ? (
        <>
          <label htmlFor={`${id}-div`} className="visually-hidden">
            {t("admin.division")}
          </label>
          <select id={`${id}-div`} name="divisionId" defaultValue={row.division_id}>
            {divisions.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name_th}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <label className="choice">
        <input type="checkbox" name="active" value="1" defaultChecked={row.active === 1} /> {t("admin.active")}
      </label>
      <button type="submit" className="button secondary">
        {t("admin.save")}
      </button>
    </Form>
  );
}

export default function StaffAdmin() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [search] = useSearchParams();
  const { t } = useTranslation("staff");
  const o = data.org;
  const e = result?.intent === "profile" ? result.errors ?? {} : {};
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
  const labels = Object.fromEntries([...profileFields.map(([f]) => [f, t(`admin.fields.${f}`)]), ["sla_days", t("admin.fields.sla_days")], ["due_soon_days", t("admin.fields.due_soon_days")], ["code", t("admin.code")], ["number", t("admin.number")], ["divisionId", t("admin.division")], ["name_th", t("admin.nameTh")], ["name_en", t("admin.nameEn")]]);
  return (
    <>
      <h1>{t("admin.title")}</h1>
      {data.proxyWarning ? (
        <div className="notice warning" role="alert" data-testid="proxy-warning">
          <p>{t("admin.proxyWarning", { since: data.proxyWarning.since ?? "" })}</p>
        </div>
      ) : null}
      {data.healthWarnings.length > 0 ? (
        <section className="notice warning" role="alert" aria-labelledby="health-title" data-testid="health-warnings">
          <h2 id="health-title">{t("admin.health.title")}</h2>
          <ul>
            {data.healthWarnings.map((w) => (
              <li key={w.problem} data-problem={w.problem}>
                {t(`admin.health.${w.key}`, w.vars)}
                {w.link ? (
                  <>
                    {" "}
                    <Link to={w.link}>{t(w.link.endsWith("outbox") ? "admin.health.outboxLink" : "admin.health.holidaysLink")}</Link>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
          <p className="hint">{t("admin.health.intro")}</p>
        </section>
      ) : null}
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

      <section className="card" aria-labelledby="staff-title">
        <h2 id="staff-title">{t("admin.staff")}</h2>
        <p className="hint">{t("admin.staffHint")}</p>
        <p>
          <Link to="/staff/admin/accounts" className="button secondary">
            {t("admin.manageAccounts")}
          </Link>
        </p>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("admin.name")}</th>
                <th scope="col">{t("admin.email")}</th>
                <th scope="col">{t("admin.role")}</th>
                <th scope="col">{t("admin.division")}</th>
                <th scope="col">{t("admin.lastLogin")}</th>
              </tr>
            </thead>
            <tbody>
              {data.staff.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.name} {s.active ? null : <span className="badge missed">{t("admin.disabled")}</span>}
                  </td>
                  <td>{s.email}</td>
                  <td>{t(`roles.${s.role}`)}</td>
                  <td>{s.division}</td>
                  <td>{s.lastLogin}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card" aria-labelledby="div-title">
        <h2 id="div-title">{t("admin.divisions")}</h2>
        {data.divisions.map((d) => (
          <RowForm key={d.id} table="divisions" row={d} />
        ))}
        <h3>{t("admin.addDivision")}</h3>
        <Form method="post" className="admin-row">
          <CsrfField />
          <input type="hidden" name="intent" value="addDivision" />
          <input type="text" name="code" placeholder={t("admin.code")} aria-label={t("admin.code")} maxLength={20} required />
          <input type="text" name="name_th" placeholder={t("admin.nameTh")} aria-label={t("admin.nameTh")} maxLength={200} required />
          <input type="text" name="name_en" placeholder={t("admin.nameEn")} aria-label={t("admin.nameEn")} maxLength={200} required />
          <button type="submit" className="button secondary">
            {t("admin.add")}
          </button>
        </Form>
      </section>

      <section className="card" aria-labelledby="vil-title">
        <h2 id="vil-title">{t("admin.villages")}</h2>
        {data.villages.map((v) => (
          <div key={v.id}>
            <strong>{t("admin.villageNo", { number: v.number })}</strong>
            <RowForm table="villages" row={v} />
          </div>
        ))}
        <h3>{t("admin.addVillage")}</h3>
        <Form method="post" className="admin-row">
          <CsrfField />
          <input type="hidden" name="intent" value="addVillage" />
          <input type="number" name="number" min={1} max={999} placeholder={t("admin.number")} aria-label={t("admin.number")} required />
          <input type="text" name="name_th" placeholder={t("admin.nameTh")} aria-label={t("admin.nameTh")} maxLength={200} required />
          <input type="text" name="name_en" placeholder={t("admin.nameEn")} aria-label={t("admin.nameEn")} maxLength={200} required />
          <button type="submit" className="button secondary">
            {t("admin.add")}
          </button>
        </Form>
      </section>

      <section className="card" aria-labelledby="cat-title">
        <h2 id="cat-title">{t("admin.categories")}</h2>
        {data.categories.map((c) => (
          <div key={c.id}>
            <code>{c.code}</code>
            <RowForm table="categories" row={c} divisions={data.divisions} />
          </div>
        ))}
        <h3>{t("admin.addCategory")}</h3>
        <Form method="post" className="admin-row">
          <CsrfField />
          <input type="hidden" name="intent" value="addCategory" />
          <input type="text" name="code" placeholder={t("admin.code")} aria-label={t("admin.code")} maxLength={40} required />
          <input type="text" name="name_th" placeholder={t("admin.nameTh")} aria-label={t("admin.nameTh")} maxLength={200} required />
          <input type="text" name="name_en" placeholder={t("admin.nameEn")} aria-label={t("admin.nameEn")} maxLength={200} required />
          <select name="divisionId" aria-label={t("admin.division")}>
            {data.divisions.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name_th}
              </option>
            ))}
          </select>
          <button type="submit" className="button secondary">
            {t("admin.add")}
          </button>
        </Form>
      </section>
    </>
  );
}
