/**
 * /staff/account — one's own account: change the password (the current one is required; the person's other sessions
 * end and recognised devices are forgotten; a report recipient's private key is sealed again under the new password,
 * so nothing they hold is lost), and, for report recipients, their key fingerprint.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { NewPasswordFields } from "~/components/new-password-fields";
import { changePassword } from "~/models/staff/accounts.server";
import { isDomainError } from "~/lib/domain-error";
import { PASSWORD_MIN_LENGTH } from "~/models/staff/password-policy.server";
import { staffKeyInfo } from "~/models/report/staff-keys.server";
import { getDb } from "~/utils/db.server";
import { deviceCookie } from "~/utils/device.server";
import { limiter } from "~/utils/rate-limit.server";
import { assertCsrf, readFormData } from "~/utils/request.server";
import { requireStaff, sessionIdOf } from "~/utils/session.server";

export const handle = { i18n: ["staff"] };

export const meta: MetaFunction = () => [{ title: "สุจริต · บัญชีของฉัน / My account" }, { name: "robots", content: "noindex" }];

const changeLimiter = () => limiter("password-change", 10, 15 * 60_000);

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const keys = await staffKeyInfo(getDb(), staff.id);
  return json(
    { email: staff.email, name: staff.name, role: staff.role, fingerprint: keys?.fingerprint ?? null, minLength: PASSWORD_MIN_LENGTH },
    { headers: { "Cache-Control": "no-store" } },
  );
}

type ActionData = { errors: Record<string, string>; formError?: string };

export async function action({ request }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const staff = await requireStaff(request);
  if (!changeLimiter().hit(String(staff.id)).allowed)
    return json<ActionData>({ errors: {}, formError: "account.rateLimited" }, { status: 429 });
  const str = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v.slice(0, 2048) : "";
  };
  try {
    const updated = await changePassword(
      getDb(),
      staff,
      { current: str("current"), password: str("password"), confirm: str("confirm") },
      sessionIdOf(request),
    );
    return redirect("/staff/account?done=password", { headers: { "Set-Cookie": deviceCookie(updated) } });
  } catch (e) {
    if (isDomainError(e) && e.field) return json<ActionData>({ errors: { [e.field]: e.messageKey } }, { status: e.status });
    throw e;
  }
}

export default function Account() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const { t } = useTranslation("staff");
  const labels = { current: t("account.current"), password: t("enrol.password"), confirm: t("enrol.confirm") };
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">{t("account.title")}</h1>
      <p>
        {data.name} · {data.email} · {t(`roles.${data.role}`)}
      </p>
      {params.get("done") === "password" ? (
        <p className="notice success" role="status" data-testid="done">
          {t("account.changed")}
        </p>
      ) : null}
      {data.fingerprint ? (
        <p className="hint">
          {t("account.fingerprint")}{" "}
          <code lang="en" translate="no">
            {data.fingerprint}
          </code>
        </p>
      ) : null}
      <div className="card">
        <h2>{t("account.changeTitle")}</h2>
        {result?.formError ? (
          <div className="error-summary" role="alert" tabIndex={-1}>
            <p>{t(result.formError)}</p>
          </div>
        ) : null}
        <ErrorSummary errors={result?.errors} labels={labels} />
        <Form method="post" noValidate>
          <CsrfField />
          <Field name="current" label={labels.current} error={result?.errors?.current} required>
            {(p) => <input {...p} type="password" autoComplete="current-password" maxLength={1024} />}
          </Field>
          <NewPasswordFields minLength={data.minLength} errors={result?.errors} />
          <button type="submit" className="primary">
            {t("account.submit")}
          </button>
        </Form>
        {data.fingerprint ? <p className="hint">{t("account.keysNote")}</p> : null}
      </div>
    </section>
  );
}
