/**
 * /staff/admin/privacy — answering a person's request about their personal data (PDPA): find their general complaints
 * by phone or e-mail (a POST: the number or address never goes into a URL or a log), export a case (JSON, or a page
 * to print as PDF: /staff/admin/privacy/export), correct the contact details, or erase the personal data (an open case
 * only with an explicit acknowledgement). Administrators only; every action audited with case ids only.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { canAdminister } from "~/lib/permissions";
import { formatThaiDate } from "~/lib/thai-date";
import {
  correctContact,
  eraseCase,
  findCasesByContact,
  PrivacyRequestError,
  runComplaintRetention,
} from "~/models/complaints/privacy.server";
import { getOrgProfile } from "~/models/organisation/profile.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, getLang, readFormData } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["staff"] };

export const meta: MetaFunction = () => [
  { title: "สุจริต · คำขอเกี่ยวกับข้อมูลส่วนบุคคล / Personal-data requests" },
  { name: "robots", content: "noindex, nofollow" },
];

async function requireAdmin(request: Request) {
  const staff = await requireStaff(request);
  if (!canAdminister(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const db = getDb();
  const [profile, due] = await Promise.all([getOrgProfile(db), runComplaintRetention(db, { dryRun: true })]);
  return json({ retentionYears: profile.retention_years, due: due.due }, { headers: { "Cache-Control": "no-store" } });
}

type Found = { reference: string; received: string; status: string; open: boolean; anonymised: boolean };
type ActionData =
  | { intent: "find"; cases: Found[]; phone: string; email: string }
  | { intent: "correct" | "erase"; done: string }
  | { intent: string; error: string };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const lang = getLang(request);
  const str = (k: string, max = 500) => {
    const v = form.get(k);
    return typeof v === "string" ? v.slice(0, max) : "";
  };
  const actor = { staffId: admin.id, role: admin.role };
  const intent = str("intent");
  try {
    if (intent === "find") {
      const phone = str("phone", 40);
      const email = str("email", 254);
      const found = await findCasesByContact(db, { phone, email }, actor);
      return json<ActionData>({
        intent,
        phone,
        email,
        cases: found.map((c) => ({
          reference: c.reference,
          received: formatThaiDate(new Date(c.receivedAt), lang, { short: true }),
          status: c.status,
          open: c.open,
          anonymised: c.anonymised,
        })),
      });
    }
    const reference = str("reference", 40);
    if (intent === "correct") {
      await correctContact(
        db,
        reference,
        { name: str("name", 200), phone: str("phone", 40), email: str("email", 254), address: str("address", 500) },
        actor,
      );
      return json<ActionData>({ intent, done: reference });
    }
    if (intent === "erase") {
      await eraseCase(db, reference, actor, { openCaseAcknowledged: form.get("openCase") === "yes" });
      return json<ActionData>({ intent, done: reference });
    }
    return json<ActionData>({ intent, error: "privacy.errors.bad_input" }, { status: 400 });
  } catch (e) {
    if (e instanceof PrivacyRequestError)
      return json<ActionData>({ intent, error: `privacy.errors.${e.code}` }, { status: e.code === "not_found" ? 404 : 422 });
    throw e;
  }
}

export default function PrivacyRequests() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("staff");
  return (
    <section aria-labelledby="privacy-title">
      <h1 id="privacy-title">{t("privacy.title")}</h1>
      <p className="hint">{t("privacy.intro", { years: data.retentionYears })}</p>
      <p className="hint" data-testid="retention-due">
        {t("privacy.due", { count: data.due })}
      </p>
      {result && "error" in result ? (
        <div className="error-summary" role="alert" tabIndex={-1} data-testid="privacy-error">
          <p>{t(result.error)}</p>
        </div>
      ) : null}
      {result && "done" in result ? (
        <p className="notice success" role="status" data-testid="done">
          {t(`privacy.done.${result.intent}`, { reference: result.done })}
        </p>
      ) : null}

      <div className="card">
        <h2>{t("privacy.findTitle")}</h2>
        <Form method="post">
          <CsrfField />
          <input type="hidden" name="intent" value="find" />
          <div className="field">
            <label htmlFor="f-phone">{t("privacy.phone")}</label>
            <input id="f-phone" name="phone" type="tel" autoComplete="off" maxLength={40} />
          </div>
          <div className="field">
            <label htmlFor="f-email">{t("privacy.email")}</label>
            <input id="f-email" name="email" type="email" autoComplete="off" maxLength={254} />
          </div>
          <button type="submit" className="primary">
            {t("privacy.find")}
          </button>
        </Form>
      </div>

      {result && "cases" in result ? (
        <div className="card" data-testid="privacy-results">
          <h2>{t("privacy.resultsTitle", { count: result.cases.length })}</h2>
          {result.cases.length === 0 ? <p>{t("privacy.none")}</p> : null}
          {result.cases.map((c) => (
            <div key={c.reference} className="privacy-case" data-testid="privacy-case" data-reference={c.reference}>
              <h3>
                {c.reference} · {c.received} · {c.anonymised ? t("privacy.anonymised") : c.open ? t("privacy.open") : t("privacy.closed")}
              </h3>
              <Form method="post" action="/staff/admin/privacy/export" reloadDocument className="inline-form">
                <CsrfField />
                <input type="hidden" name="reference" value={c.reference} />
                <button type="submit" name="format" value="json" className="secondary">
                  {t("privacy.exportJson")}
                </button>{" "}
                <button type="submit" name="format" value="html" className="secondary">
                  {t("privacy.exportHtml")}
                </button>
              </Form>
              {c.anonymised ? null : (
                <>
                  <details>
                    <summary>{t("privacy.correctTitle")}</summary>
                    <Form method="post">
                      <CsrfField />
                      <input type="hidden" name="intent" value="correct" />
                      <input type="hidden" name="reference" value={c.reference} />
                      {(["name", "phone", "email", "address"] as const).map((f) => (
                        <div className="field" key={f}>
                          <label htmlFor={`f-${c.reference}-${f}`}>{t(`privacy.fields.${f}`)}</label>
                          <input id={`f-${c.reference}-${f}`} name={f} type="text" maxLength={f === "address" ? 500 : 254} />
                        </div>
                      ))}
                      <p className="hint">{t("privacy.correctHint")}</p>
                      <button type="submit" className="secondary">
                        {t("privacy.correct")}
                      </button>
                    </Form>
                  </details>
                  <Form method="post" className="inline-form">
                    <CsrfField />
                    <input type="hidden" name="intent" value="erase" />
                    <input type="hidden" name="reference" value={c.reference} />
                    {c.open ? (
                      <label className="choice">
                        <input type="checkbox" name="openCase" value="yes" required /> {t("privacy.openCaseAck")}
                      </label>
                    ) : null}
                    <button type="submit" className="danger" data-testid={`erase-${c.reference}`}>
                      {t("privacy.erase")}
                    </button>
                  </Form>
                </>
              )}
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}
