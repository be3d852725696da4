/**
 * /staff/enrol — where a person sets their own password through the one-time link an administrator (or the staff
 * CLI) made: for a new account, or after a reset. The link's token is taken out of the address at once (it moves into
 * a short-lived cookie for this page only, and the page redirects to the bare URL), so it stays in no history, tab or
 * referrer. After the password: signed in, and on to the second factor (and, for report recipients, their keys).
 * For the reset of a report recipient the page explains what their recovery key does and takes it.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { NewPasswordFields } from "~/components/new-password-fields";
import { completeEnrolment, findEnrolment } from "~/models/staff/accounts.server";
import { isDomainError } from "~/lib/domain-error";
import { PASSWORD_MIN_LENGTH } from "~/models/staff/password-policy.server";
import { getDb } from "~/utils/db.server";
import { deviceCookie } from "~/utils/device.server";
import { decryptText, deriveKey, encryptText } from "~/utils/crypto.server";
import { getSecrets } from "~/utils/db.server";
import { limiter } from "~/utils/rate-limit.server";
import { assertCsrf, cookiePath, isSecureDeployment, parseCookies, readFormData } from "~/utils/request.server";
import { createSession } from "~/utils/session.server";

export const handle = { i18n: ["staff"] };

export const meta: MetaFunction = () => [{ title: "สุจริต · ตั้งรหัสผ่าน / Set your password" }, { name: "robots", content: "noindex" }];

const COOKIE = "sujarit_enrol";
// Cache-Control: no-store and Referrer-Policy: no-referrer come from scripts/http.ts for /staff/enrol.
const noStore = { "Cache-Control": "no-store" };
const enrolLimiter = () => limiter("staff-enrol", 20, 15 * 60_000);

function cookieKey(): string {
  return deriveKey(getSecrets().outboxKey, "staff-enrol-cookie");
}

function enrolCookie(token: string | null): string {
  const name = isSecureDeployment() ? `__Secure-${COOKIE}` : COOKIE;
  const value = token ? encryptText(token, cookieKey(), COOKIE) : "";
  const parts = [`${name}=${value}`, `Path=${cookiePath("/staff/enrol")}`, "HttpOnly", "SameSite=Strict", `Max-Age=${token ? 3600 : 0}`];
  if (isSecureDeployment()) parts.push("Secure");
  return parts.join("; ");
}

function tokenOf(request: Request): string | null {
  const raw = parseCookies(request)[isSecureDeployment() ? `__Secure-${COOKIE}` : COOKIE];
  if (!raw) return null;
  try {
    return decryptText(raw, cookieKey(), COOKIE);
  } catch {
    return null;
  }
}

export async function loader({ request }: LoaderFunctionArgs) {
  const fromLink = new URL(request.url).searchParams.get("t");
  if (fromLink !== null) {
    // Out of the address bar at once: the token now lives in a cookie only this page receives.
    return redirect("/staff/enrol", { headers: { ...noStore, "Set-Cookie": enrolCookie(fromLink) } });
  }
  const open = await findEnrolment(getDb(), tokenOf(request));
  if (!open) return json({ valid: false as const }, { status: 410, headers: noStore });
  return json(
    {
      valid: true as const,
      purpose: open.purpose,
      name: open.staff.name,
      email: open.staff.email,
      role: open.staff.role,
      holdsReportKeys: open.holdsReportKeys && open.purpose === "reset",
      minLength: PASSWORD_MIN_LENGTH,
    },
    { headers: noStore },
  );
}

type ActionData = { errors: Record<string, string>; formError?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const client = context.clientAddress ?? "unknown";
  if (!enrolLimiter().hit(client).allowed)
    return json<ActionData>({ errors: {}, formError: "enrol.rateLimited" }, { status: 429, headers: noStore });
  const str = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v.slice(0, 2048) : "";
  };
  const db = getDb();
  try {
    const { staff } = await completeEnrolment(db, tokenOf(request), {
      password: str("password"),
      confirm: str("confirm"),
      recoveryKey: str("recoveryKey"),
    });
    const session = await createSession(request, staff, db, { password: str("password") });
    const headers = new Headers([
      ["Set-Cookie", session],
      ["Set-Cookie", deviceCookie(staff)],
      ["Set-Cookie", enrolCookie(null)],
    ]);
    // /staff sends the new session on to the second factor (set-up) and, for report recipients, to their keys.
    return redirect("/staff", { headers });
  } catch (e) {
    if (!isDomainError(e)) throw e;
    // No field: the link itself is unknown, used or expired (410 Gone).
    if (!e.field) return json<ActionData>({ errors: {}, formError: e.messageKey }, { status: 410, headers: noStore });
    return json<ActionData>({ errors: { [e.field]: e.messageKey } }, { status: e.status, headers: noStore });
  }
}

export default function Enrol() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("staff");
  if (!data.valid) {
    return (
      <section className="card" aria-labelledby="enrol-title">
        <h1 id="enrol-title">{t("enrol.invalidTitle")}</h1>
        <p data-testid="enrol-invalid">{t("enrol.invalid")}</p>
      </section>
    );
  }
  const labels = { password: t("enrol.password"), confirm: t("enrol.confirm"), recoveryKey: t("enrol.recoveryKey") };
  return (
    <section className="card login-card" aria-labelledby="enrol-title">
      <h1 id="enrol-title">{t(data.purpose === "enrol" ? "enrol.title" : "enrol.resetTitle")}</h1>
      <p>
        {t("enrol.for", { name: data.name, email: data.email })} · {t(`roles.${data.role}`)}
      </p>
      {result?.formError ? (
        <div className="error-summary" role="alert" tabIndex={-1} data-testid="enrol-error">
          <p>{t(result.formError)}</p>
        </div>
      ) : null}
      <ErrorSummary errors={result?.errors} labels={labels} limits={{ password: data.minLength }} />
      <Form method="post" noValidate>
        <CsrfField />
        <NewPasswordFields minLength={data.minLength} errors={result?.errors} />
        {data.holdsReportKeys ? (
          <div className="notice warning" data-testid="recovery-explained">
            <p>{t("enrol.recoveryIntro")}</p>
            <Field name="recoveryKey" label={labels.recoveryKey} hint={t("enrol.recoveryHint")} error={result?.errors?.recoveryKey}>
              {(p) => <input {...p} type="text" autoComplete="off" spellCheck={false} maxLength={80} />}
            </Field>
          </div>
        ) : null}
        <button type="submit" className="primary">
          {t("enrol.submit")}
        </button>
      </Form>
    </section>
  );
}
