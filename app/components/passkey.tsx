/**
 * The browser side of a passkey ceremony, for the second-factor pages and /staff/passkeys. No inline script (the CSP
 * allows only the app's own bundles): this component's event handler asks POST /staff/webauthn/options for options
 * with a fresh challenge, lets the browser make or use the passkey (@simplewebauthn/browser), puts the answer in a
 * hidden field and submits the form to the page's own action, which checks it.
 *
 * WebAuthn needs JavaScript. Until the page's script runs (or when it never does) the component says so and shows no
 * button; the pages keep their code forms for that case. A browser without WebAuthn is told so too.
 */
import { useEffect, useRef, useState } from "react";
import { Form, useNavigation, useSubmit } from "@remix-run/react";
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";
import { useTranslation } from "~/components/i18n";
import { useRootData } from "~/components/root-data";
import { PASSKEY_NAME_MAX } from "~/lib/second-factor";
import { appPath } from "~/lib/app-path";

export interface PasskeyCeremonyProps {
  purpose: "register" | "authenticate";
  /** Value of the form's `intent` field, for the page's action. */
  intent: string;
  /** Extra hidden fields (e.g. redirectTo). */
  hidden?: Record<string, string>;
  buttonLabel: string;
  /** A message key (staff namespace) from the page's action, shown in the component's error box. */
  serverError?: string | null;
  /** Prefix of the element ids and data-testids ("passkey" by default). */
  idPrefix?: string;
  /** Text shown instead of the button when JavaScript does not run. */
  noScriptText?: string;
}

type Status = "idle" | "busy";

function errorKeyFor(e: unknown): string {
  const name = (e as { name?: string } | null)?.name;
  if (name === "NotAllowedError" || name === "AbortError") return "secondFactor.errors.cancelled";
  if (name === "InvalidStateError") return "secondFactor.errors.alreadyRegistered";
  if (name === "SecurityError") return "secondFactor.errors.wrongSite";
  return "secondFactor.errors.failed";
}

const OPTION_ERRORS: Record<string, string> = {
  session: "secondFactor.errors.session",
  forbidden: "secondFactor.errors.forbidden",
  too_many: "secondFactor.errors.tooMany",
  none: "secondFactor.errors.noPasskey",
};

export function PasskeyCeremony({
  purpose,
  intent,
  hidden,
  buttonLabel,
  serverError,
  idPrefix = "passkey",
  noScriptText,
}: PasskeyCeremonyProps) {
  const { t } = useTranslation("staff");
  const root = useRootData();
  const submit = useSubmit();
  const navigation = useNavigation();
  const formRef = useRef<HTMLFormElement>(null);
  const responseRef = useRef<HTMLInputElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState<"no-js" | "unsupported" | "yes">("no-js");
  const [status, setStatus] = useState<Status>("idle");
  const [clientError, setClientError] = useState<string | null>(null);
  const [nameError, setNameError] = useState(false);

  useEffect(() => setReady(browserSupportsWebAuthn() ? "yes" : "unsupported"), []);
  const error = clientError ?? serverError ?? null;
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const busy = status === "busy" || navigation.state !== "idle";

  async function run() {
    setClientError(null);
    setNameError(false);
    if (purpose === "register" && !(nameRef.current?.value ?? "").trim()) {
      setNameError(true);
      setClientError("secondFactor.errors.nameRequired");
      return;
    }
    setStatus("busy");
    try {
      const res = await fetch(appPath("/staff/webauthn/options"), {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        body: new URLSearchParams({ csrf: root?.csrf ?? "", purpose }),
      });
      const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
      if (!res.ok || !body || typeof body.challenge !== "string") {
        setClientError(OPTION_ERRORS[String(body?.error)] ?? "secondFactor.errors.failed");
        return;
      }
      const answer =
        purpose === "register"
          ? await startRegistration({ optionsJSON: body as unknown as Parameters<typeof startRegistration>[0]["optionsJSON"] })
          : await startAuthentication({ optionsJSON: body as unknown as Parameters<typeof startAuthentication>[0]["optionsJSON"] });
      if (!responseRef.current || !formRef.current) return;
      responseRef.current.value = JSON.stringify(answer);
      submit(formRef.current, { method: "post" });
    } catch (e) {
      setClientError(errorKeyFor(e));
    } finally {
      setStatus("idle");
    }
  }

  return (
    <Form method="post" ref={formRef} className="passkey-form" data-testid={`${idPrefix}-form`} noValidate>
      <input type="hidden" name="csrf" value={root?.csrf ?? ""} />
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(hidden ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <input type="hidden" name="response" ref={responseRef} defaultValue="" />
      {error ? (
        <div className="error-summary" role="alert" tabIndex={-1} ref={errorRef} data-testid={`${idPrefix}-error`}>
          <p>{t(error)}</p>
        </div>
      ) : null}
      {ready === "no-js" ? (
        <p className="notice" data-testid={`${idPrefix}-needs-js`}>
          {noScriptText ?? t("secondFactor.needsJs")}
        </p>
      ) : ready === "unsupported" ? (
        <p className="warning" data-testid={`${idPrefix}-unsupported`}>
          {t("secondFactor.unsupported")}
        </p>
      ) : (
        <>
          {purpose === "register" ? (
            <div className={`field${nameError ? " has-error" : ""}`}>
              <label htmlFor={`${idPrefix}-name`}>{t("secondFactor.passkeyName")}</label>
              <span className="hint" id={`${idPrefix}-name-hint`}>
                {t("secondFactor.passkeyNameHint")}
              </span>
              <input
                id={`${idPrefix}-name`}
                ref={nameRef}
                name="name"
                type="text"
                maxLength={PASSKEY_NAME_MAX}
                autoComplete="off"
                required
                aria-describedby={`${idPrefix}-name-hint`}
                aria-invalid={nameError ? true : undefined}
              />
            </div>
          ) : null}
          <button
            type="button"
            className="primary"
            onClick={() => void run()}
            disabled={busy}
            aria-busy={busy || undefined}
            data-testid={`${idPrefix}-button`}
          >
            {busy ? t("secondFactor.working") : buttonLabel}
          </button>
        </>
      )}
    </Form>
  );
}
