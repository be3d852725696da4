/**
 * The integrity officers' case page of one report (/staff/integrity/reports/<publicId>), read-only parts: the facts,
 * the decrypted content, the reporter's identity (confidential mode only), the files and the conversation with the
 * reporter (with the officer's message form).
 */
import { Form } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import type { ReportCaseView } from "~/models/report/case-view.server";
import { useAppPath } from "~/components/app-path";

export type CaseReport = ReportCaseView["r"];

/** A refusal from the case page's action: which form it belongs to, the message and what was typed. */
export interface CaseActionReply {
  intent: string;
  error: { key: string; params?: Record<string, string | number>; ns?: string };
  values?: Record<string, string>;
}

/** The message key for a refusal (text errors from the report models are shown with the case page's wording). */
export function caseErrorKey(error: CaseActionReply["error"]): string {
  if (error.ns) return `${error.ns}:${error.key}`;
  if (error.key.startsWith("case.errors.")) return error.key;
  if (error.key.endsWith("required")) return "case.errors.required";
  if (error.key.endsWith("tooLong")) return "case.errors.tooLong";
  if (error.key.endsWith("invalidChoice")) return "case.errors.invalidChoice";
  return "case.errors.badInput";
}

/** The refusal for one form (by intent), or nothing. */
export function CaseActionError({ reply, intent, messageMax }: { reply: CaseActionReply | undefined; intent: string; messageMax: number }) {
  const { t } = useTranslation("integrity");
  if (reply?.intent !== intent) return null;
  return (
    <p className="field-error" role="alert" data-testid="action-error">
      {t(caseErrorKey(reply.error), { max: messageMax, ...(reply.error.params ?? {}) })}
    </p>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function CaseFacts({ r }: { r: CaseReport }) {
  const { t } = useTranslation("integrity");
  const f = r.fields;
  const fact = (label: string, value: string | undefined | null) =>
    value ? (
      <>
        <dt>{label}</dt>
        <dd className="pre-wrap">{value}</dd>
      </>
    ) : null;
  return (
    <>
      <section className="card" aria-labelledby="facts-title">
        <h2 id="facts-title">{t("case.facts")}</h2>
        <dl className="facts">
          <dt>{t("case.received")}</dt>
          <dd>{r.received}</dd>
          <dt>{t("case.mode")}</dt>
          <dd>{t(`mode.${r.mode}`)}</dd>
          {r.requestedAlternate ? (
            <>
              <dt>{t("case.recipient")}</dt>
              <dd>{t("recipient.alternate")}</dd>
            </>
          ) : null}
          {r.ackDue ? (
            <>
              <dt>{t("case.ackDue")}</dt>
              <dd>{r.ackDue}</dd>
            </>
          ) : null}
          {r.lastFeedback ? (
            <>
              <dt>{t("case.lastFeedback")}</dt>
              <dd>{r.lastFeedback}</dd>
            </>
          ) : null}
          {r.nextFeedback ? (
            <>
              <dt>{t("case.nextFeedback")}</dt>
              <dd>{r.nextFeedback}</dd>
            </>
          ) : null}
          {r.finding ? (
            <>
              <dt>{t("case.finding")}</dt>
              <dd>{t(`finding.${r.finding}`)}</dd>
            </>
          ) : null}
          {r.referredTo ? (
            <>
              <dt>{t("case.referredTo")}</dt>
              <dd>{t(`referral.${r.referredTo}`)}</dd>
            </>
          ) : null}
          {r.closed ? (
            <>
              <dt>{t("case.closed")}</dt>
              <dd>{r.closed}</dd>
            </>
          ) : null}
          <dt>{t("case.digest")}</dt>
          <dd>
            <code className="digest">{r.digest}</code>{" "}
            <span className={r.digestVerified ? "badge met" : "badge overdue"} data-testid="digest-check">
              {r.digestVerified ? t("case.digestOk") : t("case.digestBad")}
            </span>
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="content-title">
        <h2 id="content-title">{t("case.content")}</h2>
        <dl className="facts" data-testid="report-content">
          {fact(t("fields.involvedName"), f.involvedName)}
          {fact(t("fields.involvedPosition"), f.involvedPosition)}
          {fact(t("fields.involvedDivision"), f.involvedDivision)}
          {fact(t("fields.whatHappened"), f.whatHappened)}
          {fact(t("fields.when"), f.when)}
          {fact(t("fields.where"), f.where)}
          {fact(t("fields.howKnown"), f.howKnown)}
          {fact(t("fields.reportedElsewhere"), f.reportedElsewhere)}
        </dl>
      </section>

      <section className="card" aria-labelledby="identity-title">
        <h2 id="identity-title">{t("case.identity")}</h2>
        {r.mode === "confidential" ? (
          <>
            <p className="notice warning">{t("case.identityWarning")}</p>
            <dl className="facts" data-testid="reporter-identity">
              {fact(t("fields.reporterName"), f.reporterName)}
              {fact(t("fields.reporterContact"), f.reporterContact)}
            </dl>
          </>
        ) : (
          <p data-testid="anonymous">{t("case.anonymous")}</p>
        )}
      </section>
    </>
  );
}

export function CaseFiles({ r }: { r: CaseReport }) {
  const appHref = useAppPath();
  const { t } = useTranslation("integrity");
  return (
    <section className="card" aria-labelledby="files-title">
      <h2 id="files-title">{t("case.files")}</h2>
      {r.attachments.length === 0 ? (
        <p className="muted">{t("case.noFiles")}</p>
      ) : (
        <>
          <p className="hint">{t("case.filesHint")}</p>
          <ul data-testid="report-files">
            {r.attachments.map((a) => (
              <li key={a.id}>
                <a href={appHref(`/staff/integrity/reports/${r.publicId}/attachments/${a.id}`)} download>
                  {a.name}
                </a>{" "}
                <span className="muted">
                  ({a.mime}, {formatSize(a.size)}, {a.at}
                  {a.later ? `, ${t("case.fileLater")}` : ""})
                </span>
                {a.keptOriginal ? <span className="badge due_soon"> {t("case.keptOriginal")}</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function CaseConversation({ r, reply, messageMax }: { r: CaseReport; reply: CaseActionReply | undefined; messageMax: number }) {
  const { t } = useTranslation("integrity");
  const data = reply;
  return (
    <section className="card" aria-labelledby="conversation-title" id="conversation">
      <h2 id="conversation-title">{t("case.conversation")}</h2>
      {r.messages.length === 0 ? <p className="muted">{t("case.noMessages")}</p> : null}
      <ol className="report-messages" data-testid="messages">
        {r.messages.map((m) => (
          <li key={m.id} className={`report-message from-${m.author}`} data-testid="message" data-author={m.author}>
            <p className="report-message-meta">
              <strong>{m.author === "reporter" ? t("case.fromReporter") : t("case.fromOfficer", { name: m.staffName ?? "" })}</strong> ·{" "}
              <time>{m.at}</time>
            </p>
            <p className="pre-wrap">{m.text}</p>
          </li>
        ))}
      </ol>
      {r.status === "closed" ? null : (
        <Form method="post" className="no-print" action={`/staff/integrity/reports/${r.publicId}`}>
          <CsrfField />
          <input type="hidden" name="intent" value="message" />
          <div className={`field${data?.intent === "message" ? " has-error" : ""}`}>
            <label htmlFor="f-message">{t("case.messageLabel")}</label>
            <span className="hint" id="f-message-hint">
              {t("case.messageHint")}
            </span>
            <CaseActionError reply={reply} intent="message" messageMax={messageMax} />
            <textarea
              id="f-message"
              name="message"
              rows={4}
              maxLength={messageMax}
              aria-describedby="f-message-hint"
              defaultValue={data?.intent === "message" ? (data.values?.message ?? "") : ""}
            />
          </div>
          <button type="submit" className="primary">
            {t("case.send")}
          </button>
        </Form>
      )}
    </section>
  );
}
