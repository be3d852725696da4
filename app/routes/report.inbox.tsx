/**
 * /report/inbox: the reporter's follow-up, at ONE URL for everything (the address bar never says what happened).
 *
 * - Without an inbox session: a receipt form. POST intent=open checks the receipt (throttled per client and
 *   globally, with growing delays; a wrong, malformed or empty receipt always gets the same status and text), then
 *   opens an inbox session (the report key opened with the receipt, sealed in a Path=/report, HttpOnly,
 *   SameSite=Strict cookie; nothing is stored on the server) and redirects back here.
 * - With a session: the status in plain words, the officers' messages and the reporter's replies, a reply form that
 *   also takes more evidence (intent=reply, multipart), a button for the submission in its canonical form (a POST to
 *   /report/submission, a file download) to check the proof of filing, and a button that closes the inbox (intent=leave).
 * Works without JavaScript. Nothing about the visitor is logged or stored; the client address is only an in-memory
 * throttle key.
 */
import type {
  ActionFunctionArgs,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import {
  Form,
  useActionData,
  useLoaderData,
  useNavigation,
} from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { EvidenceFields } from "~/components/evidence-fields";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { getDb } from "~/utils/db.server";
import { randomToken } from "~/utils/crypto.server";
import { clientOf, limiter, slowRefusal } from "~/utils/rate-limit.server";
import {
  reserveReceiptAttempt,
  throttleDelay,
} from "~/utils/receipt-throttle.server";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import {
  MultipartError,
  UploadRejectedError,
  parseMultipartUpload,
} from "~/models/attachment.server";
import { addReporterMessage, findReportByReceipt, reporterView } from "~/models/report/inbox.server";
import { ReceiptHashBusyError } from "~/models/receipt-hash.server";
import { ReportInputError, REPORT_LIMITS } from "~/models/report/shared.server";
import {
  createInboxSession,
  endInboxSession,
  inboxFlashCookie,
  readInboxFlash,
  readInboxSession,
} from "~/models/report/cookies.server";
import { formatThaiDate, formatThaiDateKey } from "~/lib/thai-date";
import { LIMITS, safeText } from "~/lib/validation";
import { i18nFor } from "~/i18n";
import { passThroughHeaders } from "~/utils/route-headers";

export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [
  { title: "กล่องข้อความ · Sujarit" },
  { name: "robots", content: "noindex" },
];


/** An error key from the data layer: the report namespace when it has the key, otherwise the common one. */
function reportErrorKey(key: string): string {
  if (key === "complaint:errors.fileType") return "report:errors.fileType";
  if (key === "errors.tooManyFiles") return "complaint:errors.tooManyFiles";
  if (key.includes(":")) return key;
  return i18nFor("th").exists(`report:${key}`) ? `report:${key}` : key;
}

/** Longest reply (characters); REPORT_LIMITS is server-only, the page gets the number from the loader. */
const messageMax = () => REPORT_LIMITS.message;

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const lang = getLang(request);
  const headers = new Headers();
  const session = readInboxSession(request);
  if (session.setCookie) headers.append("Set-Cookie", session.setCookie);
  const flash = readInboxFlash(request);
  if (flash) headers.append("Set-Cookie", flash.setCookie);
  if (session.reportId === null) {
    return json(
      {
        lang,
        flash: flash?.flash ?? null,
        inbox: null,
        messageMax: messageMax(),
      },
      { headers }
    );
  }
  const view = await reporterView(db, session.reportId, session.key);
  return json(
    {
      lang,
      flash: flash?.flash ?? null,
      inbox: view,
      messageMax: messageMax(),
    },
    { headers }
  );
}

type ActionData =
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

const replyLimiter = () => limiter("report-reply", 30, 10 * 60_000);

export async function action({ request, context }: ActionFunctionArgs) {
  const lang = getLang(request);
  const db = getDb();
  const client = clientOf(context);
  const isMultipart = /^multipart\/form-data/i.test(
    request.headers.get("Content-Type") ?? ""
  );

  if (isMultipart) {
    // Only the reply form is multipart (it carries evidence files).
    const lim = replyLimiter();
    const blocked = lim.peek(client);
    if (blocked.blocked) {
      request.body?.cancel().catch(() => {});
      await slowRefusal();
      return json<ActionData>(
        {
          kind: "reply",
          formError: "report:errors.rateLimited",
          errors: {},
          message: "",
          hadFiles: false,
          formKey: randomToken(6),
        },
        {
          status: 429,
          headers: {
            "Retry-After": String(Math.max(1, blocked.retryAfterSec)),
          },
        }
      );
    }
    lim.hit(client);
    return reply(request, db, lang);
  }

  const form = await readFormData(request, lang);
  assertCsrf(request, form, lang);
  const intent = form.get("intent");
  if (intent === "leave") {
    const clear = endInboxSession(request);
    const headers = new Headers();
    headers.append("Set-Cookie", clear);
    headers.append("Set-Cookie", inboxFlashCookie("left"));
    return redirect("/report/inbox", { headers });
  }
  return open(form, db, client);
}

/** Receipt -> inbox session. Every failure (empty, malformed, unknown) gets the same status and text. */
async function open(
  form: FormData,
  db: ReturnType<typeof getDb>,
  client: string
): Promise<Response> {
  const typed = form.get("receipt");
  const shown = typeof typed === "string" ? typed.slice(0, 40) : "";
  const generic = () =>
    json<ActionData>(
      { kind: "open", formError: "report:inbox.notFound", receipt: shown },
      { status: 404 }
    );

  const decision = reserveReceiptAttempt(client);
  if (!decision.allowed) {
    await slowRefusal();
    const minutes = Math.max(1, Math.ceil(decision.retryAfterSec / 60));
    return json<ActionData>(
      {
        kind: "open",
        formError: `report:inbox.rateLimited|${minutes}`,
        receipt: shown,
      },
      {
        status: 429,
        headers: { "Retry-After": String(decision.retryAfterSec) },
      }
    );
  }
  await throttleDelay(decision.delayMs);
  // Always one argon2id hash, whatever was typed (empty, malformed, wrong or right): every answer costs the same.
  let found;
  try {
    found = await findReportByReceipt(db, typeof typed === "string" ? typed : "", { priority: decision.priority });
  } catch (e) {
    if (!(e instanceof ReceiptHashBusyError)) throw e;
    // The hashing queue is full (decided before any hashing, whatever was typed): nothing was checked. The answer is
    // held back a moment (bounded), so a flood that waits for its answers paces itself.
    decision.ticket.notChecked();
    await slowRefusal();
    return json<ActionData>(
      { kind: "open", formError: "report:inbox.busy", receipt: shown },
      { status: 503, headers: { "Retry-After": String(e.retryAfterSec) } }
    );
  }
  if (!found) {
    decision.ticket.failed();
    return generic();
  }
  decision.ticket.succeeded();
  const setCookie = createInboxSession(found.report.id, found.key);
  return redirect("/report/inbox", { headers: { "Set-Cookie": setCookie } });
}

/** A reply (text and/or more evidence) from the reporter in an open inbox. */
async function reply(
  request: Request,
  db: ReturnType<typeof getDb>,
  lang: ReturnType<typeof getLang>
): Promise<Response> {
  let parsed;
  try {
    parsed = await parseMultipartUpload(request, { fileField: "evidence" });
  } catch (e) {
    if (e instanceof MultipartError) {
      return json<ActionData>(
        {
          kind: "reply",
          formError: e.messageKey,
          errors: {},
          message: e.partial.message?.slice(0, messageMax() * 2) ?? "",
          hadFiles: true,
          formKey: randomToken(6),
        },
        { status: e.status }
      );
    }
    throw e;
  }
  const form = parsed.form;
  assertCsrf(request, form, lang);
  const rawMessage = form.get("message");
  const typed =
    typeof rawMessage === "string" ? rawMessage.slice(0, messageMax() * 2) : "";
  const session = readInboxSession(request);
  if (session.reportId === null) {
    // The session ended while the reporter was typing: keep their text on screen so nothing is lost.
    return json<ActionData>(
      { kind: "expired", message: typed },
      {
        status: 401,
        headers: session.setCookie
          ? { "Set-Cookie": session.setCookie }
          : undefined,
      }
    );
  }
  const hadFiles = parsed.files.length > 0;
  const errors: Record<string, string> = {};
  const text = safeText(messageMax(), false).safeParse(typed);
  if (!text.success)
    errors.message = text.error.issues[0]?.message ?? "errors.invalidText";

  const keepOriginal = form.get("keepOriginal") === "yes";
  const uploads = parsed.files.map((f) => ({
    bytes: Buffer.from(f.data),
    name: f.name,
    mime: "",
    keptOriginal: keepOriginal,
  }));
  if (text.success && text.data === "" && parsed.files.length === 0)
    errors.message = "report:inbox.nothingToSend";
  const rejected = (errs: Record<string, string>) =>
    json<ActionData>(
      {
        kind: "reply",
        formError: null,
        errors: errs,
        message: typed,
        hadFiles,
        formKey: randomToken(6),
      },
      { status: 422 }
    );
  if (Object.keys(errors).length > 0 || !text.success) return rejected(errors);
  try {
    // Files are checked, cleaned and stored encrypted by addReporterMessage (nothing is written here).
    await addReporterMessage(db, { reportId: session.reportId, key: session.key }, text.data, uploads, { keepFileNames: form.get("keepNames") === "yes" });
  } catch (e) {
    if (e instanceof UploadRejectedError)
      return rejected({ evidence: reportErrorKey(e.messageKey) });
    if (e instanceof ReportInputError)
      return rejected({
        [e.field === "evidence" ? "evidence" : "message"]: reportErrorKey(
          e.messageKey
        ),
      });
    throw e;
  }
  const headers = new Headers();
  if (session.setCookie) headers.append("Set-Cookie", session.setCookie);
  headers.append("Set-Cookie", inboxFlashCookie("sent"));
  return redirect("/report/inbox", { headers });
}

export default function ReportInbox() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  if (data.inbox)
    return (
      <InboxView
        data={data}
        result={result?.kind === "reply" ? result : undefined}
      />
    );
  return <ReceiptForm flash={data.flash} result={result} />;
}

function ReceiptForm({
  flash,
  result,
}: {
  flash: string | null;
  result: ActionData | undefined;
}) {
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
      {flash === "expired" || result?.kind === "expired" ? (
        <p className="warning">{t("inbox.expired")}</p>
      ) : null}
      {result?.kind === "expired" && result.message ? (
        <div className="warning">
          <label htmlFor="unsent">{t("inbox.unsent")}</label>
          <textarea
            id="unsent"
            readOnly
            rows={5}
            defaultValue={result.message}
          />
        </div>
      ) : null}
      {formError ? (
        <div
          className="error-summary"
          role="alert"
          tabIndex={-1}
          data-testid="inbox-error"
        >
          <p>{formError}</p>
        </div>
      ) : null}
      <p className="lead">{t("inbox.intro")}</p>
      <Form method="post" className="receipt-open-form" autoComplete="off">
        <CsrfField />
        <input type="hidden" name="intent" value="open" />
        <Field
          name="receipt"
          label={t("inbox.receipt")}
          hint={t("inbox.receiptHint")}
        >
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

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function InboxView({
  data,
  result,
}: {
  data: LoaderData;
  result: Extract<ActionData, { kind: "reply" }> | undefined;
}) {
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
      {inbox.attachmentsCount > 0 ? (
        <p className="muted">
          {t("inbox.attachments", { count: inbox.attachmentsCount })}
        </p>
      ) : null}

      <section aria-labelledby="messages-title">
        <h2 id="messages-title">{t("inbox.messagesTitle")}</h2>
        {inbox.messages.length === 0 ? (
          <p className="muted">{t("inbox.noMessages")}</p>
        ) : (
          <ol className="report-messages" data-testid="report-messages">
            {inbox.messages.map((m, i) => (
              <li key={i} className={`report-message from-${m.author}`}>
                <p className="report-message-meta">
                  <strong>
                    {m.author === "officer"
                      ? t("inbox.fromOfficer")
                      : t("inbox.fromYou")}
                  </strong>{" "}
                  <time dateTime={m.at}>
                    {m.at.length === 10 ? formatThaiDateKey(m.at, lang) : formatThaiDate(new Date(m.at), lang, { withTime: true })}
                  </time>
                </p>
                {m.text ? <p className="pre-wrap">{m.text}</p> : null}
                {m.attachments > 0 ? (
                  <p className="muted">
                    {t("inbox.messageFiles", { count: m.attachments })}
                  </p>
                ) : null}
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
          <Form
            method="post"
            encType="multipart/form-data"
            key={result?.formKey ?? "reply"}
            className="report-reply-form"
          >
            <CsrfField />
            <input type="hidden" name="intent" value="reply" />
            <Field
              name="message"
              label={t("inbox.message")}
              hint={t("inbox.messageHint")}
              error={errors.message}
              max={MESSAGE_MAX}
            >
              {(p) => (
                <textarea
                  {...p}
                  rows={5}
                  maxLength={MESSAGE_MAX}
                  defaultValue={result?.message ?? ""}
                />
              )}
            </Field>
            {result?.hadFiles ? (
              <p className="warning">{t("form.filesNotKept")}</p>
            ) : null}
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
