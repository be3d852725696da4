/**
 * /staff/admin/security — which roles sign in with a second factor (admins only). Admin, supervisor and integrity
 * always do (shown, not changeable: a POST that tries is refused with 422); officer, intake and executive when turned
 * on here. Each change is audited (second_factor.policy). Accounts of a role that has just been turned on set up their
 * second factor at their next request.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { canAdminister } from "~/lib/permissions";
import { rolePolicyOverview, setRoleSecondFactor } from "~/models/staff/second-factor.server";
import { domainErrorReply } from "~/utils/domain-reply.server";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { assertCsrf, readFormData } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["staff", "integrity"] };

export const meta: MetaFunction = () => [
  { title: "สุจริต · ความปลอดภัยในการเข้าสู่ระบบ / Sign-in security" },
  { name: "robots", content: "noindex, nofollow" },
];

async function requireAdmin(request: Request) {
  const staff = await requireStaff(request);
  if (!canAdminister(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return json({ roles: await rolePolicyOverview(getDb()) });
}

type ActionData = { role: string; error: { key: string; ns?: string } };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const role = String(form.get("role") ?? "").slice(0, 40);
  const value = form.get("required");
  if (value !== "1" && value !== "0")
    return json<ActionData>({ role, error: { key: "secondFactor.admin.errors.bad_value" } }, { status: 400 });
  try {
    const changed = await setRoleSecondFactor(getDb(), admin, role, value === "1");
    log.info("second factor policy", { staffId: admin.id, role, required: value === "1", changed });
  } catch (e) {
    return domainErrorReply(e, { role });
  }
  return redirect(`/staff/admin/security?saved=${encodeURIComponent(role)}`);
}

export default function SecuritySettings() {
  const { roles } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const { t } = useTranslation("staff");
  const ti = useTranslation("integrity").t;
  const errorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (result?.error) errorRef.current?.focus();
  }, [result]);
  const roleName = (r: string) => (r === "integrity" ? ti("role") : t(`roles.${r}`, { defaultValue: r }));
  const saved = params.get("saved");
  return (
    <section aria-labelledby="security-title" className="security-page">
      <h1 id="security-title">{t("secondFactor.admin.title")}</h1>
      <p>{t("secondFactor.admin.intro")}</p>
      {result?.error ? (
        <div className="error-summary" role="alert" tabIndex={-1} ref={errorRef} data-testid="security-error">
          <p>{t(result.error.key, { role: roleName(result.role) })}</p>
        </div>
      ) : saved ? (
        <p className="success" role="status" data-testid="security-saved">
          {t("secondFactor.admin.saved", { role: roleName(saved) })}
        </p>
      ) : null}
      <div className="table-wrap">
        <table data-testid="security-roles">
          <caption className="visually-hidden">{t("secondFactor.admin.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("secondFactor.admin.role")}</th>
              <th scope="col">{t("secondFactor.admin.required")}</th>
              <th scope="col">{t("secondFactor.admin.accounts")}</th>
              <th scope="col">{t("secondFactor.admin.change")}</th>
            </tr>
          </thead>
          <tbody>
            {roles.map((r) => (
              <tr key={r.role} data-testid={`security-role-${r.role}`} data-required={r.required ? "1" : "0"}>
                <th scope="row">{roleName(r.role)}</th>
                <td>{r.fixed ? t("secondFactor.admin.always") : r.required ? t("secondFactor.admin.on") : t("secondFactor.admin.off")}</td>
                <td>
                  {t("secondFactor.admin.accountCount", { count: r.accounts })}
                  {r.required && r.withoutFactor > 0 ? (
                    <span className="hint">{t("secondFactor.admin.withoutFactor", { count: r.withoutFactor })}</span>
                  ) : null}
                </td>
                <td>
                  {r.fixed ? (
                    <span className="muted">{t("secondFactor.admin.fixed")}</span>
                  ) : (
                    <Form method="post">
                      <CsrfField />
                      <input type="hidden" name="role" value={r.role} />
                      <input type="hidden" name="required" value={r.required ? "0" : "1"} />
                      <button type="submit" className={r.required ? "secondary" : "primary"} data-testid={`security-toggle-${r.role}`}>
                        {r.required
                          ? t("secondFactor.admin.turnOff", { role: roleName(r.role) })
                          : t("secondFactor.admin.turnOn", { role: roleName(r.role) })}
                      </button>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="hint">{t("secondFactor.admin.note")}</p>
    </section>
  );
}
