/**
 * /staff/integrity/reports/<publicId> — the case page of one corruption/misconduct report, for the officers who hold
 * its key (everyone else gets 404). Decrypted content, the reporter's identity only in confidential mode, files, the
 * conversation with the reporter, status changes with notes (finding / referral), tags, history, who can read it and
 * giving a colleague access, the report's own audit trail, and a JSON export. Every view, download, change, message,
 * grant and export is audited in the report's sealed trail (app/models/report/casework.server.ts). Nothing about a
 * report is written to the server log. Works without JavaScript (one form per action, POST → redirect → GET).
 * The export is a separate resource route (…/export, POST only) so that its file response is sent as is.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import {
  allowedReportActions,
  InvalidReportTransitionError,
  isReportAction,
  REPORT_FINDINGS,
  REPORT_REFERRALS,
  REPORT_TAGS,
  type ReportAction,
} from "~/lib/report-status";
import { addDays } from "~/lib/sla";
import { formatThaiDate, formatThaiDateKey } from "~/lib/thai-date";
import { getIntegritySettings } from "~/models/integrity-settings.server";
import {
  addOfficerMessage,
  decryptReport,
  openHeldReport,
  setReportTags,
  transitionReport,
} from "~/models/report/casework.server";
import { grantCandidates, grantReportAccess, GrantRefusedError } from "~/models/report/access-grants.server";
import { REPORT_LIMITS, ReportForbiddenError, ReportInputError, ReportNotFoundError } from "~/models/report/shared.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { reportNotFound, requireReportAccess } from "~/utils/report-access.server";

export const meta: MetaFunction = () => [{ title: "สุจริต · เรื่องร้องเรียนการทุจริต / Corruption report" }, { name: "robots", content: "noindex, nofollow" }];

const INTENTS = ["status", "message", "tags", "grant"] as const;
type Intent = (typeof INTENTS)[number];
const noStore = { "Cache-Control": "no-store" };

const notFound = reportNotFound;

function checkRef(publicId: string | undefined): string {
  return publicId && /^R\d{4}-\d{4,8}$/.test(publicId) ? publicId : "(invalid)";
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const publicId = checkRef(params.publicId);
  const access = await requireReportAccess(request, publicId);
  const db = getDb();
  const lang = getLang(request);
  let r: Awaited<ReturnType<typeof decryptReport>>;
  let colleagues: Awaited<ReturnType<typeof grantCandidates>>;
  try {
    r = await decryptReport(db, access, publicId);
    colleagues = await grantCandidates(db, access, publicId);
  } catch (e) {
    if (e instanceof ReportNotFoundError || e instanceof ReportForbiddenError) notFound();
    throw e;
  }
  const settings = await getIntegritySettings(db);
  // Dates only for what the reporter did (kept by day); date and time for officers' actions.
  const d = (at: string | null) => (!at ? "" : at.length === 10 ? formatThaiDateKey(at, lang) : formatThaiDate(new Date(at), lang, { withTime: true }));
  const nextFeedback = r.lastFeedbackAt && r.status !== "closed" ? addDays(new Date(r.lastFeedbackAt), settings.feedback_days, { mode: "calendar" }) : null;
  return json(
    {
      r: {
        publicId: r.publicId,
        status: r.status,
        mode: r.mode,
        requestedAlternate: r.requestedRecipient === "alternate",
        holders: r.holders.map((h) => ({ id: h.id, name: h.name, alternate: h.alternate, via: h.via })),
        excluded: r.excluded.map((x) => ({ id: x.id, name: x.name, reason: x.reason })),
        audit: r.audit.map((a) => ({ id: a.id, at: d(a.at), action: a.action, who: a.staffName, role: a.role })),
        finding: r.finding,
        referredTo: r.referredTo,
        received: d(r.receivedAt),
        ackDue: r.lastFeedbackAt ? null : d(r.ackDueAt),
        lastFeedback: d(r.lastFeedbackAt),
        nextFeedback: nextFeedback ? formatThaiDate(nextFeedback, lang) : null,
        closed: d(r.closedAt),
        digest: r.digest,
        digestVerified: r.digestVerified,
        fields: r.fields,
        tags: r.tags,
        messages: r.messages.map((m) => ({ id: m.id, author: m.author, staffName: m.staffName, text: m.text, at: d(m.at) })),
        attachments: r.attachments.map((a) => ({ id: a.id, name: a.name, mime: a.mime, size: a.size, keptOriginal: a.keptOriginal, later: a.messageId !== null, at: d(a.at) })),
        events: r.events.map((e) => ({ id: e.id, from: e.from, to: e.to, staffName: e.staffName, note: e.note, finding: e.finding, referredTo: e.referredTo, at: d(e.at) })),
      },
      actions: allowedReportActions(r.status),
      colleagues,
      messageMax: REPORT_LIMITS.message,
    },
    { headers: noStore },
  );
}

type ActionData = { intent: Intent | ReportAction; error: string; params?: Record<string, unknown>; values?: Record<string, string> };

function inputErrorKey(e: ReportInputError): string {
  if (e.messageKey.endsWith("required")) return "case.errors.required";
  if (e.messageKey.endsWith("tooLong")) return "case.errors.tooLong";
  if (e.messageKey.endsWith("invalidChoice")) return "case.errors.invalidChoice";
  return "case.errors.badInput";
}

export async function action({ request, params }: ActionFunctionArgs) {
  const publicId = checkRef(params.publicId);
  const access = await requireReportAccess(request, publicId);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const str = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v : "";
  };
  const intent = str("intent") as Intent;
  // Holding the report first: whoever does not hold it gets 404 whatever they send.
  try {
    await openHeldReport(db, access, publicId);
  } catch (e) {
    if (e instanceof ReportNotFoundError || e instanceof ReportForbiddenError) notFound();
    throw e;
  }
  if (!(INTENTS as readonly string[]).includes(intent)) return json<ActionData>({ intent, error: "case.errors.badInput" }, { status: 400, headers: noStore });
  const fail = (error: string, status = 422, extra: Partial<ActionData> = {}) => json<ActionData>({ intent, error, ...extra }, { status, headers: noStore });
  try {
    if (intent === "status") {
      const act = str("action");
      if (!isReportAction(act)) return fail("case.errors.badInput", 400);
      const note = str("note");
      if (note.length > REPORT_LIMITS.message * 4) return fail("case.errors.tooLong", 422, { params: { max: REPORT_LIMITS.message } });
      try {
        await transitionReport(db, access, publicId, act, { note, finding: str("finding") || null, referredTo: str("referredTo") || null });
      } catch (e) {
        if (e instanceof InvalidReportTransitionError) {
          const key =
            e.reason === "finding_required" ? "case.errors.findingRequired" : e.reason === "referral_required" ? "case.errors.referralRequired" : "case.errors.transition";
          return json<ActionData>({ intent: act, error: key, values: { note } }, { status: e.reason === "not_allowed" ? 409 : 422, headers: noStore });
        }
        if (e instanceof ReportInputError) {
          return json<ActionData>({ intent: act, error: inputErrorKey(e), params: e.params, values: { note } }, { status: 422, headers: noStore });
        }
        throw e;
      }
      return redirect(`/staff/integrity/reports/${publicId}?done=${act}`);
    }
    if (intent === "message") {
      const text = str("message");
      if (text.length > REPORT_LIMITS.message * 4) return fail("case.errors.tooLong", 422, { params: { max: REPORT_LIMITS.message } });
      try {
        await addOfficerMessage(db, access, publicId, text);
      } catch (e) {
        if (e instanceof ReportInputError) return fail(inputErrorKey(e), 422, { params: e.params, values: { message: text } });
        throw e;
      }
      return redirect(`/staff/integrity/reports/${publicId}?done=message#conversation`);
    }
    if (intent === "grant") {
      const id = Number(str("staffId"));
      if (!Number.isInteger(id) || id <= 0) return fail("case.errors.badInput", 400);
      try {
        await grantReportAccess(db, access, publicId, id);
      } catch (e) {
        if (e instanceof GrantRefusedError) return fail(`case.errors.grant_${e.reason}`, e.reason === "excluded" ? 403 : 422);
        throw e;
      }
      return redirect(`/staff/integrity/reports/${publicId}?done=grant#access`);
    }
    // intent === "tags"
    const tags = form.getAll("tags").filter((v): v is string => typeof v === "string").slice(0, 20);
    try {
      await setReportTags(db, access, publicId, tags);
    } catch (e) {
      if (e instanceof ReportInputError) return fail(inputErrorKey(e), 422);
      throw e;
    }
    return redirect(`/staff/integrity/reports/${publicId}?done=tags`);
  } catch (e) {
    if (e instanceof ReportNotFoundError || e instanceof ReportForbiddenError) notFound();
    throw e;
  }
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export default function ReportCase() {
  const { r, actions, colleagues, messageMax } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const { t } = useTranslation("integrity");
  const done = params.get("done");
  const f = r.fields;
  const errorFor = (intent: string) =>
    data?.intent === intent ? (
      <p className="field-error" role="alert" data-testid="action-error">
        {t(data.error, { max: messageMax, ...(data.params ?? {}) })}
      </p>
    ) : null;
  const fact = (label: string, value: string | undefined | null) =>
    value ? (
      <>
        <dt>{label}</dt>
        <dd className="pre-wrap">{value}</dd>
      </>
    ) : null;
  return (
    <article className="report-case" aria-labelledby="report-title">
      <p className="no-print">
        <Link to="/staff/integrity">← {t("queue.title")}</Link>
      </p>
      <h1 id="report-title">
        {t("case.title", { id: r.publicId })}{" "}
        <span className="badge" data-testid="report-status" data-status={r.status}>
          {t(`status.${r.status}`)}
        </span>
      </h1>
      {done ? (
        <p className="notice success" role="status" data-testid="done">
          {t("case.done", { what: t(`case.doneWhat.${done}`, { defaultValue: "" }) })}
        </p>
      ) : null}

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
                  <a href={`/staff/integrity/reports/${r.publicId}/attachments/${a.id}`} download>
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

      <section className="card" aria-labelledby="conversation-title" id="conversation">
        <h2 id="conversation-title">{t("case.conversation")}</h2>
        {r.messages.length === 0 ? <p className="muted">{t("case.noMessages")}</p> : null}
        <ol className="report-messages" data-testid="messages">
          {r.messages.map((m) => (
            <li key={m.id} className={`report-message from-${m.author}`} data-testid="message" data-author={m.author}>
              <p className="report-message-meta">
                <strong>{m.author === "reporter" ? t("case.fromReporter") : t("case.fromOfficer", { name: m.staffName ?? "" })}</strong> · <time>{m.at}</time>
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
              {errorFor("message")}
              <textarea id="f-message" name="message" rows={4} maxLength={messageMax} aria-describedby="f-message-hint" defaultValue={data?.intent === "message" ? (data.values?.message ?? "") : ""} />
            </div>
            <button type="submit" className="primary">
              {t("case.send")}
            </button>
          </Form>
        )}
      </section>

      {actions.length > 0 ? (
        <section className="card no-print" aria-labelledby="status-title">
          <h2 id="status-title">{t("case.statusTitle")}</h2>
          <p className="hint">{t("case.statusHint")}</p>
          <div className="report-actions">
            {actions.map((a) => (
              <Form key={a} method="post" className="report-action" aria-labelledby={`act-${a}`}>
                <CsrfField />
                <input type="hidden" name="intent" value="status" />
                <input type="hidden" name="action" value={a} />
                <h3 id={`act-${a}`}>{t(`actions.${a}`)}</h3>
                <p className="hint">{t(`actionHints.${a}`)}</p>
                {errorFor(a)}
                {a === "conclude" ? (
                  <fieldset>
                    <legend>{t("case.finding")}</legend>
                    {REPORT_FINDINGS.map((x) => (
                      <label key={x} className="choice">
                        <input type="radio" name="finding" value={x} required /> {t(`finding.${x}`)}
                      </label>
                    ))}
                  </fieldset>
                ) : null}
                {a === "refer" ? (
                  <div className="field">
                    <label htmlFor="f-referredTo">{t("case.referredTo")}</label>
                    <select id="f-referredTo" name="referredTo" required defaultValue="">
                      <option value="" disabled>
                        {t("case.choose")}
                      </option>
                      {REPORT_REFERRALS.map((x) => (
                        <option key={x} value={x}>
                          {t(`referral.${x}`)}
                        </option>
                      ))}
                    </select>
                  </div>
                ) : null}
                <div className="field">
                  <label htmlFor={`f-note-${a}`}>{t("case.note")}</label>
                  <span className="hint" id={`f-note-${a}-hint`}>
                    {t("case.noteHint")}
                  </span>
                  <textarea
                    id={`f-note-${a}`}
                    name="note"
                    rows={3}
                    maxLength={messageMax}
                    aria-describedby={`f-note-${a}-hint`}
                    defaultValue={data?.intent === a ? (data.values?.note ?? "") : ""}
                  />
                </div>
                <button type="submit" className="primary" data-testid={`action-${a}`}>
                  {t(`actions.${a}`)}
                </button>
              </Form>
            ))}
          </div>
        </section>
      ) : null}

      <section className="card no-print" aria-labelledby="tags-title">
        <h2 id="tags-title">{t("case.tagsTitle")}</h2>
        <Form method="post">
          <CsrfField />
          <input type="hidden" name="intent" value="tags" />
          {errorFor("tags")}
          <fieldset>
            <legend className="visually-hidden">{t("case.tagsTitle")}</legend>
            {REPORT_TAGS.map((g) => (
              <label key={g} className="choice">
                <input type="checkbox" name="tags" value={g} defaultChecked={r.tags.includes(g)} /> {t(`tags.${g}`)}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="secondary">
            {t("case.saveTags")}
          </button>
        </Form>
      </section>

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">{t("case.history")}</h2>
        <ol className="timeline" data-testid="history">
          <li>
            <strong>{t("case.historyReceived")}</strong>
            <time>{r.received}</time>
          </li>
          {r.events.map((e) => (
            <li key={e.id}>
              <strong>{t("case.historyStatus", { from: e.from ? t(`status.${e.from}`, { defaultValue: e.from }) : "–", to: t(`status.${e.to}`, { defaultValue: e.to }) })}</strong>
              {e.finding ? ` · ${t(`finding.${e.finding}`)}` : ""}
              {e.referredTo ? ` · ${t(`referral.${e.referredTo}`)}` : ""}
              <time>
                {e.at}
                {e.staffName ? ` · ${e.staffName}` : ""}
              </time>
              {e.note ? <p className="pre-wrap">{e.note}</p> : null}
            </li>
          ))}
        </ol>
      </section>

      <section className="card" aria-labelledby="access-title" id="access">
        <h2 id="access-title">{t("case.accessTitle")}</h2>
        <p className="hint">{t("case.accessHint")}</p>
        <ul data-testid="holders">
          {r.holders.map((h) => (
            <li key={h.id}>
              {h.name}
              {h.alternate ? ` (${t("recipient.alternate")})` : ""} <span className="muted">— {t(`case.via.${h.via}`)}</span>
            </li>
          ))}
        </ul>
        {r.excluded.length > 0 ? (
          <>
            <h3>{t("case.excludedTitle")}</h3>
            <ul data-testid="excluded">
              {r.excluded.map((x) => (
                <li key={x.id}>
                  {x.name} <span className="muted">— {t(`case.excludedWhy.${x.reason}`)}</span>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {colleagues.length > 0 ? (
          <Form method="post" className="no-print">
            <CsrfField />
            <input type="hidden" name="intent" value="grant" />
            {errorFor("grant")}
            <div className="field">
              <label htmlFor="f-grant">{t("case.grantLabel")}</label>
              <span className="hint" id="f-grant-hint">
                {t("case.grantHint")}
              </span>
              <select id="f-grant" name="staffId" required defaultValue="" aria-describedby="f-grant-hint">
                <option value="" disabled>
                  {t("case.choose")}
                </option>
                {colleagues.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                    {c.position ? ` — ${c.position}` : ""}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="secondary" data-testid="grant">
              {t("case.grantSubmit")}
            </button>
          </Form>
        ) : null}
      </section>

      <section className="card" aria-labelledby="trail-title">
        <h2 id="trail-title">{t("case.trailTitle")}</h2>
        <p className="hint">{t("case.trailHint")}</p>
        <ol className="timeline" data-testid="report-audit">
          {r.audit.map((a, i) => (
            <li key={`${a.id}-${i}`}>
              <strong>{t(`case.trail.${a.action.replace(/[.-]/g, "_")}`, { defaultValue: a.action })}</strong>
              <time>
                {a.at}
                {a.who ? ` · ${a.who}` : a.role === "reporter" ? ` · ${t("case.fromReporter")}` : ""}
              </time>
            </li>
          ))}
        </ol>
      </section>

      <section className="no-print">
        <Form method="post" action={`/staff/integrity/reports/${r.publicId}/export`} reloadDocument>
          <CsrfField />
          <button type="submit" className="secondary" data-testid="export">
            {t("case.export")}
          </button>{" "}
          <span className="hint">{t("case.exportHint")}</span>
        </Form>
      </section>
    </article>
  );
}
