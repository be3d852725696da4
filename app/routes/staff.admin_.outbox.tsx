/** Administrators: e-mails that failed or were given up (dead letters), with a Retry button. Never shows the payload. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { canAdminister } from "~/lib/permissions";
import { formatThaiDate } from "~/lib/thai-date";
import { MAX_ATTEMPTS } from "~/models/notices/outbox.server";
import { listUndelivered, retryMessages } from "~/models/notices/outbox-admin.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
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
  const lang = getLang(request);
  const rows = await listUndelivered(getDb());
  const d = (iso: string | null) => (iso ? formatThaiDate(new Date(iso), lang, { withTime: true, short: true }) : "");
  return json({
    max: MAX_ATTEMPTS,
    rows: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error ?? "",
      created: d(r.created_at),
      next: r.status === "dead" ? "" : d(r.next_attempt_at),
      reference: r.reference ?? "",
      canRetry: r.has_payload,
    })),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const intent = form.get("intent");
  const id = form.get("id");
  let count: number;
  if (intent === "retryAll") count = await retryMessages(getDb());
  else if (intent === "retry" && typeof id === "string" && /^\d{1,12}$/.test(id)) count = await retryMessages(getDb(), [Number(id)]);
  else return json({ retried: null as number | null }, { status: 400 });
  log.info("outbox retry", { staffId: admin.id, count });
  return json({ retried: count as number | null });
}

export default function OutboxAdmin() {
  const { rows, max } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation("notice");
  const dead = rows.filter((r) => r.status === "dead");
  const failing = rows.filter((r) => r.status !== "dead");
  const table = (list: typeof rows, testId: string) =>
    list.length === 0 ? (
      <p className="muted">{t("outboxAdmin.none")}</p>
    ) : (
      <div className="table-wrap">
        <table data-testid={testId}>
          <thead>
            <tr>
              <th scope="col">{t("outboxAdmin.kind")}</th>
              <th scope="col">{t("board.reference")}</th>
              <th scope="col">{t("outboxAdmin.attempts")}</th>
              <th scope="col">{t("outboxAdmin.lastError")}</th>
              <th scope="col">{t("outboxAdmin.created")}</th>
              <th scope="col">{t("outboxAdmin.next")}</th>
              <th scope="col"></th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.id} data-id={r.id}>
                <td>{r.kind}</td>
                <td>{r.reference}</td>
                <td>{r.attempts}</td>
                <td className="pre-wrap">{r.lastError}</td>
                <td>{r.created}</td>
                <td>{r.next}</td>
                <td>
                  {r.canRetry ? (
                    <Form method="post">
                      <CsrfField />
                      <input type="hidden" name="intent" value="retry" />
                      <input type="hidden" name="id" value={r.id} />
                      <button type="submit" className="button secondary">
                        {t("outboxAdmin.retry")}
                      </button>
                    </Form>
                  ) : (
                    <span className="muted">{t("outboxAdmin.payloadGone")}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  return (
    <>
      <h1>{t("outboxAdmin.title")}</h1>
      <p>{t("outboxAdmin.intro", { max })}</p>
      {result?.retried != null ? (
        <p className="success" role="status" data-testid="retried">
          {t("outboxAdmin.retried", { count: result.retried })}
        </p>
      ) : null}
      <section aria-labelledby="o-dead">
        <h2 id="o-dead">{t("outboxAdmin.dead")}</h2>
        {table(dead, "outbox-dead")}
        {dead.length > 0 ? (
          <Form method="post">
            <CsrfField />
            <input type="hidden" name="intent" value="retryAll" />
            <button type="submit" className="button">
              {t("outboxAdmin.retryAll")}
            </button>
          </Form>
        ) : null}
      </section>
      <section aria-labelledby="o-failing">
        <h2 id="o-failing">{t("outboxAdmin.failing")}</h2>
        {table(failing, "outbox-failing")}
      </section>
    </>
  );
}
