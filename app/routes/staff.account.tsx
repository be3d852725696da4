/**
 * /staff/account — one's own account: change the password (the current one is required; the person's other sessions
 * end and recognised devices are forgotten; a report recipient's private key is sealed again under the new password,
 * so nothing they hold is lost), and, for report recipients, their key fingerprint.
 *
 * On an installation with several organisations, also the person's accounts at other councils
 * (docs/decisions/0016-one-sign-in-across-organisations.md, app/models/staff/links.server.ts): switch to one (a whole-page
 * post to /staff/switch), unlink, get a link code here (password again), or enter one from another council.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Link } from "~/components/links";
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
import {
  accountLinks,
  cutLinks,
  linkWithCode,
  linksAvailable,
  makeLinkCode,
  otherOrganisations,
  previewLink,
  type LinkPreview,
} from "~/models/staff/links.server";

export const handle = { i18n: ["staff"] };

export const meta: MetaFunction = () => [{ title: "สุจริต · บัญชีของฉัน / My account" }, { name: "robots", content: "noindex" }];

const changeLimiter = () => limiter("password-change", 10, 15 * 60_000);
/** Link codes asked for and entered, per account (a code has about 60 bits; this keeps guessing hopeless anyway). */
const linkLimiter = () => limiter("staff-link", 10, 15 * 60_000);

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const keys = await staffKeyInfo(getDb(), staff.id);
  const links = linksAvailable() ? { linked: await accountLinks(staff), councils: otherOrganisations() } : null;
  return json(
    {
      email: staff.email,
      name: staff.name,
      role: staff.role,
      fingerprint: keys?.fingerprint ?? null,
      minLength: PASSWORD_MIN_LENGTH,
      links,
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

type ActionData = {
  errors: Record<string, string>;
  formError?: string;
  /** Which form the errors belong to. */
  form?: "password" | "linkCode" | "link";
  linkCode?: string;
  fromOrg?: string;
  /** Whose account the typed code belongs to: the page asks before linking. */
  preview?: LinkPreview;
};

export async function action({ request }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const staff = await requireStaff(request);
  const intent = form.get("intent");
  const str = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v.slice(0, 2048) : "";
  };
  if (intent === "link-code" || intent === "link-preview" || intent === "link" || intent === "unlink") {
    // An installation with one organisation has no other council to link with.
    if (!linksAvailable()) throw json({ messageKey: "errors.notFound" }, { status: 404 });
    const which = intent === "link-code" ? "linkCode" : "link";
    if (intent !== "unlink" && !linkLimiter().hit(String(staff.id)).allowed)
      return json<ActionData>({ errors: {}, formError: "links.errors.rateLimited", form: which }, { status: 429 });
    try {
      if (intent === "unlink") {
        await cutLinks(getDb(), staff.id, { actorId: staff.id, actorRole: staff.role, reason: "person" });
        return redirect("/staff/account?done=unlinked");
      }
      if (intent === "link-preview") {
        const preview = await previewLink(staff, { fromOrg: str("fromOrg"), code: str("code") });
        return json<ActionData>(
          { errors: {}, form: which, preview, fromOrg: str("fromOrg") },
          { headers: { "Cache-Control": "no-store" } },
        );
      }
      if (intent === "link-code") {
        const issued = await makeLinkCode(getDb(), staff, str("codePassword"));
        return json<ActionData>({ errors: {}, form: which, linkCode: issued.code }, { headers: { "Cache-Control": "no-store" } });
      }
      const from = await linkWithCode(getDb(), staff, { fromOrg: str("fromOrg"), code: str("code"), password: str("linkPassword") });
      return redirect(`/staff/account?done=linked&with=${encodeURIComponent(from.code)}`);
    } catch (e) {
      if (isDomainError(e) && e.field) {
        const field = e.field === "password" ? (intent === "link-code" ? "codePassword" : "linkPassword") : e.field;
        // A wrong password at the last step: the question is asked again, with the same code.
        const preview =
          intent === "link" && field === "linkPassword"
            ? await previewLink(staff, { fromOrg: str("fromOrg"), code: str("code") }).catch(() => undefined)
            : undefined;
        return json<ActionData>(
          { errors: { [field]: `${e.ns ?? "staff"}:${e.messageKey}` }, form: which, fromOrg: str("fromOrg"), preview },
          { status: e.status },
        );
      }
      throw e;
    }
  }
  if (!changeLimiter().hit(String(staff.id)).allowed)
    return json<ActionData>({ errors: {}, formError: "account.rateLimited", form: "password" }, { status: 429 });
  try {
    const updated = await changePassword(
      getDb(),
      staff,
      { current: str("current"), password: str("password"), confirm: str("confirm") },
      sessionIdOf(request),
    );
    return redirect("/staff/account?done=password", { headers: { "Set-Cookie": deviceCookie(updated) } });
  } catch (e) {
    if (isDomainError(e) && e.field)
      return json<ActionData>({ errors: { [e.field]: e.messageKey }, form: "password" }, { status: e.status });
    throw e;
  }
}

export default function Account() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const { t, i18n } = useTranslation("staff");
  const labels = { current: t("account.current"), password: t("enrol.password"), confirm: t("enrol.confirm") };
  const passwordResult = result?.form === "password" ? result : undefined;
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
        {passwordResult?.formError ? (
          <div className="error-summary" role="alert" tabIndex={-1}>
            <p>{t(passwordResult.formError)}</p>
          </div>
        ) : null}
        <ErrorSummary errors={passwordResult?.errors} labels={labels} />
        <Form method="post" noValidate>
          <CsrfField />
          <input type="hidden" name="intent" value="password" />
          <Field name="current" label={labels.current} error={passwordResult?.errors?.current} required>
            {(p) => <input {...p} type="password" autoComplete="current-password" maxLength={1024} />}
          </Field>
          <NewPasswordFields minLength={data.minLength} errors={passwordResult?.errors} />
          <button type="submit" className="primary">
            {t("account.submit")}
          </button>
        </Form>
        {data.fingerprint ? <p className="hint">{t("account.keysNote")}</p> : null}
      </div>
      {data.links ? <OtherCouncils links={data.links} result={result} lang={i18n.language} /> : null}
    </section>
  );
}

type Links = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>["links"]>;

/** The person's accounts at other councils: switch, unlink, and the two halves of linking one more. */
function OtherCouncils({ links, result, lang }: { links: Links; result: ActionData | undefined; lang: string }) {
  const { t } = useTranslation("staff");
  const [params] = useSearchParams();
  const nameOf = (o: { nameTh: string; nameEn: string }) => (lang === "en" ? o.nameEn : o.nameTh);
  const linkedWith = links.linked.find((l) => l.code === params.get("with"));
  const codeResult = result?.form === "linkCode" ? result : undefined;
  const linkResult = result?.form === "link" ? result : undefined;
  const linkLabels = {
    fromOrg: t("links.council"),
    code: t("links.code"),
    linkPassword: t("links.password"),
    codePassword: t("links.password"),
  };
  return (
    <div className="card" data-testid="other-councils">
      <h2 id="links-title">{t("links.title")}</h2>
      <p className="hint">{t("links.intro")}</p>
      {params.get("done") === "linked" && linkedWith ? (
        <p className="notice success" role="status" data-testid="links-done">
          {t("links.linked", { name: nameOf(linkedWith) })}
        </p>
      ) : null}
      {params.get("done") === "unlinked" ? (
        <p className="notice success" role="status" data-testid="links-done">
          {t("links.unlinked")}
        </p>
      ) : null}
      {params.get("error") === "notLinked" ? (
        <div className="error-summary" role="alert">
          <p>{t("links.errors.notLinked")}</p>
        </div>
      ) : null}
      {links.linked.length === 0 ? (
        <p data-testid="links-none">{t("links.none")}</p>
      ) : (
        <>
          <ul className="plain-list" data-testid="links-list">
            {links.linked.map((l) => (
              <li key={l.code}>
                <p>
                  {t("links.linkedAs", { name: nameOf(l), email: l.email, role: t(`roles.${l.role}`) })}
                  {l.active ? null : ` ${t("links.disabled")}`}
                </p>
                {l.active ? (
                  // A whole-page post: the answer's form leaves for the other council's address (its own form-action).
                  <Form method="post" action="/staff/switch" reloadDocument>
                    <CsrfField />
                    <input type="hidden" name="intent" value="start" />
                    <input type="hidden" name="to" value={l.code} />
                    <button type="submit" className="primary">
                      {t("links.switch", { name: nameOf(l) })}
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
          <Form method="post">
            <CsrfField />
            <input type="hidden" name="intent" value="unlink" />
            <button type="submit" className="secondary">
              {t("links.unlink", { name: links.linked.map(nameOf).join(", ") })}
            </button>
          </Form>
        </>
      )}
      <h3>{t("links.codeTitle")}</h3>
      <p className="hint">{t("links.codeIntro")}</p>
      {codeResult?.linkCode ? (
        <div role="status">
          <p>{t("links.codeShown")}</p>
          <p className="code-display" data-testid="link-code" lang="en" translate="no">
            {codeResult.linkCode}
          </p>
          <p className="warning">{t("links.codeOnce")}</p>
        </div>
      ) : (
        <>
          {codeResult?.formError ? (
            <div className="error-summary" role="alert" tabIndex={-1}>
              <p>{t(codeResult.formError)}</p>
            </div>
          ) : null}
          <ErrorSummary errors={codeResult?.errors} labels={linkLabels} />
          <Form method="post" noValidate>
            <CsrfField />
            <input type="hidden" name="intent" value="link-code" />
            <Field name="codePassword" label={linkLabels.codePassword} error={codeResult?.errors?.codePassword} required>
              {(p) => <input {...p} type="password" autoComplete="current-password" maxLength={1024} />}
            </Field>
            <button type="submit">{t("links.codeSubmit")}</button>
          </Form>
        </>
      )}
      {links.councils.length > 0 ? (
        <>
          <h3>{t("links.enterTitle")}</h3>
          {linkResult?.formError ? (
            <div className="error-summary" role="alert" tabIndex={-1}>
              <p>{t(linkResult.formError)}</p>
            </div>
          ) : null}
          <ErrorSummary errors={linkResult?.errors} labels={linkLabels} />
          {linkResult?.preview ? (
            // Step 2: whose account the code is, then this council's password.
            <div data-testid="link-preview">
              <p>
                <strong>{t("links.confirmTitle")}</strong>
              </p>
              <p>
                {t("links.confirmWhose", {
                  email: linkResult.preview.email,
                  name: linkResult.preview.name,
                  council: nameOf(linkResult.preview),
                })}
              </p>
              <Form method="post" noValidate>
                <CsrfField />
                <input type="hidden" name="intent" value="link" />
                <input type="hidden" name="fromOrg" value={linkResult.preview.code} />
                <input type="hidden" name="code" value={linkResult.preview.linkCode} />
                <Field name="linkPassword" label={linkLabels.linkPassword} error={linkResult?.errors?.linkPassword} required>
                  {(p) => <input {...p} type="password" autoComplete="current-password" maxLength={1024} />}
                </Field>
                <button type="submit" className="primary">
                  {t("links.enterSubmit")}
                </button>{" "}
                <Link to="/staff/account">{t("links.cancel")}</Link>
              </Form>
            </div>
          ) : (
            // Step 1: the council and the code.
            <Form method="post" noValidate>
              <CsrfField />
              <input type="hidden" name="intent" value="link-preview" />
              <Field name="fromOrg" label={linkLabels.fromOrg} error={linkResult?.errors?.fromOrg} required>
                {(p) => (
                  <select {...p} defaultValue={linkResult?.fromOrg ?? ""}>
                    <option value="">{t("links.chooseCouncil")}</option>
                    {links.councils.map((c) => (
                      <option key={c.code} value={c.code}>
                        {nameOf(c)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field name="code" label={linkLabels.code} error={linkResult?.errors?.code} required>
                {(p) => <input {...p} type="text" autoComplete="off" autoCapitalize="characters" spellCheck={false} maxLength={40} />}
              </Field>
              <button type="submit" className="primary">
                {t("links.checkSubmit")}
              </button>
            </Form>
          )}
        </>
      ) : null}
    </div>
  );
}
