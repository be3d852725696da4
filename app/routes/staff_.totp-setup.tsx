/**
 * /staff/totp-setup — first sign-in of an integrity officer: scan the QR code (otpauth:// URI rendered server-side as
 * SVG; the secret is also shown as text for manual entry), confirm with a code from the app, then save the 10 recovery
 * codes, which are shown once: the confirming POST keeps them in memory and redirects here, and this page takes them
 * (a reload no longer shows them).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import QRCode from "qrcode";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { formatSecretForDisplay } from "~/lib/totp";
import { beginTotpSetup, confirmTotpSetup, MfaError, stashRecoveryCodes, takeRecoveryCodes } from "~/models/mfa.server";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { limits } from "~/utils/rate-limit.server";
import { assertCsrf, readFormData, safeRedirectPath } from "~/utils/request.server";
import { getStaff, markMfaVerified, requirePendingMfaStaff, TOTP_LOGIN_PATH } from "~/utils/session.server";

export const meta: MetaFunction = () => [{ title: "สุจริต · ตั้งค่าการยืนยันตัวตนสองขั้นตอน / Two-step verification" }, { name: "robots", content: "noindex" }];

const noStore = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };

function target(raw: unknown): string {
  const p = safeRedirectPath(raw, "/staff/integrity");
  return p.startsWith("/staff/integrity") || p.startsWith("/staff/audit") ? p : "/staff/integrity";
}

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const signedIn = await getStaff(request);
  if (signedIn) {
    // Just confirmed: show the recovery codes once.
    const codes = takeRecoveryCodes(signedIn.id);
    if (!codes) throw redirect("/staff");
    return json({ mode: "codes" as const, recoveryCodes: codes, next: target(url.searchParams.get("redirectTo")) }, { headers: noStore });
  }
  const staff = await requirePendingMfaStaff(request);
  if (staff.totp_enabled_at) throw redirect(TOTP_LOGIN_PATH);
  const setup = await beginTotpSetup(getDb(), staff.id);
  // The SVG comes from the qrcode library and contains only our own URI (no user-supplied markup).
  const qrSvg = await QRCode.toString(setup.uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return json(
    {
      mode: "setup" as const,
      email: staff.email,
      secret: formatSecretForDisplay(setup.secret),
      qrSvg,
      redirectTo: target(url.searchParams.get("redirectTo")),
    },
    { headers: noStore },
  );
}

type ActionData = { error: "invalid" | "locked" | "replayed"; minutes?: number };

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const staff = await requirePendingMfaStaff(request);
  if (staff.totp_enabled_at) throw redirect(TOTP_LOGIN_PATH);
  const clientKey = context.clientAddress ?? "unknown";
  const clientLimiter = limits.loginClient();
  const peek = clientLimiter.peek(clientKey);
  if (peek.blocked) {
    return json<ActionData>({ error: "locked", minutes: Math.max(1, Math.ceil(peek.retryAfterSec / 60)) }, { status: 429, headers: noStore });
  }
  const db = getDb();
  try {
    const { recoveryCodes } = await confirmTotpSetup(db, staff.id, form.get("code"));
    const cookie = await markMfaVerified(request, staff.id, db);
    stashRecoveryCodes(staff.id, recoveryCodes);
    log.info("staff totp enabled", { staffId: staff.id });
    const next = target(form.get("redirectTo"));
    return redirect(`/staff/totp-setup?redirectTo=${encodeURIComponent(next)}`, { headers: { "Set-Cookie": cookie } });
  } catch (e) {
    if (!(e instanceof MfaError)) throw e;
    clientLimiter.hit(clientKey);
    if (e.code === "locked") {
      return json<ActionData>({ error: "locked", minutes: Math.max(1, Math.ceil(e.retryAfterSec / 60)) }, { status: 429, headers: noStore });
    }
    if (e.code === "already_enabled") throw redirect(TOTP_LOGIN_PATH);
    return json<ActionData>({ error: e.code === "replayed" ? "replayed" : "invalid" }, { status: 422, headers: noStore });
  }
}

export default function TotpSetup() {
  const data = useLoaderData<typeof loader>();
  const error = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("integrity");
  if (data.mode === "codes") {
    return (
      <section className="card totp-setup" aria-labelledby="codes-title">
        <h1 id="codes-title">{t("setup.doneTitle")}</h1>
        <p className="notice success" role="status">
          {t("setup.done")}
        </p>
        <h2>{t("setup.codesTitle")}</h2>
        <p>{t("setup.codesIntro")}</p>
        <ol className="recovery-codes" data-testid="recovery-codes">
          {data.recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ol>
        <p className="warning">{t("setup.codesOnce")}</p>
        <p>
          <Link to={data.next} className="button" data-testid="continue">
            {t("setup.continue")}
          </Link>
        </p>
      </section>
    );
  }
  return (
    <section className="card totp-setup" aria-labelledby="setup-title">
      <h1 id="setup-title">{t("setup.title")}</h1>
      <p>{t("setup.intro")}</p>
      <ol className="setup-steps">
        <li>{t("setup.step1")}</li>
        <li>
          {t("setup.step2")}
          <figure className="totp-qr">
            <div aria-hidden="true" dangerouslySetInnerHTML={{ __html: data.qrSvg }} />
            <figcaption>{t("setup.qrCaption", { email: data.email })}</figcaption>
          </figure>
          <p>{t("setup.manual")}</p>
          <p className="code-display totp-secret" data-testid="totp-secret">
            {data.secret}
          </p>
          <p className="hint">{t("setup.manualHint")}</p>
        </li>
        <li>{t("setup.step3")}</li>
      </ol>
      {error ? (
        <div className="error-summary" role="alert" data-testid="totp-error">
          <p>{t(`totp.errors.${error.error}`, { minutes: error.minutes ?? 15 })}</p>
        </div>
      ) : null}
      <Form method="post" noValidate>
        <CsrfField />
        <input type="hidden" name="redirectTo" value={data.redirectTo} />
        <div className={`field${error ? " has-error" : ""}`}>
          <label htmlFor="f-code">{t("setup.code")}</label>
          <span className="hint" id="f-code-hint">
            {t("setup.codeHint")}
          </span>
          <input
            id="f-code"
            name="code"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            maxLength={10}
            required
            aria-describedby="f-code-hint"
            aria-invalid={error ? true : undefined}
            className="code-input"
          />
        </div>
        <button type="submit" className="primary">
          {t("setup.submit")}
        </button>
      </Form>
      <Form method="post" action="/staff/logout" reloadDocument>
        <CsrfField />
        <button type="submit" className="secondary">
          {t("totp.cancel")}
        </button>
      </Form>
    </section>
  );
}
