/** /staff/admin/holidays — the holiday table used for working-day deadlines (admins only). */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary } from "~/components/form";
import { canAdminister } from "~/lib/permissions";
import { BuddhistDatePicker } from "~/components/date-picker";
import { readBuddhistDateInput } from "~/lib/buddhist-date-input";
import { formatThaiDateKey } from "~/lib/thai-date";
import { holidayDateField, holidaySchema } from "~/models/deadlines/admin-forms.server";
import { deleteHoliday, holidayYears, listHolidays, upsertHoliday } from "~/models/deadlines/policy-admin.server";
import { now } from "~/utils/clock.server";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["deadline"] };

const KINDS = ["official", "substitution", "special"] as const;

async function requireAdmin(request: Request) {
  const staff = await requireStaff(request);
  if (!canAdminister(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

function yearParam(url: URL): number {
  const y = url.searchParams.get("year") ?? "";
  return /^\d{4}$/.test(y) && Number(y) >= 2000 && Number(y) <= 2100 ? Number(y) : now().getUTCFullYear();
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const db = getDb();
  const lang = getLang(request);
  const year = yearParam(new URL(request.url));
  const [rows, years] = await Promise.all([listHolidays(db, { year }), holidayYears(db)]);
  return json({
    year,
    years: [...new Set([...years, year])].sort((a, b) => b - a),
    rows: rows.map((r) => ({
      date: r.date,
      label: formatThaiDateKey(r.date, lang),
      nameTh: r.name_th,
      nameEn: r.name_en,
      kind: r.kind,
    })),
  });
}

type ActionData = { errors: Record<string, string>; values?: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const values = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string>;
  const intent = values.intent;
  if (intent === "save") {
    const picked = readBuddhistDateInput((k) => values[k], "date");
    if (!picked.ok) return json<ActionData>({ errors: { date: `common:datePicker.errors.${picked.problem}` }, values }, { status: 422 });
    values.date = picked.key;
    const p = holidaySchema(KINDS).safeParse(values);
    if (!p.success) {
      const errors: Record<string, string> = {};
      for (const issue of p.error.issues) {
        const field = String(issue.path[0] ?? "date");
        errors[field] ??= issue.message.includes(":") ? issue.message : "deadline:errors.invalidChoice";
      }
      return json<ActionData>({ errors, values }, { status: 422 });
    }
    await upsertHoliday(db, p.data, admin.id);
    log.info("holiday saved", { staffId: admin.id, date: p.data.date });
    return redirect(`/staff/admin/holidays?year=${p.data.date.slice(0, 4)}&saved=1`);
  }
  if (intent === "delete") {
    const d = holidayDateField.safeParse(values.date ?? "");
    if (!d.success) return json<ActionData>({ errors: { date: "deadline:errors.invalidDate" } }, { status: 400 });
    const ok = await deleteHoliday(db, d.data);
    if (!ok) throw json({ messageKey: "errorPage.notFound" }, { status: 404 });
    log.info("holiday deleted", { staffId: admin.id, date: d.data });
    return redirect(`/staff/admin/holidays?year=${d.data.slice(0, 4)}&deleted=1`);
  }
  return json<ActionData>({ errors: { intent: "deadline:errors.invalidChoice" } }, { status: 400 });
}

export default function HolidaysAdmin() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [search] = useSearchParams();
  const { t } = useTranslation("deadline");
  const labels = {
    date: t("holidays.date"),
    nameTh: t("holidays.nameTh"),
    nameEn: t("holidays.nameEn"),
    kind: t("holidays.kind"),
    intent: t("holidays.actions"),
  };
  const v = result?.values ?? {};
  const e = result?.errors ?? {};
  return (
    <>
      <p className="no-print">
        <Link to="/staff/admin">{t("nav.admin")}</Link> · <Link to="/staff/admin/sla">{t("nav.sla")}</Link>
      </p>
      <h1>{t("holidays.title")}</h1>
      <p className="hint">{t("holidays.intro")}</p>
      {!result && search.get("saved") ? (
        <p className="success" role="status">
          {t("holidays.saved")}
        </p>
      ) : null}
      {!result && search.get("deleted") ? (
        <p className="success" role="status">
          {t("holidays.deleted")}
        </p>
      ) : null}
      <ErrorSummary errors={e} labels={labels} />

      <Form method="get" className="filters no-print" aria-label={t("holidays.year")}>
        <div className="field">
          <label htmlFor="h-year">{t("holidays.year")}</label>
          <select id="h-year" name="year" defaultValue={data.year}>
            {data.years.map((y) => (
              <option key={y} value={y}>
                {y + 543} ({y})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <button type="submit" className="button secondary">
            {t("holidays.show")}
          </button>
        </div>
      </Form>

      <section className="card" aria-labelledby="h-list">
        <h2 id="h-list">{t("holidays.count", { count: data.rows.length, year: data.year + 543 })}</h2>
        {data.rows.length === 0 ? (
          <p className="notice">{t("holidays.empty")}</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="holiday-table">
              <thead>
                <tr>
                  <th scope="col">{t("holidays.date")}</th>
                  <th scope="col">{t("holidays.nameTh")}</th>
                  <th scope="col">{t("holidays.kind")}</th>
                  <th scope="col">{t("holidays.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((r) => (
                  <tr key={r.date} data-testid="holiday-row" data-date={r.date}>
                    <td>
                      {r.label}
                      <br />
                      <code>{r.date}</code>
                    </td>
                    <td>
                      {r.nameTh}
                      <br />
                      <span className="muted">{r.nameEn}</span>
                    </td>
                    <td>{t(`kind.${r.kind}`)}</td>
                    <td>
                      <Form method="post">
                        <CsrfField />
                        <input type="hidden" name="intent" value="delete" />
                        <input type="hidden" name="date" value={r.date} />
                        <button type="submit" className="button secondary" aria-label={`${t("holidays.delete")} ${r.date}`}>
                          {t("holidays.delete")}
                        </button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="h-add">
        <h2 id="h-add">{t("holidays.add")}</h2>
        <p className="hint">{t("holidays.addHint")}</p>
        <Form method="post">
          <CsrfField />
          <input type="hidden" name="intent" value="save" />
          <BuddhistDatePicker
            id="f-date"
            name="date"
            label={t("holidays.date")}
            required
            error={e.date ? t(e.date) : undefined}
            defaultValue={v.date}
            fromYear={data.year - 1}
            toYear={data.year + 2}
          />
          <div className={`field${e.nameTh ? " has-error" : ""}`}>
            <label htmlFor="f-nameTh">{t("holidays.nameTh")}</label>
            <input id="f-nameTh" type="text" name="nameTh" required maxLength={200} defaultValue={v.nameTh ?? ""} />
            {e.nameTh ? <span className="field-error">{t(e.nameTh)}</span> : null}
          </div>
          <div className={`field${e.nameEn ? " has-error" : ""}`}>
            <label htmlFor="f-nameEn">{t("holidays.nameEn")}</label>
            <input id="f-nameEn" type="text" name="nameEn" required maxLength={200} defaultValue={v.nameEn ?? ""} />
            {e.nameEn ? <span className="field-error">{t(e.nameEn)}</span> : null}
          </div>
          <div className={`field${e.kind ? " has-error" : ""}`}>
            <label htmlFor="f-kind">{t("holidays.kind")}</label>
            <select id="f-kind" name="kind" defaultValue={v.kind ?? "special"}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`kind.${k}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="primary">
            {t("holidays.save")}
          </button>
        </Form>
      </section>
    </>
  );
}
