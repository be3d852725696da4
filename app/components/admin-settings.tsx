/** The sections of the admin page (/staff/admin): health warnings, staff overview and the reference data forms. */
import { Form } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import type { HealthWarning } from "~/models/operations/health-warnings.server";

type RefRow = { id: number; name_th: string; name_en: string; active: number };

export type AdminStaffRow = {
  id: number;
  name: string;
  email: string;
  role: string;
  active: boolean;
  division: string;
  lastLogin: string;
};

function RowForm({
  table,
  row,
  divisions,
}: {
  table: "divisions" | "villages" | "categories";
  row: { id: number; name_th: string; name_en: string; active: number; division_id?: number };
  divisions?: { id: number; name_th: string }[];
}) {
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

/** The /healthz problems (only rendered when there are some). */
export function HealthWarnings({ warnings }: { warnings: HealthWarning[] }) {
  const { t } = useTranslation("staff");
  return (
    <section className="notice warning" role="alert" aria-labelledby="health-title" data-testid="health-warnings">
      <h2 id="health-title">{t("admin.health.title")}</h2>
      <ul>
        {warnings.map((w) => (
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
  );
}

export function StaffSection({ staff }: { staff: AdminStaffRow[] }) {
  const { t } = useTranslation("staff");
  return (
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
            {staff.map((s) => (
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
  );
}

/** Divisions, villages and categories: one form per row plus a form to add one. */
export function ReferenceDataSections({
  divisions,
  villages,
  categories,
}: {
  divisions: RefRow[];
  villages: (RefRow & { number: number })[];
  categories: (RefRow & { code: string; division_id: number })[];
}) {
  const { t } = useTranslation("staff");
  return (
    <>
      <section className="card" aria-labelledby="div-title">
        <h2 id="div-title">{t("admin.divisions")}</h2>
        {divisions.map((d) => (
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
        {villages.map((v) => (
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
        {categories.map((c) => (
          <div key={c.id}>
            <code>{c.code}</code>
            <RowForm table="categories" row={c} divisions={divisions} />
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
            {divisions.map((d) => (
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
