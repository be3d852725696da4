/**
 * /staff/login/totp — the second sign-in step for integrity officers: a 6-digit code from their authenticator app,
 * or one of their recovery codes. (File name staff_.login_.totp: not nested in the password page's layout.)
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { MfaError, verifySecondFactor } from "~/models/mfa.server";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { limits } from "~/utils/rate-limit.server";
import { assertCsrf, readFormData, safeRedirectPath } from "~/utils/request.server";
import { markMfaVerified, requirePendingMfaStaff, TOTP_SETUP_PATH } from "~/utils/session.server";

export const meta: MetaFunction = () => [{ title: "สุจริต · รหัสยืนยันตัวตน / Verification code" }, { name: "robots", content: "noindex" }];

function target(raw: unknown): string {
  const p = safeRedirectPath(raw, "/staff/integrity");
  return p.startsWith("/staff") && !p.startsWith("/staff/login") && !p.startsWith("/staff/logout") && !p.startsWith("/staff/totp") && p !== "/staff"
    ? p
    : "/staff/integrity";
}

const noStore = { "Cache-Control": "no-store" };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requirePendingMfaStaff(request);
  const redirectTo = target(new URL(request.url).searchParams.get("redirectTo"));
  if (!staff.totp_enabled_at) throw redirect(TOTP_SETUP_PATH);
  return json({ redirectTo, name: staff.name }, { headers: noStore });
}

type ActionData = { error: "invalid" | "replayed" | "locked"; minutes?: number };

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const staff = await requirePendingMfaStaff(request);
  if (!staff.totp_enabled_at) throw redirect(TOTP_SETUP_PATH);
  const redirectTo = target(form.get("redirectTo"));
  const clientKey = context.clientAddress ?? "unknown";
  const clientLimiter = limits.loginClient();
  const peek = clientLimiter.peek(clientKey);
  if (peek.blocked) {
    return json<ActionData>({ error: "locked", minutes: Math.max(1, Math.ceil(peek.retryAfterSec / 60)) }, { status: 429, headers: noStore });
  }
  const db = getDb();
  try {
    const result = await verifySecondFactor(db, staff.id, form.get("code"));
    const cookie = await markMfaVerified(request, staff.id, db);
    log.info("staff login", { staffId: staff.id, secondFactor: result.method });
    const to = result.method === "recovery" ? `/staff/integrity?recoveryLeft=${result.recoveryCodesLeft}` : redirectTo;
    return redirect(to, { headers: { "Set-Cookie": cookie } });
  } catch (e) {
    if (!(e instanceof MfaError)) throw e;
    clientLimiter.hit(clientKey);
    log.info("staff second factor failed", { staffId: staff.id, reason: e.code });
    if (e.code === "locked") {
      return json<ActionData>({ error: "locked", minutes: Math.max(1, Math.ceil(e.retryAfterSec / 60)) }, { status: 429, headers: noStore });
    }
    return json<ActionData>({ error: e.code === "replayed" ? "replayed" : "invalid" }, { status: 401, headers: noStore });
  }
}

export default function TotpStep() {
  const { redirectTo, name } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("integrity");
  return (
    <section className="card login-card" aria-labelledby="totp-title">
      <h1 id="totp-title">{t("totp.title")}</h1>
      <p>{t("totp.intro", { name })}</p>
      {data?.error ? (
        <div className="error-summary" role="alert" data-testid="totp-error">
          <p>{t(`totp.errors.${data.error}`, { minutes: data.minutes ?? 15 })}</p>
        </div>
      ) : null}
      <Form method="post" noValidate>
        <CsrfField />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <div className={`field${data?.error ? " has-error" : ""}`}>
          <label htmlFor="f-code">{t("totp.code")}</label>
          <span className="hint" id="f-code-hint">
            {t("totp.codeHint")}
          </span>
          <input
            id="f-code"
            name="code"
            type="text"
            inputMode="text"
            autoComplete="one-time-code"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={20}
            required
            autoFocus
            aria-describedby="f-code-hint"
            aria-invalid={data?.error ? true : undefined}
            className="code-input"
          />
        </div>
        <button type="submit" className="primary">
          {t("totp.submit")}
        </button>
      </Form>
      <details className="totp-help">
        <summary>{t("totp.lostTitle")}</summary>
        <p>{t("totp.lost")}</p>
      </details>
      <Form method="post" action="/staff/logout" reloadDocument>
        <CsrfField />
        <button type="submit" className="secondary">
          {t("totp.cancel")}
        </button>
      </Form>
    </section>
  );
}
