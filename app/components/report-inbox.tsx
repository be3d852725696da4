/**
 * The reporter's inbox pages (/report/inbox): the receipt form that opens an inbox, and the open inbox (stage,
 * conversation, reply form with evidence, proof-of-filing download, leave).
 */
import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { EvidenceFields } from "~/components/evidence-fields";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { formatThaiDate, formatThaiDateKey } from "~/lib/thai-date";
import type { Lang } from "~/i18n";
import type { ReporterView } from "~/models/report/inbox.server";

/** The inbox action's answers (the page shows them without leaving /report/inbox). */
export type InboxActionData =
  | { kind: "open"; formError: string; receipt: string }
  | {
      kind: "reply";
      formError: string | null;
      errors: Record<string, string>;
      message: string;
      hadFiles: boolean;
      formKey: string;
    }
  | { kind: "expired"; message: string };

export function ReceiptForm({ flash, result }: { flash: string | null; result: InboxActionData | undefined }) {
  const { t } = useTranslation("report");
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  let formError: string | null = null;
  if (result?.kind === "open") {
    const [key, minutes] = result.formError.split("|");
    formError = minutes ? t(key, { minutes: Number(minutes) }) : t(key);
  }
  return (
    <div className="report-page">
      <h1>{t("inbox.title")}</h1>
      {flash === "left" ? <p className="success">{t("inbox.left")}</p> : null}
      {flash === "expired" || result?.kind === "expired" ? <p className="warning">{t("inbox.expired")}</p> : null}
      {result?.kind === "expired" && result.message ? (
        <div className="warning">
          <label htmlFor="unsent">{t("inbox.unsent")}</label>
          <textarea id="unsent" readOnly rows={5} defaultValue={result.message} />
        </div>
      ) : null}
      {formError ? (
        <div className="error-summary" role="alert" tabIndex={-1} data-testid="inbox-error">
          <p>{formError}</p>
        </div>
      ) : null}
      <p className="lead">{t("inbox.intro")}</p>
      <Form method="post" className="receipt-open-form" autoComplete="off">
        <CsrfField />
        <input type="hidden" name="intent" value="open" />
        <Field name="receipt" label={t("inbox.receipt")} hint={t("inbox.receiptHint")}>
          {(p) => (
            <input
              {...p}
              type="text"
              inputMode="numeric"
              autoComplete="off"
              autoCorrect="off"
              spellCheck={false}
              maxLength={40}
              className="receipt-input"
              placeholder="1234 5678 9012 3456"
              defaultValue={result?.kind === "open" ? result.receipt : ""}
            />
          )}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {busy ? t("inbox.opening") : t("inbox.open")}
        </button>
      </Form>
      <p className="muted">{t("inbox.lost")}</p>
    </div>
  );
}

export interface InboxViewData {
  lang: Lang;
  flash: string | null;
  inbox: ReporterView | null;
  messageMax: number;
}

export function InboxView({ data, result }: { data: InboxViewData; result: Extract<InboxActionData, { kind: "reply" }> | undefined }) {
  const { t } = useTranslation("report");
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const inbox = data.inbox!;
  const lang = data.lang;
  const errors = result?.errors ?? {};
  const closed = inbox.status === "closed";
  const MESSAGE_MAX = data.messageMax;
  return (
    <div className="report-page report-inbox">
      <h1>{t("inbox.title")}</h1>
      {data.flash === "sent" ? (
        <p className="success" role="status">
          {t("inbox.sent")}
        </p>
      ) : null}
      <dl className="facts">
        <dt>{t("inbox.status")}</dt>
        <dd>
          <strong data-testid="report-stage" data-stage={inbox.publicStage}>
            {t(`stage.${inbox.publicStage}`)}
          </strong>
        </dd>
        <dt>{t("inbox.received")}</dt>
        <dd>{formatThaiDateKey(inbox.receivedAt.slice(0, 10), lang)}</dd>
      </dl>
      {inbox.readable ? null : (
        <p className="notice" data-testid="inbox-waiting">
          {t("inbox.waitingForKey")}
        </p>
      )}
      {inbox.attachmentsCount > 0 ? <p className="muted">{t("inbox.attachments", { count: inbox.attachmentsCount })}</p> : null}

      <section aria-labelledby="messages-title">
        <h2 id="messages-title">{t("inbox.messagesTitle")}</h2>
        {inbox.messages.length === 0 ? (
          <p className="muted">{t("inbox.noMessages")}</p>
        ) : (
          <ol className="report-messages" data-testid="report-messages">
            {inbox.messages.map((m, i) => (
              <li key={i} className={`report-message from-${m.author}`}>
                <p className="report-message-meta">
                  <strong>{m.author === "officer" ? t("inbox.fromOfficer") : t("inbox.fromYou")}</strong>{" "}
                  <time dateTime={m.at}>
                    {m.at.length === 10 ? formatThaiDateKey(m.at, lang) : formatThaiDate(new Date(m.at), lang, { withTime: true })}
                  </time>
                </p>
                {m.text ? <p className="pre-wrap">{m.text}</p> : null}
                {m.attachments > 0 ? <p className="muted">{t("inbox.messageFiles", { count: m.attachments })}</p> : null}
              </li>
            ))}
          </ol>
        )}
      </section>

      {inbox.readable ? (
        <Form method="post" action="/report/submission" reloadDocument className="no-print inbox-submission">
          <CsrfField />
          <p className="hint">{t("inbox.submissionHint")}</p>
          <button type="submit" className="button secondary" data-testid="download-submission">
            {t("inbox.submissionDownload")}
          </button>
        </Form>
      ) : null}

      {closed || !inbox.readable ? (
        <p className="notice">{t(closed ? "inbox.closedNote" : "inbox.replyAfterKey")}</p>
      ) : (
        <section aria-labelledby="reply-title" className="card">
          <h2 id="reply-title">{t("inbox.replyTitle")}</h2>
          <ErrorSummary
            errors={errors}
            labels={{
              message: t("inbox.message"),
              evidence: t("form.fields.evidence"),
            }}
            formError={result?.formError ?? null}
            limits={{ message: MESSAGE_MAX }}
          />
          <Form method="post" encType="multipart/form-data" key={result?.formKey ?? "reply"} className="report-reply-form">
            <CsrfField />
            <input type="hidden" name="intent" value="reply" />
            <Field name="message" label={t("inbox.message")} hint={t("inbox.messageHint")} error={errors.message} max={MESSAGE_MAX}>
              {(p) => <textarea {...p} rows={5} maxLength={MESSAGE_MAX} defaultValue={result?.message ?? ""} />}
            </Field>
            {result?.hadFiles ? <p className="warning">{t("form.filesNotKept")}</p> : null}
            <p className="hint">{t("form.photoWarning")}</p>
            <p className="hint">{t("form.documentWarning")}</p>
            <EvidenceFields label={t("form.fields.evidence")} error={errors.evidence} warningId="reply-keep-warning" />
            <button type="submit" className="button" disabled={busy}>
              {busy ? t("inbox.sending") : t("inbox.send")}
            </button>
          </Form>
        </section>
      )}

      <Form method="post" className="no-print inbox-leave">
        <CsrfField />
        <input type="hidden" name="intent" value="leave" />
        <p className="hint">{t("inbox.leaveHint")}</p>
        <button type="submit" className="button secondary">
          {t("inbox.leave")}
        </button>
      </Form>
    </div>
  );
}
