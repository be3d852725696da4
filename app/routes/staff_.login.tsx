import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { fieldErrors } from "~/lib/validation";
import { staffLoginSchema } from "~/lib/validation.server";
import { getStaffByEmail, verifyLogin } from "~/models/staff/staff.server";
import { deviceCookie, isKnownDevice } from "~/utils/device.server";
import { getDb } from "~/utils/db.server";
import { limits } from "~/utils/rate-limit.server";
import { assertCsrf, readFormData, safeRedirectPath } from "~/utils/request.server";
import { createSession, getStaff, secondFactorPath } from "~/utils/session.server";
import { secondFactorNeeded } from "~/models/staff/second-factor.server";
import { log } from "~/utils/logger.server";
import { passThroughHeaders } from "~/utils/route-headers";

export const handle = { i18n: ["staff"] };

export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [{ title: "สุจริต · เข้าสู่ระบบเจ้าหน้าที่ / Staff sign-in" }, { name: "robots", content: "noindex" }];

function target(raw: unknown): string {
  const p = safeRedirectPath(raw, "/staff");
  return p.startsWith("/staff") && !p.startsWith("/staff/login") && !p.startsWith("/staff/logout") ? p : "/staff";
}

export async function loader({ request }: LoaderFunctionArgs) {
  const redirectTo = target(new URL(request.url).searchParams.get("redirectTo"));
  if (await getStaff(request)) throw redirect(redirectTo);
  return json({ redirectTo });
}

type ActionData = { errors?: Record<string, string>; formError?: string; minutes?: number; email?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const redirectTo = target(form.get("redirectTo"));
  const clientKey = context.clientAddress ?? "unknown";
  // Reserved before the password check (parallel attempts all count); a success gives it back.
  const attempt = limits.loginClient().reserve(clientKey);
  if (!attempt.allowed) {
    return json<ActionData>(
      { formError: "login.rateLimited", minutes: Math.max(1, Math.ceil(attempt.retryAfterSec / 60)) },
      { status: 429 },
    );
  }
  const raw = { email: form.get("email") ?? undefined, password: form.get("password") ?? undefined };
  const email = typeof raw.email === "string" ? raw.email.slice(0, 254) : "";
  const parsed = staffLoginSchema.safeParse(raw);
  if (!parsed.success) {
    attempt.release();
    return json<ActionData>({ errors: fieldErrors(parsed.error), email }, { status: 422 });
  }

  const db = getDb();
  // A browser this account signed in from recently is never made to wait because of other people's failures.
  const known = await getStaffByEmail(db, parsed.data.email);
  const knownDevice = !!known && isKnownDevice(request, known);
  const result = await verifyLogin(db, parsed.data.email, parsed.data.password, { knownDevice });
  if (!result.ok) {
    log.info("staff login failed", { reason: result.reason });
    if (result.reason === "locked") {
      return json<ActionData>(
        { formError: "login.rateLimited", minutes: Math.max(1, Math.ceil(result.retryAfterSec / 60)), email },
        { status: 429 },
      );
    }
    return json<ActionData>({ formError: "login.invalid", email }, { status: 401 });
  }
  attempt.release();
  const cookie = await createSession(request, result.staff, db, { password: parsed.data.password });
  const headers = new Headers([
    ["Set-Cookie", cookie],
    ["Set-Cookie", deviceCookie(result.staff)],
  ]);
  if (await secondFactorNeeded(getDb(), result.staff)) {
    // Password accepted; the session opens nothing but the TOTP step (or the TOTP setup on first login).
    log.info("staff password accepted, second factor pending", { staffId: result.staff.id });
    return redirect(await secondFactorPath(result.staff, redirectTo), { headers });
  }
  log.info("staff login", { staffId: result.staff.id });
  return redirect(redirectTo, { headers });
}

export default function StaffLogin() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("staff");
  const labels = { email: t("login.email"), password: t("login.password") };
  return (
    <section className="card login-card" aria-labelledby="login-title">
      <h1 id="login-title">{t("login.title")}</h1>
      {data?.formError ? (
        <div className="error-summary" role="alert" data-testid="login-error">
          <p>{t(data.formError, { minutes: data.minutes ?? 15 })}</p>
        </div>
      ) : null}
      <ErrorSummary errors={data?.errors} labels={labels} />
      <Form method="post" noValidate>
        <CsrfField />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field name="email" label={labels.email} error={data?.errors?.email} required>
          {(p) => <input {...p} type="email" autoComplete="username" defaultValue={data?.email ?? ""} maxLength={254} />}
        </Field>
        <Field name="password" label={labels.password} error={data?.errors?.password} required>
          {(p) => <input {...p} type="password" autoComplete="current-password" maxLength={200} />}
        </Field>
        <button type="submit" className="primary">
          {t("login.submit")}
        </button>
      </Form>
      <p className="muted">{t("login.help")}</p>
    </section>
  );
}
