/**
 * /staff/admin/escalation — the escalation ladder (admins only): each rung on/off with its number of days, and who
 * receives the division reminders (division heads) and the "unassigned" reminders (complaint centre leads).
 * Plain forms (works without JavaScript), CSRF-checked; invalid input → 422 with messages.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Link } from "~/components/links";
import { escalationRuleSchema } from "~/models/deadlines/admin-forms.server";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { canAdminister } from "~/lib/permissions";
import {
  getRules,
  listStaffEscalationFlags,
  RuleError,
  setStaffEscalationFlags,
  updateRule,
} from "~/models/deadlines/escalation-rules.server";
import { ESCALATION_LEVELS as RULE_LEVELS, RULE_DAY_LIMITS } from "~/lib/escalation-levels";
import { listDivisions, nameIn } from "~/models/organisation/profile.server";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["staff", "escalation"] };

async function requireAdmin(request: Request) {
  const staff = await requireStaff(request);
  if (!canAdminister(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const db = getDb();
  const lang = getLang(request);
  const [rules, staff, divisions] = await Promise.all([
    getRules(db),
    listStaffEscalationFlags(db),
    listDivisions(db, { activeOnly: false }),
  ]);
  const divName = new Map(divisions.map((d) => [d.id, nameIn(lang, d)]));
  return json({
    rules: rules.map((r) => ({
      level: r.level,
      enabled: r.enabled,
      days: r.days,
      min: RULE_DAY_LIMITS[r.level][0],
      max: RULE_DAY_LIMITS[r.level][1],
    })),
    staff: staff.map((s) => ({ ...s, division: s.divisionId === null ? "" : (divName.get(s.divisionId) ?? "") })),
  });
}

type ActionData = { form: string; errors: Record<string, { key: string; min?: number; max?: number }> };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const intent = form.get("intent");
  if (intent === "rule") {
    const level = String(form.get("level") ?? "");
    const p = escalationRuleSchema(RULE_LEVELS).safeParse({ level, days: form.get("days") ?? "" });
    if (!p.success) {
      const badLevel = p.error.issues.some((i) => i.path[0] === "level");
      if (badLevel) return json<ActionData>({ form: "rule:", errors: { level: { key: "errors.level" } } }, { status: 422 });
      const [min, max] = RULE_DAY_LIMITS[level as (typeof RULE_LEVELS)[number]];
      return json<ActionData>({ form: `rule:${level}`, errors: { days: { key: "errors.days", min, max } } }, { status: 422 });
    }
    try {
      await updateRule(db, {
        level: p.data.level,
        enabled: form.get("enabled") === "on" || form.get("enabled") === "1",
        days: Number(p.data.days),
      });
    } catch (e) {
      if (e instanceof RuleError) {
        const [min, max] = RULE_DAY_LIMITS[p.data.level];
        return json<ActionData>({ form: `rule:${p.data.level}`, errors: { [e.field]: { key: e.messageKey, min, max } } }, { status: 422 });
      }
      throw e;
    }
    log.info("escalation rule saved", { staffId: admin.id, rung: p.data.level });
    return redirect("/staff/admin/escalation?saved=rule");
  }
  if (intent === "flags") {
    const ids = (key: string) => form.getAll(key).map((v) => (typeof v === "string" && /^\d{1,9}$/.test(v) ? Number(v) : NaN));
    const staffIds = ids("staffId");
    const divisionHeads = ids("divisionHead");
    const centreLeads = ids("centreLead");
    if ([...staffIds, ...divisionHeads, ...centreLeads].some((n) => !Number.isInteger(n))) {
      return json<ActionData>({ form: "flags", errors: { flags: { key: "errors.staff" } } }, { status: 422 });
    }
    const listed = new Set(staffIds);
    if ([...divisionHeads, ...centreLeads].some((id) => !listed.has(id))) {
      return json<ActionData>({ form: "flags", errors: { flags: { key: "errors.staff" } } }, { status: 422 });
    }
    await setStaffEscalationFlags(db, { staffIds, divisionHeads, centreLeads });
    log.info("escalation recipients saved", { staffId: admin.id, accounts: staffIds.length });
    return redirect("/staff/admin/escalation?saved=flags");
  }
  return json<ActionData>({ form: "", errors: { intent: { key: "errors.intent" } } }, { status: 400 });
}

export default function EscalationAdmin() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [search] = useSearchParams();
  const { t } = useTranslation("escalation");
  const ts = useTranslation("staff").t;
  const saved = result ? null : search.get("saved");
  const errs = result ? Object.entries(result.errors) : [];
  return (
    <>
      <p className="no-print">
        <Link to="/staff/admin">{t("nav.admin")}</Link>
      </p>
      <h1>{t("title")}</h1>
      <p className="hint">{t("intro")}</p>
      {saved === "rule" || saved === "flags" ? (
        <p className="success" role="status" data-testid="saved">
          {t(`saved.${saved}`)}
        </p>
      ) : null}
      {errs.length > 0 ? (
        <div className="error-summary" role="alert" tabIndex={-1} data-testid="errors">
          <h2>{t("errors.title")}</h2>
          <ul>
            {errs.map(([field, e]) => (
              <li key={field}>{t(e.key, { min: e.min, max: e.max })}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <section aria-labelledby="esc-rules">
        <h2 id="esc-rules">{t("rules.title")}</h2>
        {data.rules.map((r) => {
          const mine = result?.form === `rule:${r.level}` ? result.errors : undefined;
          const id = `esc-${r.level}`;
          return (
            <Form method="post" className="card" key={r.level} aria-labelledby={`${id}-title`} data-testid="rule-form" data-level={r.level}>
              <CsrfField />
              <input type="hidden" name="intent" value="rule" />
              <input type="hidden" name="level" value={r.level} />
              <h3 id={`${id}-title`}>
                {t(`levels.${r.level}.name`)}{" "}
                <span className={`badge ${r.enabled ? "on_track" : "paused"}`}>{r.enabled ? t("rules.on") : t("rules.off")}</span>
              </h3>
              <p className="hint">{t(`levels.${r.level}.help`)}</p>
              <div className="field">
                <label>
                  <input type="checkbox" name="enabled" value="on" defaultChecked={r.enabled} /> {t("rules.enabled")}
                </label>
              </div>
              <div className={`field${mine?.days ? " has-error" : ""}`}>
                <label htmlFor={`${id}-days`}>{t(`levels.${r.level}.days`)}</label>
                <input
                  id={`${id}-days`}
                  type="number"
                  name="days"
                  inputMode="numeric"
                  min={r.min}
                  max={r.max}
                  required
                  defaultValue={r.days}
                  aria-invalid={mine?.days ? true : undefined}
                  aria-describedby={`${id}-range`}
                />
                <span className="hint" id={`${id}-range`}>
                  {t("rules.range", { min: r.min, max: r.max })}
                </span>
                {mine?.days ? <span className="field-error">{t(mine.days.key, { min: mine.days.min, max: mine.days.max })}</span> : null}
              </div>
              <p>
                <button type="submit" className="primary">
                  {t("rules.save")}
                </button>
              </p>
            </Form>
          );
        })}
      </section>
      <section aria-labelledby="esc-staff">
        <h2 id="esc-staff">{t("people.title")}</h2>
        <p className="hint">{t("people.intro")}</p>
        <Form method="post" data-testid="flags-form">
          <CsrfField />
          <input type="hidden" name="intent" value="flags" />
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("people.name")}</th>
                  <th scope="col">{t("people.role")}</th>
                  <th scope="col">{t("people.division")}</th>
                  <th scope="col">{t("people.divisionHead")}</th>
                  <th scope="col">{t("people.centreLead")}</th>
                </tr>
              </thead>
              <tbody>
                {data.staff.map((s) => (
                  <tr key={s.id} data-testid="staff-flags" data-email={s.email}>
                    <th scope="row">
                      <input type="hidden" name="staffId" value={s.id} />
                      {s.name}
                      {s.active ? null : <span className="hint"> ({t("people.inactive")})</span>}
                    </th>
                    <td>{ts(`roles.${s.role}`, { defaultValue: s.role })}</td>
                    <td>{s.division || "—"}</td>
                    <td>
                      <input
                        type="checkbox"
                        name="divisionHead"
                        value={s.id}
                        defaultChecked={s.isDivisionHead}
                        aria-label={`${t("people.divisionHead")}: ${s.name}`}
                      />
                    </td>
                    <td>
                      <input
                        type="checkbox"
                        name="centreLead"
                        value={s.id}
                        defaultChecked={s.isCentreLead}
                        aria-label={`${t("people.centreLead")}: ${s.name}`}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            <button type="submit" className="primary">
              {t("people.save")}
            </button>
          </p>
        </Form>
      </section>
    </>
  );
}
