/**
 * /staff/passkeys — one's own second factors: the passkeys (name, when added, when last used; rename, remove, add
 * another), whether the authenticator app is on, how many recovery codes are left, and whether one's role needs a
 * second factor. Removing the last second factor of a role that needs one is refused. Adding a first factor (someone
 * whose role does not need one) makes the sign-in ask for it from then on and shows recovery codes once.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { PasskeyCeremony } from "~/components/passkey";
import { canRemovePasskey, PASSKEY_NAME_MAX } from "~/lib/second-factor";
import { formatThaiDate } from "~/lib/thai-date";
import { issueRecoveryCodesIfNone, stashRecoveryCodes, takeRecoveryCodes } from "~/models/staff/mfa.server";
import { listPasskeys, MAX_PASSKEYS, PasskeyError, registerPasskey, removePasskey, renamePasskey } from "~/models/staff/passkeys.server";
import { roleRequiresSecondFactor, secondFactorState } from "~/models/staff/second-factor.server";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { assertCsrf, getLang, readFormData } from "~/utils/request.server";
import { currentSession, markMfaVerified, requireStaff, sessionTokenOf } from "~/utils/session.server";

export const handle = { i18n: ["staff"] };

export const meta: MetaFunction = () => [{ title: "สุจริต · พาสคีย์ / Passkeys" }, { name: "robots", content: "noindex, nofollow" }];

const noStore = { "Cache-Control": "no-store" };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const db = getDb();
  const lang = getLang(request);
  const [rows, state, required] = await Promise.all([
    listPasskeys(db, staff.id),
    secondFactorState(db, staff),
    roleRequiresSecondFactor(db, staff),
  ]);
  const url = new URL(request.url);
  const leftRaw = url.searchParams.get("recoveryLeft");
  return json(
    {
      required,
      totpSince: staff.totp_enabled_at ? formatThaiDate(new Date(staff.totp_enabled_at), lang, { short: true }) : null,
      recoveryCodes: state.recoveryCodes,
      recoveryLeft: leftRaw !== null && /^\d{1,2}$/.test(leftRaw) ? Number(leftRaw) : null,
      newCodes: await takeRecoveryCodes(getDb(), sessionTokenOf(request), staff.id),
      canAdd: rows.length < MAX_PASSKEYS,
      passkeys: rows.map((r) => ({
        id: r.id,
        name: r.name,
        created: formatThaiDate(new Date(r.created_at), lang, { short: true }),
        lastUsed: r.last_used_at ? formatThaiDate(new Date(r.last_used_at), lang, { short: true, withTime: true }) : null,
        synced: r.backed_up === 1,
        removable: canRemovePasskey(required, state),
      })),
    },
    { headers: noStore },
  );
}

type ActionData = { passkeyError?: string; rowError?: { id: number; key: string } };

const PASSKEY_ERRORS: Record<PasskeyError["code"], string> = {
  no_challenge: "secondFactor.errors.expired",
  invalid: "secondFactor.errors.registerInvalid",
  counter: "secondFactor.errors.registerInvalid",
  duplicate: "secondFactor.errors.alreadyRegistered",
  bad_name: "secondFactor.errors.nameRequired",
  too_many: "secondFactor.errors.tooMany",
  not_found: "secondFactor.errors.notFound",
  last_factor: "secondFactor.errors.lastFactor",
  not_allowed: "secondFactor.errors.forbidden",
};

function rowId(v: FormDataEntryValue | null): number | null {
  return typeof v === "string" && /^\d{1,12}$/.test(v) ? Number(v) : null;
}

export async function action({ request }: ActionFunctionArgs) {
  const staff = await requireStaff(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const intent = form.get("intent");
  if (intent === "register") {
    const s = await currentSession(request, db);
    if (!s || !s.fullySignedIn || s.staff.id !== staff.id) throw redirect("/staff/login");
    try {
      await registerPasskey(db, staff, s.sessionId, { response: form.get("response"), name: form.get("name") });
    } catch (e) {
      if (!(e instanceof PasskeyError)) throw e;
      log.info("staff passkey registration refused", { staffId: staff.id, reason: e.code });
      return json<ActionData>(
        { passkeyError: PASSKEY_ERRORS[e.code] },
        { status: e.code === "duplicate" || e.code === "too_many" ? 409 : 422, headers: noStore },
      );
    }
    log.info("staff passkey added", { staffId: staff.id });
    const headers = new Headers(noStore);
    const codes = await issueRecoveryCodesIfNone(db, staff.id);
    // A first factor of someone whose role does not need one: from now on it is asked for; this session just proved it
    // (a new session, which the new recovery codes travel with).
    if (!s.mfaVerified) headers.append("Set-Cookie", await markMfaVerified(request, staff.id, db, { recoveryCodes: codes }));
    else if (codes) await stashRecoveryCodes(db, sessionTokenOf(request)!, staff.id, codes);
    return redirect("/staff/passkeys?added=1", { headers });
  }
  const id = rowId(form.get("id"));
  if (id === null || (intent !== "rename" && intent !== "remove")) {
    return json<ActionData>({ passkeyError: "secondFactor.errors.failed" }, { status: 400, headers: noStore });
  }
  try {
    if (intent === "rename") {
      await renamePasskey(db, staff, id, form.get("name"));
      return redirect("/staff/passkeys?renamed=1", { headers: noStore });
    }
    await removePasskey(db, staff, id);
    log.info("staff passkey removed", { staffId: staff.id });
    return redirect("/staff/passkeys?removed=1", { headers: noStore });
  } catch (e) {
    if (!(e instanceof PasskeyError)) throw e;
    const status = e.code === "not_found" ? 404 : e.code === "last_factor" ? 409 : 422;
    return json<ActionData>({ rowError: { id, key: PASSKEY_ERRORS[e.code] } }, { status, headers: noStore });
  }
}

export default function Passkeys() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const { t } = useTranslation("staff");
  const rowErrorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (result?.rowError) rowErrorRef.current?.focus();
  }, [result]);
  const flash = params.get("added") ? "flashAdded" : params.get("removed") ? "flashRemoved" : params.get("renamed") ? "flashRenamed" : null;
  return (
    <section className="passkeys-page" aria-labelledby="passkeys-title">
      <h1 id="passkeys-title">{t("secondFactor.page.title")}</h1>
      {flash ? (
        <p className="success" role="status" data-testid="passkeys-flash">
          {t(`secondFactor.page.${flash}`)}
        </p>
      ) : null}
      {data.recoveryLeft !== null ? (
        <p className={data.recoveryLeft <= 3 ? "warning" : "notice"} role="status" data-testid="recovery-left">
          {t("secondFactor.page.recoveryUsed", { count: data.recoveryLeft })}
        </p>
      ) : null}
      {data.newCodes ? (
        <div className="card" data-testid="new-recovery-codes">
          <h2>{t("secondFactor.codesTitle")}</h2>
          <p>{t("secondFactor.codesIntro")}</p>
          <ol className="recovery-codes" data-testid="recovery-codes">
            {data.newCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ol>
          <p className="warning">{t("secondFactor.codesOnce")}</p>
        </div>
      ) : null}
      <p>{data.required ? t("secondFactor.page.required") : t("secondFactor.page.optional")}</p>
      <dl className="facts">
        <dt>{t("secondFactor.page.app")}</dt>
        <dd data-testid="totp-status">
          {data.totpSince ? t("secondFactor.page.appOn", { date: data.totpSince }) : t("secondFactor.page.appOff")}
        </dd>
        <dt>{t("secondFactor.page.recovery")}</dt>
        <dd data-testid="recovery-count">{t("secondFactor.page.recoveryCount", { count: data.recoveryCodes })}</dd>
      </dl>

      <h2 id="passkey-list-title">{t("secondFactor.page.listTitle")}</h2>
      {data.passkeys.length === 0 ? (
        <p className="muted" data-testid="no-passkeys">
          {t("secondFactor.page.none")}
        </p>
      ) : (
        <ul className="passkey-list" aria-labelledby="passkey-list-title" data-testid="passkey-list">
          {data.passkeys.map((p) => (
            <li key={p.id} className="card passkey-item" data-testid="passkey-item" data-id={p.id}>
              <h3 className="passkey-name" data-testid="passkey-name">
                {p.name}
              </h3>
              <p className="muted passkey-meta">
                {t("secondFactor.page.added", { date: p.created })} ·{" "}
                {p.lastUsed ? t("secondFactor.page.lastUsed", { date: p.lastUsed }) : t("secondFactor.page.neverUsed")}
                {p.synced ? ` · ${t("secondFactor.page.synced")}` : ""}
              </p>
              {result?.rowError?.id === p.id ? (
                <div className="error-summary" role="alert" tabIndex={-1} ref={rowErrorRef} data-testid="passkey-row-error">
                  <p>{t(result.rowError.key)}</p>
                </div>
              ) : null}
              <div className="passkey-actions">
                <Form method="post" className="admin-row">
                  <CsrfField />
                  <input type="hidden" name="intent" value="rename" />
                  <input type="hidden" name="id" value={p.id} />
                  <label htmlFor={`rename-${p.id}`} className="visually-hidden">
                    {t("secondFactor.page.newName", { name: p.name })}
                  </label>
                  <input
                    id={`rename-${p.id}`}
                    type="text"
                    name="name"
                    defaultValue={p.name}
                    maxLength={PASSKEY_NAME_MAX}
                    required
                    autoComplete="off"
                  />
                  <button type="submit" className="secondary">
                    {t("secondFactor.page.rename")}
                  </button>
                </Form>
                <Form method="post">
                  <CsrfField />
                  <input type="hidden" name="intent" value="remove" />
                  <input type="hidden" name="id" value={p.id} />
                  <button
                    type="submit"
                    className="danger"
                    aria-describedby={p.removable ? undefined : `last-${p.id}`}
                    data-testid="passkey-remove"
                  >
                    {t("secondFactor.page.remove", { name: p.name })}
                  </button>
                  {p.removable ? null : (
                    <span className="hint" id={`last-${p.id}`}>
                      {t("secondFactor.page.lastFactorHint")}
                    </span>
                  )}
                </Form>
              </div>
            </li>
          ))}
        </ul>
      )}

      <h2 id="passkey-add-title">{t("secondFactor.page.addTitle")}</h2>
      <p>{t("secondFactor.page.addIntro")}</p>
      {data.canAdd ? (
        <PasskeyCeremony
          purpose="register"
          intent="register"
          buttonLabel={t("secondFactor.createPasskey")}
          serverError={result?.passkeyError ?? null}
          idPrefix="add-passkey"
        />
      ) : (
        <p className="notice">{t("secondFactor.errors.tooMany")}</p>
      )}
    </section>
  );
}
