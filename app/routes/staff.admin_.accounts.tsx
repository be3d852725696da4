/**
 * /staff/admin/accounts — administrators run staff accounts: create one (the person sets their own password through
 * the one-time link shown here once — give it to them in person or by phone, never by e-mail), reset a password (a new
 * link; for a report recipient the page says what happens to the reports they hold), end the wait after failed
 * sign-ins, disable or enable, and set the position and nicknames reporters see and the name check matches.
 * Every action is in the audit log.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { canAdminister, isStaffRole, STAFF_ROLES } from "~/lib/permissions";
import { formatThaiDate } from "~/lib/thai-date";
import {
  createAccount,
  ENROLMENT_HOURS,
  listAccounts,
  resetPassword,
  setAccountActive,
  unlockAccount,
  updateAccountProfile,
} from "~/models/staff/accounts.server";
import { cutLinks, linkedAccountIds } from "~/models/staff/links.server";
import { isDomainError } from "~/lib/domain-error";
import { getDb } from "~/utils/db.server";
import { assertCsrf, getLang, readFormData } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["staff"] };

export const meta: MetaFunction = () => [{ title: "สุจริต · บัญชีเจ้าหน้าที่ / Staff accounts" }, { name: "robots", content: "noindex, nofollow" }];

async function requireAdmin(request: Request) {
  const staff = await requireStaff(request);
  if (!canAdminister(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const db = getDb();
  const lang = getLang(request);
  const [accounts, divisions, linked] = await Promise.all([
    listAccounts(db),
    db.selectFrom("divisions").select(["id", "code", "name_th", "name_en"]).orderBy("sort_order").execute(),
    linkedAccountIds(),
  ]);
  const d = (iso: string | null) => (iso ? formatThaiDate(new Date(iso), lang, { withTime: true, short: true }) : null);
  return json(
    {
      hours: ENROLMENT_HOURS,
      divisions: divisions.map((x) => ({ id: x.id, name: lang === "en" ? x.name_en || x.name_th : x.name_th })),
      accounts: accounts.map((a) => ({
        ...a,
        waitUntil: d(a.waitUntil),
        linkExpiresAt: d(a.linkExpiresAt),
        lastLoginAt: d(a.lastLoginAt),
        linked: linked.has(a.id),
      })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

type ActionData =
  | { intent: "create" | "reset"; link: string; expires: string; name: string; holdsReportKeys?: boolean }
  | { intent: string; done: true }
  | { intent: string; errors: Record<string, string>; values?: Record<string, string> };

/** A refusal from the accounts model, shown on its field (the page's error summary). */
function fieldErrorReply(e: unknown, intent: string, values?: Record<string, string>) {
  if (!isDomainError(e) || !e.field) throw e;
  return json<ActionData>({ intent, errors: { [e.field]: e.messageKey }, values }, { status: e.status });
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const lang = getLang(request);
  const str = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v.slice(0, 500) : "";
  };
  const intent = str("intent");
  const by = { staffId: admin.id, role: admin.role };
  const expires = (iso: string) => formatThaiDate(new Date(iso), lang, { withTime: true });
  const target = Number(str("staffId"));
  const targetOk =
    Number.isInteger(target) && target > 0 && !!(await db.selectFrom("staff").select("id").where("id", "=", target).executeTakeFirst());
  if (intent === "create") {
    const values = {
      email: str("email"),
      name: str("name"),
      role: str("role"),
      division: str("division"),
      position: str("position"),
      nicknames: str("nicknames"),
    };
    if (!isStaffRole(values.role)) return json<ActionData>({ intent, errors: { role: "accounts.errors.role" }, values }, { status: 422 });
    const divisionId = values.division ? Number(values.division) : null;
    try {
      const r = await createAccount(
        db,
        {
          email: values.email,
          name: values.name,
          role: values.role,
          divisionId: Number.isInteger(divisionId) ? divisionId : null,
          position: values.position,
          nicknames: values.nicknames,
        },
        by,
      );
      return json<ActionData>({ intent, link: r.url, expires: expires(r.expiresAt), name: r.staff.name });
    } catch (e) {
      return fieldErrorReply(e, intent, values);
    }
  }
  if (!targetOk) return json<ActionData>({ intent, errors: { staffId: "accounts.errors.unknown" } }, { status: 404 });
  if (intent === "reset") {
    const r = await resetPassword(db, target, by);
    const name = (await db.selectFrom("staff").select("name").where("id", "=", target).executeTakeFirstOrThrow()).name;
    return json<ActionData>({ intent, link: r.url, expires: expires(r.expiresAt), name, holdsReportKeys: r.holdsReportKeys });
  }
  if (intent === "unlock") {
    await unlockAccount(db, target, by);
    return json<ActionData>({ intent, done: true });
  }
  if (intent === "disable" || intent === "enable") {
    try {
      await setAccountActive(db, target, intent === "enable", by);
    } catch (e) {
      return fieldErrorReply(e, intent);
    }
    return json<ActionData>({ intent, done: true });
  }
  if (intent === "cutLinks") {
    // Either organisation's administrator may cut a link to their own account (docs/decisions/0016-one-sign-in-across-organisations.md).
    await cutLinks(db, target, { actorId: by.staffId, actorRole: by.role, reason: "admin" });
    return json<ActionData>({ intent, done: true });
  }
  if (intent === "profile") {
    await updateAccountProfile(db, target, { position: str("position"), nicknames: str("nicknames") }, by);
    return json<ActionData>({ intent, done: true });
  }
  return json<ActionData>({ intent, errors: { intent: "accounts.errors.unknown" } }, { status: 400 });
}

export default function Accounts() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("staff");
  const errors = result && "errors" in result ? result.errors : undefined;
  const values = result && "values" in result ? (result.values ?? {}) : {};
  const labels = {
    email: t("accounts.email"),
    name: t("accounts.name"),
    role: t("accounts.role"),
    division: t("accounts.division"),
    position: t("accounts.position"),
    nicknames: t("accounts.nicknames"),
  };
  return (
    <section aria-labelledby="accounts-title">
      <h1 id="accounts-title">{t("accounts.title")}</h1>
      <p className="hint">{t("accounts.intro", { hours: data.hours })}</p>
      {result && "link" in result ? (
        <div className="notice success" role="status" data-testid="enrolment-link">
          <p>
            {t(result.intent === "create" ? "accounts.linkCreated" : "accounts.linkReset", { name: result.name, expires: result.expires })}
          </p>
          <p>
            <code className="digest" lang="en" translate="no" data-testid="link">
              {result.link}
            </code>
          </p>
          <p className="hint">{t("accounts.linkOnce")}</p>
          {result.holdsReportKeys ? <p className="warning">{t("accounts.resetKeys")}</p> : null}
        </div>
      ) : null}
      {result && "done" in result ? (
        <p className="notice success" role="status" data-testid="done">
          {t(`accounts.done.${result.intent}`)}
        </p>
      ) : null}

      <div className="card">
        <h2>{t("accounts.createTitle")}</h2>
        <ErrorSummary errors={result?.intent === "create" ? errors : undefined} labels={labels} />
        <Form method="post" noValidate>
          <CsrfField />
          <input type="hidden" name="intent" value="create" />
          <Field name="email" label={labels.email} error={result?.intent === "create" ? errors?.email : undefined} required>
            {(p) => <input {...p} type="email" autoComplete="off" maxLength={254} defaultValue={values.email ?? ""} />}
          </Field>
          <Field name="name" label={labels.name} error={result?.intent === "create" ? errors?.name : undefined} required>
            {(p) => <input {...p} type="text" autoComplete="off" maxLength={200} defaultValue={values.name ?? ""} />}
          </Field>
          <Field name="role" label={labels.role} error={result?.intent === "create" ? errors?.role : undefined} required>
            {(p) => (
              <select {...p} defaultValue={values.role ?? "officer"}>
                {STAFF_ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`roles.${r}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            name="division"
            label={labels.division}
            hint={t("accounts.divisionHint")}
            error={result?.intent === "create" ? errors?.division : undefined}
          >
            {(p) => (
              <select {...p} defaultValue={values.division ?? ""}>
                <option value="">{t("accounts.noDivision")}</option>
                {data.divisions.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field name="position" label={labels.position} hint={t("accounts.positionHint")}>
            {(p) => <input {...p} type="text" maxLength={200} defaultValue={values.position ?? ""} />}
          </Field>
          <Field name="nicknames" label={labels.nicknames} hint={t("accounts.nicknamesHint")}>
            {(p) => <input {...p} type="text" maxLength={200} defaultValue={values.nicknames ?? ""} />}
          </Field>
          <button type="submit" className="primary">
            {t("accounts.create")}
          </button>
        </Form>
      </div>

      <div className="table-wrap">
        <table data-testid="accounts">
          <caption className="visually-hidden">{t("accounts.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{labels.name}</th>
              <th scope="col">{labels.role}</th>
              <th scope="col">{t("accounts.state")}</th>
              <th scope="col">{t("accounts.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {data.accounts.map((a) => (
              <tr key={a.id} data-testid="account-row" data-email={a.email}>
                <td>
                  {a.name}
                  <br />
                  <span className="muted">{a.email}</span>
                </td>
                <td>{t(`roles.${a.role}`)}</td>
                <td>
                  {!a.active ? t("accounts.disabled") : a.pending ? t("accounts.pending") : t("accounts.active")}
                  {a.linkExpiresAt ? <div className="hint">{t("accounts.linkUntil", { at: a.linkExpiresAt })}</div> : null}
                  {a.waitUntil ? <div className="warning">{t("accounts.waiting", { at: a.waitUntil, n: a.failedLogins })}</div> : null}
                  {a.lastLoginAt ? <div className="hint">{t("accounts.lastLogin", { at: a.lastLoginAt })}</div> : null}
                  {a.linked ? <div className="hint">{t("accounts.linked")}</div> : null}
                </td>
                <td className="account-actions">
                  {(
                    [
                      "reset",
                      ...(a.waitUntil || a.failedLogins > 0 ? ["unlock"] : []),
                      a.active ? "disable" : "enable",
                      ...(a.linked ? ["cutLinks"] : []),
                    ] as const
                  ).map((intent) => (
                    <Form method="post" key={intent} className="inline-form">
                      <CsrfField />
                      <input type="hidden" name="intent" value={intent} />
                      <input type="hidden" name="staffId" value={a.id} />
                      <button type="submit" className="secondary" data-testid={`${intent}-${a.id}`}>
                        {t(`accounts.do.${intent}`)}
                      </button>
                    </Form>
                  ))}
                  <details>
                    <summary>{t("accounts.editProfile")}</summary>
                    <Form method="post">
                      <CsrfField />
                      <input type="hidden" name="intent" value="profile" />
                      <input type="hidden" name="staffId" value={a.id} />
                      <label>
                        {labels.position} <input name="position" type="text" maxLength={200} defaultValue={a.position} />
                      </label>
                      <label>
                        {labels.nicknames} <input name="nicknames" type="text" maxLength={200} defaultValue={a.nicknames} />
                      </label>
                      <button type="submit" className="secondary">
                        {t("accounts.saveProfile")}
                      </button>
                    </Form>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
