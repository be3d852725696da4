/**
 * /staff/login/totp — the second sign-in step (the path predates passkeys): offers what the person has set up — their
 * passkey (needs JavaScript), a 6-digit code from their authenticator app, and one of their recovery codes (the same
 * field as the app's code). Someone with no second factor yet is sent to the set-up page. (File name
 * staff_.login_.totp: not nested in the password page's layout.)
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { PasskeyCeremony } from "~/components/passkey";
import { hasSecondFactor, offeredMethods } from "~/lib/second-factor";
import { MfaError, verifySecondFactor } from "~/models/staff/mfa.server";
import { PasskeyError, verifyPasskeySignIn } from "~/models/staff/passkeys.server";
import { secondFactorState } from "~/models/staff/second-factor.server";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { limits } from "~/utils/rate-limit.server";
import { assertCsrf, readFormData } from "~/utils/request.server";
import {
  afterSecondFactorPath,
  holdsReportKeys,
  markMfaVerified,
  requirePendingMfaStaff,
  sessionIdOf,
  TOTP_SETUP_PATH,
} from "~/utils/session.server";

export const handle = { i18n: ["staff"] };

export const meta: MetaFunction = () => [{ title: "สุจริต · ยืนยันตัวตนขั้นที่สอง / Second sign-in step" }, { name: "robots", content: "noindex" }];

const noStore = { "Cache-Control": "no-store" };

function setupPath(redirectTo: string): string {
  return redirectTo === "/staff" ? TOTP_SETUP_PATH : `${TOTP_SETUP_PATH}?redirectTo=${encodeURIComponent(redirectTo)}`;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requirePendingMfaStaff(request);
  const redirectTo = afterSecondFactorPath(new URL(request.url).searchParams.get("redirectTo"));
  const state = await secondFactorState(getDb(), staff);
  if (!hasSecondFactor(state)) throw redirect(setupPath(redirectTo));
  const methods = offeredMethods(state);
  return json({ redirectTo, name: staff.name, passkey: methods.includes("passkey"), totp: methods.includes("totp") }, { headers: noStore });
}

type CodeError = "invalid" | "replayed" | "locked";
type ActionData = { error?: CodeError; passkeyError?: string; minutes?: number };

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const staff = await requirePendingMfaStaff(request);
  const db = getDb();
  const redirectTo = afterSecondFactorPath(form.get("redirectTo"));
  const state = await secondFactorState(db, staff);
  if (!hasSecondFactor(state)) throw redirect(setupPath(redirectTo));
  const viaPasskey = form.get("intent") === "passkey";
  const clientKey = context.clientAddress ?? "unknown";
  const clientLimiter = limits.loginClient();
  const peek = clientLimiter.peek(clientKey);
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
      await verifyPasskeySignIn(db, staff, sessionId, form.get("response"));
      const cookie = await markMfaVerified(request, staff.id, db);
      log.info("staff login", { staffId: staff.id, secondFactor: "passkey" });
      return redirect(redirectTo, { headers: { "Set-Cookie": cookie } });
    } catch (e) {
      if (e instanceof PasskeyError) {
        return json<ActionData>({ passkeyError: "secondFactor.errors.expired" }, { status: 400, headers: noStore });
      }
      if (!(e instanceof MfaError)) throw e;
      clientLimiter.hit(clientKey);
      log.info("staff second factor failed", { staffId: staff.id, method: "passkey", reason: e.code });
      if (e.code === "locked") {
        return json<ActionData>(
          { passkeyError: "secondFactor.errors.locked", minutes: Math.max(1, Math.ceil(e.retryAfterSec / 60)) },
          { status: 429, headers: noStore },
        );
      }
      return json<ActionData>({ passkeyError: "secondFactor.errors.passkeyInvalid" }, { status: 401, headers: noStore });
    }
  }
  try {
    const result = await verifySecondFactor(db, staff.id, form.get("code"));
    const cookie = await markMfaVerified(request, staff.id, db);
    log.info("staff login", { staffId: staff.id, secondFactor: result.method });
    // After a recovery code: integrity officers see how many are left on their queue, others on their passkeys page.
    const to =
      result.method === "recovery"
        ? holdsReportKeys(staff)
          ? `/staff/integrity?recoveryLeft=${result.recoveryCodesLeft}`
          : `/staff/passkeys?recoveryLeft=${result.recoveryCodesLeft}`
        : redirectTo;
    return redirect(to, { headers: { "Set-Cookie": cookie } });
  } catch (e) {
    if (!(e instanceof MfaError)) throw e;
    clientLimiter.hit(clientKey);
    log.info("staff second factor failed", { staffId: staff.id, reason: e.code });
    if (e.code === "locked") {
      return json<ActionData>(
        { error: "locked", minutes: Math.max(1, Math.ceil(e.retryAfterSec / 60)) },
        { status: 429, headers: noStore },
      );
    }
    return json<ActionData>({ error: e.code === "replayed" ? "replayed" : "invalid" }, { status: 401, headers: noStore });
  }
}

export default function SecondFactorStep() {
  const { redirectTo, name, passkey, totp } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("staff");
  const codeErrorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (data?.error) codeErrorRef.current?.focus();
  }, [data]);
  const passkeyError = data?.passkeyError ? t(data.passkeyError, { minutes: data.minutes ?? 15 }) : null;
  return (
    <section className="card login-card second-factor" aria-labelledby="totp-title">
      <h1 id="totp-title">{t("secondFactor.stepTitle")}</h1>
      <p>{t("secondFactor.stepIntro", { name })}</p>
      {passkey ? (
        <section aria-labelledby="sf-passkey-title" className="sf-method" data-testid="sf-passkey">
          <h2 id="sf-passkey-title">{t("secondFactor.passkeyTitle")}</h2>
          <p className="hint">{t("secondFactor.passkeyIntro")}</p>
          <PasskeyCeremony
            purpose="authenticate"
            intent="passkey"
            hidden={{ redirectTo }}
            buttonLabel={t("secondFactor.passkeyButton")}
            serverError={passkeyError ? data?.passkeyError : null}
            noScriptText={t("secondFactor.needsJsStep")}
          />
        </section>
      ) : null}
      <section aria-labelledby="sf-code-title" className="sf-method" data-testid="sf-code">
        <h2 id="sf-code-title">{totp ? t("secondFactor.codeTitle") : t("secondFactor.recoveryTitle")}</h2>
        {data?.error ? (
          <div className="error-summary" role="alert" tabIndex={-1} ref={codeErrorRef} data-testid="totp-error">
            <p>{t(`secondFactor.errors.${data.error}`, { minutes: data.minutes ?? 15 })}</p>
          </div>
        ) : null}
        <Form method="post" noValidate>
          <CsrfField />
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <input type="hidden" name="intent" value="code" />
          <div className={`field${data?.error ? " has-error" : ""}`}>
            <label htmlFor="f-code">{totp ? t("secondFactor.code") : t("secondFactor.recoveryCode")}</label>
            <span className="hint" id="f-code-hint">
              {totp ? t("secondFactor.codeHint") : t("secondFactor.recoveryHint")}
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
              // The second step has one field: taking the person straight to it is what they expect here.
              // eslint-disable-next-line jsx-a11y/no-autofocus
              autoFocus={!passkey}
              aria-describedby="f-code-hint"
              aria-invalid={data?.error ? true : undefined}
              className="code-input"
            />
          </div>
          <button type="submit" className={passkey ? "secondary" : "primary"}>
            {t("secondFactor.submit")}
          </button>
        </Form>
      </section>
      <details className="totp-help">
        <summary>{t("secondFactor.lostTitle")}</summary>
        <p>{t("secondFactor.lost")}</p>
      </details>
      <Form method="post" action="/staff/logout" reloadDocument>
        <CsrfField />
        <button type="submit" className="secondary">
          {t("secondFactor.cancel")}
        </button>
      </Form>
    </section>
  );
}
