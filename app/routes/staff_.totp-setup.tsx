/**
 * /staff/totp-setup — first-time set-up of the second factor (the path predates passkeys), for someone who passed the
 * password and has none yet. Two choices on one page:
 *
 * 1. a passkey on this device or a security key (needs JavaScript: app/components/passkey.tsx);
 * 2. an authenticator app: scan the QR code (otpauth:// URI rendered server-side as SVG; the secret is also shown as
 *    text for manual entry) and confirm with a code from the app.
 *
 * Either way the person then saves 10 recovery codes, which are shown once: the confirming POST keeps them in memory
 * and redirects here, and this page takes them (a reload no longer shows them). Someone who already has a factor is
 * sent to the step (/staff/login/totp).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useEffect, useRef } from "react";
import QRCode from "qrcode";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { PasskeyCeremony } from "~/components/passkey";
import { hasSecondFactor } from "~/lib/second-factor";
import { formatSecretForDisplay } from "~/lib/totp";
import { beginTotpSetup, confirmTotpSetup, issueRecoveryCodesIfNone, MfaError, takeRecoveryCodes } from "~/models/staff/mfa.server";
import { PasskeyError, registerPasskey } from "~/models/staff/passkeys.server";
import { secondFactorState } from "~/models/staff/second-factor.server";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { limits } from "~/utils/rate-limit.server";
import { assertCsrf, readFormData } from "~/utils/request.server";
import {
  afterSecondFactorPath,
  getStaff,
  markMfaVerified,
  requirePendingMfaStaff,
  sessionIdOf,
  sessionTokenOf,
  TOTP_LOGIN_PATH,
} from "~/utils/session.server";

export const handle = { i18n: ["staff", "integrity"] };

export const meta: MetaFunction = () => [
  { title: "สุจริต · ตั้งค่าการยืนยันตัวตนสองขั้นตอน / Two-step verification" },
  { name: "robots", content: "noindex" },
];

const noStore = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };

function stepPath(redirectTo: string): string {
  return redirectTo === "/staff" ? TOTP_LOGIN_PATH : `${TOTP_LOGIN_PATH}?redirectTo=${encodeURIComponent(redirectTo)}`;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const next = afterSecondFactorPath(url.searchParams.get("redirectTo"));
  const signedIn = await getStaff(request);
  if (signedIn) {
    // Just set up: show the recovery codes once.
    const codes = await takeRecoveryCodes(getDb(), sessionTokenOf(request), signedIn.id);
    if (!codes) throw redirect("/staff");
    return json({ mode: "codes" as const, recoveryCodes: codes, next }, { headers: noStore });
  }
  const staff = await requirePendingMfaStaff(request);
  const db = getDb();
  if (hasSecondFactor(await secondFactorState(db, staff))) throw redirect(stepPath(next));
  const setup = await beginTotpSetup(db, staff.id);
  // The SVG comes from the qrcode library and contains only our own URI (no user-supplied markup).
  const qrSvg = await QRCode.toString(setup.uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return json(
    {
      mode: "setup" as const,
      email: staff.email,
      role: staff.role,
      secret: formatSecretForDisplay(setup.secret),
      qrSvg,
      redirectTo: next,
    },
    { headers: noStore },
  );
}

type ActionData = { error?: "invalid" | "locked" | "replayed"; passkeyError?: string; minutes?: number };

const PASSKEY_ERRORS: Record<PasskeyError["code"], string> = {
  no_challenge: "secondFactor.errors.expired",
  invalid: "secondFactor.errors.registerInvalid",
  counter: "secondFactor.errors.registerInvalid",
  duplicate: "secondFactor.errors.alreadyRegistered",
  bad_name: "secondFactor.errors.nameRequired",
  too_many: "secondFactor.errors.tooMany",
  not_found: "secondFactor.errors.failed",
  last_factor: "secondFactor.errors.lastFactor",
  not_allowed: "secondFactor.errors.forbidden",
};

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const staff = await requirePendingMfaStaff(request);
  const db = getDb();
  const next = afterSecondFactorPath(form.get("redirectTo"));
  // Only someone with no second factor yet may set one up from a password-only session.
  if (hasSecondFactor(await secondFactorState(db, staff))) throw redirect(stepPath(next));
  const clientKey = context.clientAddress ?? "unknown";
  const clientLimiter = limits.loginClient();
  const peek = clientLimiter.peek(clientKey);
  const viaPasskey = form.get("intent") === "passkey";
  if (peek.blocked) {
    const minutes = Math.max(1, Math.ceil(peek.retryAfterSec / 60));
    return json<ActionData>(viaPasskey ? { passkeyError: "secondFactor.errors.locked", minutes } : { error: "locked", minutes }, {
      status: 429,
      headers: noStore,
    });
  }
  if (viaPasskey) {
    const sessionId = sessionIdOf(request);
    try {
      if (!sessionId) throw new PasskeyError("no_challenge");
      await registerPasskey(db, staff, sessionId, { response: form.get("response"), name: form.get("name") });
    } catch (e) {
      if (!(e instanceof PasskeyError)) throw e;
      if (e.code === "invalid") clientLimiter.hit(clientKey);
      log.info("staff passkey set-up refused", { staffId: staff.id, reason: e.code });
      return json<ActionData>({ passkeyError: PASSKEY_ERRORS[e.code] }, { status: e.code === "duplicate" ? 409 : 422, headers: noStore });
    }
    // The app's pending secret (made when this page opened) is not needed any more.
    await db
      .updateTable("staff")
      .set({ totp_secret_enc: null, totp_last_step: null })
      .where("id", "=", staff.id)
      .where("totp_enabled_at", "is", null)
      .execute();
    const codes = await issueRecoveryCodesIfNone(db, staff.id);
    const cookie = await markMfaVerified(request, staff.id, db, { recoveryCodes: codes });
    log.info("staff passkey set up", { staffId: staff.id });
    if (!codes) return redirect(next, { headers: { "Set-Cookie": cookie } });
    return redirect(`/staff/totp-setup?redirectTo=${encodeURIComponent(next)}`, { headers: { "Set-Cookie": cookie } });
  }
  try {
    const { recoveryCodes } = await confirmTotpSetup(db, staff.id, form.get("code"));
    const cookie = await markMfaVerified(request, staff.id, db, { recoveryCodes });
    log.info("staff totp enabled", { staffId: staff.id });
    return redirect(`/staff/totp-setup?redirectTo=${encodeURIComponent(next)}`, { headers: { "Set-Cookie": cookie } });
  } catch (e) {
    if (!(e instanceof MfaError)) throw e;
    clientLimiter.hit(clientKey);
    if (e.code === "locked") {
      return json<ActionData>(
        { error: "locked", minutes: Math.max(1, Math.ceil(e.retryAfterSec / 60)) },
        { status: 429, headers: noStore },
      );
    }
    if (e.code === "already_enabled") throw redirect(TOTP_LOGIN_PATH);
    return json<ActionData>({ error: e.code === "replayed" ? "replayed" : "invalid" }, { status: 422, headers: noStore });
  }
}

export default function SecondFactorSetup() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("staff");
  const ti = useTranslation("integrity").t;
  const codeErrorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (result?.error) codeErrorRef.current?.focus();
  }, [result]);
  if (data.mode === "codes") {
    return (
      <section className="card totp-setup" aria-labelledby="codes-title">
        <h1 id="codes-title">{t("secondFactor.doneTitle")}</h1>
        <p className="notice success" role="status">
          {t("secondFactor.done")}
        </p>
        <h2>{t("secondFactor.codesTitle")}</h2>
        <p>{t("secondFactor.codesIntro")}</p>
        <ol className="recovery-codes" data-testid="recovery-codes">
          {data.recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ol>
        <p className="warning">{t("secondFactor.codesOnce")}</p>
        <p>
          <Link to={data.next} className="button" data-testid="continue">
            {t("secondFactor.continue")}
          </Link>
        </p>
      </section>
    );
  }
  const roleName = data.role === "integrity" ? ti("role") : t(`roles.${data.role}`);
  return (
    <section className="card totp-setup" aria-labelledby="setup-title">
      <h1 id="setup-title">{t("secondFactor.setupTitle")}</h1>
      <p>{t("secondFactor.setupIntro", { role: roleName })}</p>
      <nav aria-label={t("secondFactor.setupChoose")} className="sf-choices">
        <p className="sf-choose">{t("secondFactor.setupChoose")}</p>
        <ul>
          <li>
            <a href="#sf-setup-passkey">{t("secondFactor.setupPasskeyTitle")}</a>
          </li>
          <li>
            <a href="#sf-setup-app">{t("secondFactor.setupTotpTitle")}</a>
          </li>
        </ul>
      </nav>

      <section aria-labelledby="sf-setup-passkey" className="sf-method" data-testid="sf-setup-passkey">
        <h2 id="sf-setup-passkey" tabIndex={-1}>
          {t("secondFactor.setupPasskeyTitle")}
        </h2>
        <p>{t("secondFactor.setupPasskeyIntro")}</p>
        <PasskeyCeremony
          purpose="register"
          intent="passkey"
          hidden={{ redirectTo: data.redirectTo }}
          buttonLabel={t("secondFactor.createPasskey")}
          serverError={result?.passkeyError ?? null}
          noScriptText={t("secondFactor.needsJsSetup")}
        />
      </section>

      <section aria-labelledby="sf-setup-app" className="sf-method" data-testid="sf-setup-app">
        <h2 id="sf-setup-app" tabIndex={-1}>
          {t("secondFactor.setupTotpTitle")}
        </h2>
        <ol className="setup-steps">
          <li>{t("secondFactor.step1")}</li>
          <li>
            {t("secondFactor.step2")}
            <figure className="totp-qr">
              <div aria-hidden="true" dangerouslySetInnerHTML={{ __html: data.qrSvg }} />
              <figcaption>{t("secondFactor.qrCaption", { email: data.email })}</figcaption>
            </figure>
            <p>{t("secondFactor.manual")}</p>
            <p className="code-display totp-secret" data-testid="totp-secret">
              {data.secret}
            </p>
            <p className="hint">{t("secondFactor.manualHint")}</p>
          </li>
          <li>{t("secondFactor.step3")}</li>
        </ol>
        {result?.error ? (
          <div className="error-summary" role="alert" tabIndex={-1} ref={codeErrorRef} data-testid="totp-error">
            <p>{t(`secondFactor.errors.${result.error}`, { minutes: result.minutes ?? 15 })}</p>
          </div>
        ) : null}
        <Form method="post" noValidate>
          <CsrfField />
          <input type="hidden" name="redirectTo" value={data.redirectTo} />
          <input type="hidden" name="intent" value="totp" />
          <div className={`field${result?.error ? " has-error" : ""}`}>
            <label htmlFor="f-code">{t("secondFactor.setupCode")}</label>
            <span className="hint" id="f-code-hint">
              {t("secondFactor.setupCodeHint")}
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
              aria-invalid={result?.error ? true : undefined}
              className="code-input"
            />
          </div>
          <button type="submit" className="primary">
            {t("secondFactor.setupSubmit")}
          </button>
        </Form>
      </section>
      <Form method="post" action="/staff/logout" reloadDocument>
        <CsrfField />
        <button type="submit" className="secondary">
          {t("secondFactor.cancel")}
        </button>
      </Form>
    </section>
  );
}
