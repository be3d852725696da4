/**
 * /staff/unlock — an integrity officer whose report keys are not open in this session (the server restarted, or an
 * old session) enters their password again: it opens their private key for this session only. On an account without
 * keys yet (first sign-in after the upgrade) it creates them, and the recovery key is shown next.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { unlockWithPassword } from "~/models/report/key-vault.server";
import { StaffKeyLockedError, StaffKeyMismatchError } from "~/models/report/staff-keys.server";
import { staffKeyInfo } from "~/models/report/staff-keys.server";
import { verifyLogin } from "~/models/staff/staff.server";
import { isKnownDevice } from "~/utils/device.server";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { limits } from "~/utils/rate-limit.server";
import { assertCsrf, readFormData, safeRedirectPath } from "~/utils/request.server";
import { holdsReportKeys, RECOVERY_KEY_PATH, requireStaff, vaultSessionOf } from "~/utils/session.server";
import { hasNewRecoveryKey } from "~/models/report/key-vault.server";

export const handle = { i18n: ["integrity"] };

export const meta: MetaFunction = () => [{ title: "สุจริต · ปลดล็อกกุญแจ / Unlock your keys" }, { name: "robots", content: "noindex" }];

const noStore = { "Cache-Control": "no-store" };

function target(raw: unknown): string {
  const p = safeRedirectPath(raw, "/staff/integrity");
  return p.startsWith("/staff/") && !p.startsWith("/staff/unlock") && !p.startsWith("/staff/login") && !p.startsWith("/staff/logout")
    ? p
    : "/staff/integrity";
}

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  if (!holdsReportKeys(staff)) throw redirect("/staff");
  const info = await staffKeyInfo(getDb(), staff.id);
  return json(
    { redirectTo: target(new URL(request.url).searchParams.get("redirectTo")), firstTime: !info, fingerprint: info?.fingerprint ?? null },
    { headers: noStore },
  );
}

type ActionData = { error: "invalid" | "locked" | "mismatch"; minutes?: number };

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const staff = await requireStaff(request);
  if (!holdsReportKeys(staff)) throw redirect("/staff");
  const session = vaultSessionOf(request);
  if (!session) throw redirect("/staff/login");
  const redirectTo = target(form.get("redirectTo"));
  const clientKey = context.clientAddress ?? "unknown";
  // Reserved before the password check (parallel attempts all count); a success gives it back.
  const attempt = limits.loginClient().reserve(clientKey);
  if (!attempt.allowed)
    return json<ActionData>(
      { error: "locked", minutes: Math.max(1, Math.ceil(attempt.retryAfterSec / 60)) },
      { status: 429, headers: noStore },
    );
  const password = form.get("password");
  const db = getDb();
  // The password is checked like a sign-in first (same throttling), then it opens the key.
  const check =
    typeof password === "string" && password.length <= 1024
      ? await verifyLogin(db, staff.email, password, { knownDevice: isKnownDevice(request, staff) })
      : { ok: false as const, reason: "invalid" as const };
  if (!check.ok || typeof password !== "string") {
    if (check.ok === false && check.reason === "locked")
      return json<ActionData>(
        { error: "locked", minutes: Math.max(1, Math.ceil(check.retryAfterSec / 60)) },
        { status: 429, headers: noStore },
      );
    return json<ActionData>({ error: "invalid" }, { status: 401, headers: noStore });
  }
  attempt.release();
  try {
    await unlockWithPassword(db, session, staff.id, password);
  } catch (e) {
    if (e instanceof StaffKeyMismatchError) {
      log.error("a report recipient's stored public key does not match their private key", { staffId: staff.id });
      return json<ActionData>({ error: "mismatch" }, { status: 409, headers: noStore });
    }
    if (e instanceof StaffKeyLockedError) return json<ActionData>({ error: "invalid" }, { status: 401, headers: noStore });
    throw e;
  }
  if (hasNewRecoveryKey(staff.id)) throw redirect(`${RECOVERY_KEY_PATH}?redirectTo=${encodeURIComponent(redirectTo)}`);
  throw redirect(redirectTo);
}

export default function Unlock() {
  const data = useLoaderData<typeof loader>();
  const error = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("integrity");
  return (
    <section className="card" aria-labelledby="unlock-title">
      <h1 id="unlock-title">{t(data.firstTime ? "keys.createTitle" : "keys.unlockTitle")}</h1>
      <p>{t(data.firstTime ? "keys.createIntro" : "keys.unlockIntro")}</p>
      {data.fingerprint ? (
        <p className="hint">
          {t("keys.fingerprint")}: <code data-testid="key-fingerprint">{data.fingerprint}</code>
        </p>
      ) : null}
      {error ? (
        <div className="error-summary" role="alert" tabIndex={-1} data-testid="unlock-error">
          <p>{t(`keys.errors.${error.error}`, { minutes: error.minutes ?? 15 })}</p>
        </div>
      ) : null}
      <Form method="post" noValidate>
        <CsrfField />
        <input type="hidden" name="redirectTo" value={data.redirectTo} />
        <div className={`field${error ? " has-error" : ""}`}>
          <label htmlFor="f-password">{t("keys.password")}</label>
          <input
            id="f-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={error ? true : undefined}
          />
        </div>
        <button type="submit" className="primary">
          {t(data.firstTime ? "keys.createSubmit" : "keys.unlockSubmit")}
        </button>
      </Form>
    </section>
  );
}
