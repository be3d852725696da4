/** Administrators: the notice templates (Thai and English) with placeholders checked before saving. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { canAdminister } from "~/lib/permissions";
import { isDomainError } from "~/lib/domain-error";
import { isNoticeKind, listTemplates, PLACEHOLDERS, resetTemplate, saveTemplate } from "~/models/notices/notices.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, readFormData } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";
import { log } from "~/utils/logger.server";

export const handle = { i18n: ["notice"] };

async function requireAdmin(request: Request) {
  const staff = await requireStaff(request);
  if (!canAdminister(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return json({ templates: await listTemplates(getDb()), placeholders: PLACEHOLDERS.map((p) => `{{${p}}}`) });
}

type ActionData = {
  key: string;
  error: { field: string; key: string; params: Record<string, string> };
  values: { subject: string; body: string };
};

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const s = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v : "";
  };
  const kind = s("kind");
  const lang = s("lang");
  if (!isNoticeKind(kind) || (lang !== "th" && lang !== "en")) throw json({ messageKey: "errorPage.badRequest" }, { status: 400 });
  const db = getDb();
  if (s("intent") === "reset") {
    await resetTemplate(db, { kind, lang, actor: admin });
  } else {
    try {
      await saveTemplate(db, { kind, lang, subject: s("subject"), body: s("body"), actor: admin });
    } catch (e) {
      if (isDomainError(e) && e.status === 422) {
        return json<ActionData>(
          {
            key: `${kind}-${lang}`,
            error: { field: e.field ?? "body", key: e.messageKey, params: e.params as Record<string, string> },
            values: { subject: s("subject"), body: s("body") },
          },
          { status: 422 },
        );
      }
      throw e;
    }
  }
  log.info("notice template changed", { staffId: admin.id, kind, lang });
  return redirect(`/staff/admin/templates?saved=${kind}-${lang}#t-${kind}-${lang}`);
}

export default function TemplatesAdmin() {
  const { templates, placeholders } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [search] = useSearchParams();
  const saved = search.get("saved");
  const { t } = useTranslation("notice");
  return (
    <>
      <h1>{t("templatesAdmin.title")}</h1>
      <p>{t("templatesAdmin.intro")}</p>
      <p className="hint">{t("placeholders.allowed", { list: placeholders.join(" ") })}</p>
      {templates.map((tpl) => {
        const key = `${tpl.kind}-${tpl.lang}`;
        const err = result?.key === key ? result.error : null;
        const values = result?.key === key ? result.values : { subject: tpl.subject, body: tpl.body };
        const errId = `t-${key}-error`;
        return (
          <section key={key} id={`t-${key}`} className="card" aria-labelledby={`t-${key}-title`} data-testid={`template-${key}`}>
            <h2 id={`t-${key}-title`}>
              {t(`kinds.${tpl.kind}`)} · {t(`templatesAdmin.lang.${tpl.lang}`)}{" "}
              <span className="badge">{tpl.custom ? t("templatesAdmin.custom") : t("templatesAdmin.default")}</span>
            </h2>
            {saved === key ? (
              <p className="success" role="status">
                {t("templatesAdmin.saved")}
              </p>
            ) : null}
            {err ? (
              <div className="error-summary" role="alert" id={errId}>
                <p>{t(err.key, err.params)}</p>
              </div>
            ) : null}
            <Form method="post" key={JSON.stringify(values)}>
              <CsrfField />
              <input type="hidden" name="kind" value={tpl.kind} />
              <input type="hidden" name="lang" value={tpl.lang} />
              <div className={`field${err?.field === "subject" ? " has-error" : ""}`}>
                <label htmlFor={`t-${key}-subject`}>{t("templatesAdmin.subject")}</label>
                <input
                  id={`t-${key}-subject`}
                  name="subject"
                  type="text"
                  maxLength={200}
                  required
                  defaultValue={values.subject}
                  aria-describedby={err?.field === "subject" ? errId : undefined}
                />
              </div>
              <div className={`field${err?.field === "body" ? " has-error" : ""}`}>
                <label htmlFor={`t-${key}-body`}>{t("templatesAdmin.body")}</label>
                <textarea
                  id={`t-${key}-body`}
                  name="body"
                  rows={6}
                  maxLength={5000}
                  required
                  defaultValue={values.body}
                  aria-describedby={err?.field === "body" ? errId : undefined}
                />
              </div>
              <button type="submit" name="intent" value="save" className="button">
                {t("templatesAdmin.save")}
              </button>{" "}
              {tpl.custom ? (
                <button type="submit" name="intent" value="reset" className="button secondary" formNoValidate>
                  {t("templatesAdmin.reset")}
                </button>
              ) : null}
            </Form>
          </section>
        );
      })}
    </>
  );
}
