import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { availableActions, isCaseAction, isCaseStatus, type CaseAction } from "~/lib/case-status";
import { parseCaseReference } from "~/lib/case-reference";
import { allowedOperations, canChangeDivision, type Actor } from "~/lib/permissions";
import { formatThaiDate } from "~/lib/thai-date";
import { CsrfField } from "~/components/form";
import {
  addInternalNote,
  addReply,
  applyCaseAction,
  assignCase,
  CaseActionError,
  getCaseForStaff,
} from "~/models/case-handling.server";
import { listDivisions, nameIn } from "~/models/org.server";
import { caseDeadlineView, policyForCase } from "~/models/escalation.server";
import {
  listNoticesForStaff,
  NOTICE_METHODS,
  NoticeError,
  parseExpectedDate,
  prefillNotice,
  sendNotice,
  type NoticeMethod,
} from "~/models/notices.server";
import { bangkokDateKey, addBangkokDays } from "~/lib/thai-date";
import { getStaffById, listAssignableStaff } from "~/models/staff.server";
import { now } from "~/utils/clock.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";
import { log } from "~/utils/logger.server";
import { canSetTopics, getComplaintTopics, setComplaintTopics } from "~/models/topics.server";
import { PLAN_TOPIC_CODES } from "~/lib/case-list-filter";
import { getCaseRating } from "~/models/satisfaction.server";

const INTENTS = ["accept", "start", "request_info", "info_received", "resolve", "forward", "reopen", "assign", "reply", "note", "explanation", "progress", "topics"] as const;
type Intent = (typeof INTENTS)[number];

function notFound(): never {
  throw json({ messageKey: "caseErrors.notFound" }, { status: 404 });
}

async function loadFor(reference: string | undefined, actor: Actor) {
  const ref = parseCaseReference(reference ?? "");
  if (!ref) notFound();
  try {
    return await getCaseForStaff(getDb(), ref.reference, actor);
  } catch (e) {
    if (e instanceof CaseActionError && e.status === 404) notFound();
    throw e;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const lang = getLang(request);
  const db = getDb();
  const { complaint: c, events, attachments } = await loadFor(params.reference, staff);
  const policy = await policyForCase(db, c);
  const at = now();
  const status = isCaseStatus(c.status) ? c.status : "received";
  const ops = allowedOperations(staff, c);
  const statusActions = availableActions(status).filter((a) => ops.includes(a));
  const canAssign = ops.includes("assign");
  const divisions = canAssign ? await listDivisions(db) : [];
  const open = status !== "resolved" && status !== "forwarded";
  const canNotify = ops.includes("reply");
  const noticeRows = await listNoticesForStaff(db, c.id);
  const explanationPrefill = canNotify && open ? await prefillNotice(db, c, "explanation") : null;
  const progressPrefill = canNotify && open ? await prefillNotice(db, c, "progress") : null;
  const people = canAssign ? await listAssignableStaff(db, staff.role === "officer" ? staff.division_id : undefined) : [];
  const d = (iso: string | null) => (iso ? formatThaiDate(new Date(iso), lang, { withTime: true }) : "");
  const topics = await getComplaintTopics(db, c.id);
  // The complainant's satisfaction answer (app/routes/track.tsx, /track/rate): plain values only, formatted here.
  const r = await getCaseRating(db, c.id, at);
  const rating = r
    ? { score: r.score, comment: r.comment, givenAt: d(r.createdAt), changedAt: r.updatedAt !== r.createdAt ? d(r.updatedAt) : null }
    : null;
  return json({
    topics,
    rating,
    canSetTopics: canSetTopics(staff, c),
    c: {
      id: c.id,
      reference: c.reference,
      status,
      channel: c.channel,
      subject: c.subject,
      details: c.details,
      category: lang === "en" ? c.category_en : c.category_th,
      village: c.village_number === null ? "" : `${c.village_number} ${(lang === "en" ? c.village_en : c.village_th) ?? ""}`.trim(),
      landmark: c.landmark,
      latitude: c.latitude,
      longitude: c.longitude,
      contactName: c.contact_name,
      contactPhone: c.contact_phone,
      contactEmail: c.contact_email,
      contactAddress: c.contact_address,
      preferredContact: c.preferred_contact,
      lang: c.lang,
      division: (lang === "en" ? c.division_en : c.division_th) ?? "",
      divisionId: c.division_id,
      assignee: c.assignee_name ?? "",
      assigneeId: c.assignee_id,
      receivedAt: d(c.received_at),
      dueAt: d(c.due_at),
      acceptedAt: d(c.accepted_at),
      closedAt: d(c.closed_at),
      resultSummary: c.result_summary,
      forwardedTo: c.forwarded_to,
      recordedBy: c.recorder_name ?? "",
      deadline: caseDeadlineView(c, policy, at),
      explanationOwed: c.explanation_owed === 1,
      explainedAt: d(c.explained_at),
      expectedAt: c.expected_at ? formatThaiDate(new Date(c.expected_at), lang) : "",
    },
    notices: noticeRows.map((n) => ({
      id: n.id,
      kind: n.kind,
      method: n.method,
      body: n.body,
      by: n.staff_name ?? "",
      at: d(n.created_at),
      expectedAt: n.expected_at ? formatThaiDate(new Date(n.expected_at), lang) : "",
    })),
    canNotify,
    explanation: explanationPrefill
      ? { body: explanationPrefill.body, expectedDefault: bangkokDateKey(addBangkokDays(at, Math.max(policy.resolveDays, 1))), minDate: bangkokDateKey(at) }
      : null,
    progress: progressPrefill ? { body: progressPrefill.body } : null,
    defaultMethod: (c.contact_email ? "email" : c.contact_address ? "letter" : "track") as NoticeMethod,
    events: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      from: e.from_status,
      to: e.to_status,
      note: e.note,
      isPublic: e.is_public === 1,
      actor: e.actor_name ?? "",
      division: (lang === "en" ? e.division_en : e.division_th) ?? "",
      assignee: e.assignee_name ?? "",
      at: d(e.created_at),
    })),
    attachments: attachments.map((a) => ({ id: a.id, mime: a.mime, size: a.size, name: a.original_name })),
    statusActions,
    canAccept: statusActions.includes("accept"),
    canResolve: statusActions.includes("resolve"),
    canForward: statusActions.includes("forward"),
    otherActions: statusActions.filter((a) => a !== "accept" && a !== "resolve" && a !== "forward"),
    canAssign,
    canChangeDivision: canChangeDivision(staff),
    canReply: ops.includes("reply"),
    canNote: ops.includes("note"),
    divisions: divisions.map((x) => ({ id: x.id, name: nameIn(lang, x) })),
    people: people.map((p) => ({ id: p.id, name: p.name, divisionId: p.division_id })),
  });
}

type ActionData = { intent?: string; error?: { key: string; params: Record<string, string>; field?: string; ns?: "notice" } };

function str(form: FormData, name: string): string | undefined {
  const v = form.get(name);
  return typeof v === "string" ? v : undefined;
}

function optionalId(form: FormData, name: string): number | null | undefined | "bad" {
  const v = str(form, name);
  if (v === undefined || v === "") return undefined;
  if (v === "none") return null;
  return /^\d{1,9}$/.test(v) ? Number(v) : "bad";
}

export async function action({ request, params }: ActionFunctionArgs) {
  const staff = await requireStaff(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const { complaint: c } = await loadFor(params.reference, staff); // 404 for cases the actor may not see
  const intent = str(form, "intent");
  if (!intent || !(INTENTS as readonly string[]).includes(intent)) {
    return json<ActionData>({ error: { key: "caseErrors.unknownIntent", params: {} } }, { status: 400 });
  }
  try {
    const i = intent as Intent;
    if (isCaseAction(i)) {
      await applyCaseAction(db, {
        complaintId: c.id,
        actor: staff,
        action: i as CaseAction,
        note: str(form, "note"),
        resultSummary: str(form, "resultSummary"),
        forwardedTo: str(form, "forwardedTo"),
      });
    } else if (i === "assign") {
      let divisionId = optionalId(form, "divisionId");
      const assigneeId = optionalId(form, "assigneeId");
      if (divisionId === "bad" || assigneeId === "bad") throw new CaseActionError(400, "caseErrors.badInput");
      if (divisionId === undefined && typeof assigneeId === "number") {
        // "Keep / follow the person": the case goes to the chosen person's division.
        const person = await getStaffById(db, assigneeId);
        if (person?.division_id != null) divisionId = person.division_id;
      }
      await assignCase(db, { complaintId: c.id, actor: staff, divisionId, assigneeId, note: str(form, "note") });
    } else if (i === "explanation" || i === "progress") {
      if (!allowedOperations(staff, c).includes("reply")) throw new CaseActionError(403, "caseErrors.forbidden");
      const m = str(form, "method");
      const method = m && (NOTICE_METHODS as readonly string[]).includes(m) ? (m as NoticeMethod) : undefined;
      const expected = i === "explanation" ? parseExpectedDate(str(form, "expectedAt")) : null;
      await sendNotice(db, { complaintId: c.id, kind: i, staffId: staff.id, text: str(form, "text") ?? "", expectedAt: expected, method });
    } else if (i === "topics") {
      const chosen = form.getAll("topics").map((v) => (typeof v === "string" ? v : ""));
      await setComplaintTopics(db, c.id, chosen, staff);
    } else if (i === "reply") {
      await addReply(db, { complaintId: c.id, actor: staff, text: str(form, "note") ?? "" });
    } else {
      await addInternalNote(db, { complaintId: c.id, actor: staff, text: str(form, "note") ?? "" });
    }
  } catch (e) {
    if (e instanceof NoticeError) {
      if (e.status === 404) notFound();
      return json<ActionData>({ intent, error: { key: e.messageKey, params: e.params, field: e.field, ns: "notice" } }, { status: e.status });
    }
    if (e instanceof CaseActionError) {
      if (e.status === 404) notFound();
      return json<ActionData>({ intent, error: { key: e.messageKey, params: e.params, field: e.field } }, { status: e.status });
    }
    throw e;
  }
  log.info("case updated", { complaintId: c.id, intent, staffId: staff.id });
  return redirect(`/staff/cases/${c.reference}?done=${intent}`);
}

function Badge({ deadline }: { deadline: { state: string; daysLeft: number; daysOverdue: number } }) {
  const { t } = useTranslation("staff");
  const tn = useTranslation("notice").t;
  if (deadline.state === "paused") {
    return (
      <span className="badge paused" data-testid="deadline-badge" data-state="paused">
        {tn("case.deadlinePaused")}
      </span>
    );
  }
  const late = deadline.state === "overdue" || deadline.state === "missed";
  return (
    <span className={`badge ${deadline.state}`} data-testid="deadline-badge" data-state={deadline.state}>
      {t(`deadline.${deadline.state}`, { count: late ? deadline.daysOverdue : deadline.daysLeft })}
    </span>
  );
}

function NoteField({ id, label, required, hint, name = "note" }: { id: string; label: string; required?: boolean; hint?: string; name?: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <textarea id={id} name={name} maxLength={5000} required={required} aria-describedby={hint ? `${id}-hint` : undefined} />
    </div>
  );
}

export default function StaffCase() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [search] = useSearchParams();
  const done = search.get("done");
  const { t } = useTranslation("staff");
  const tn = useTranslation("notice").t;
  const td = useTranslation("deadline").t;
  const tl = useTranslation("caselist").t;
  const { c } = data;
  const actionLabel = (a: string) => t(`actions.${a}`);
  return (
    <>
      <p className="no-print">
        <Link to="/staff">← {t("case.backToQueue")}</Link>
      </p>
      <h1>
        <span data-testid="case-reference">{c.reference}</span> · {c.subject}
      </h1>
      {result?.error ? (
        <div className="error-summary" role="alert" tabIndex={-1} data-testid="action-error">
          <p>
            {result.error.ns === "notice"
              ? tn(result.error.key, result.error.params)
              : t(result.error.key, { ...result.error.params, from: result.error.params.from ? t(`status.${result.error.params.from}`) : "" })}
          </p>
        </div>
      ) : done && !result ? (
        <p className="success" role="status" data-testid="action-done">
          {done === "explanation" || done === "progress"
            ? tn(`kinds.${done}`)
            : done === "topics"
              ? tl("topicsForm.saved")
              : t("case.done", { action: actionLabel(done) })}
        </p>
      ) : null}
      {c.explanationOwed ? (
        <p className="warning" role="alert" data-testid="explanation-owed">
          {tn("case.explanationOwed")}
        </p>
      ) : c.explainedAt ? (
        <p className="notice" data-testid="explained">
          {tn("case.explainedAt", { date: c.explainedAt, expected: c.expectedAt })}
        </p>
      ) : null}

      <section className="card" aria-labelledby="facts-title">
        <h2 id="facts-title">{t("case.facts")}</h2>
        <dl className="facts">
          <dt>{t("queue.status")}</dt>
          <dd data-testid="case-status">{t(`status.${c.status}`)}</dd>
          <dt>{t("case.dueAt")}</dt>
          <dd>
            {c.dueAt} <Badge deadline={c.deadline} />
            <details className="clock-rules">
              <summary>{td("clockRulesTitle")}</summary>
              <p className="hint">{td("clockRules")}</p>
            </details>
          </dd>
          <dt>{t("case.receivedAt")}</dt>
          <dd>
            {c.receivedAt} · {t(`channels.${c.channel}`)}
          </dd>
          {c.acceptedAt ? (
            <>
              <dt>{t("case.acceptedAt")}</dt>
              <dd>{c.acceptedAt}</dd>
            </>
          ) : null}
          {c.closedAt ? (
            <>
              <dt>{t("case.closedAt")}</dt>
              <dd>{c.closedAt}</dd>
            </>
          ) : null}
          <dt>{t("queue.category")}</dt>
          <dd>{c.category}</dd>
          <dt>{t("queue.division")}</dt>
          <dd data-testid="case-division">{c.division || t("case.noDivision")}</dd>
          <dt>{t("queue.assignee")}</dt>
          <dd data-testid="case-assignee">{c.assignee || t("case.unassigned")}</dd>
          <dt>{t("queue.colVillage")}</dt>
          <dd>{c.village}</dd>
          {c.landmark ? (
            <>
              <dt>{t("case.landmark")}</dt>
              <dd>{c.landmark}</dd>
            </>
          ) : null}
          {c.latitude !== null && c.longitude !== null ? (
            <>
              <dt>{t("case.location")}</dt>
              <dd>
                <a href={`https://www.openstreetmap.org/?mlat=${c.latitude}&mlon=${c.longitude}#map=18/${c.latitude}/${c.longitude}`} rel="noreferrer noopener" target="_blank">
                  {c.latitude.toFixed(5)}, {c.longitude.toFixed(5)}
                </a>
              </dd>
            </>
          ) : null}
          {c.recordedBy ? (
            <>
              <dt>{t("case.recordedBy")}</dt>
              <dd>{c.recordedBy}</dd>
            </>
          ) : null}
          {c.resultSummary ? (
            <>
              <dt>{t("case.resultSummary")}</dt>
              <dd className="pre-wrap">{c.resultSummary}</dd>
            </>
          ) : null}
          {c.forwardedTo ? (
            <>
              <dt>{t("case.forwardedTo")}</dt>
              <dd>{c.forwardedTo}</dd>
            </>
          ) : null}
        </dl>
        <h3>{t("case.details")}</h3>
        <p className="pre-wrap" data-testid="case-details">
          {c.details}
        </p>
      </section>

      <section className="card" aria-labelledby="contact-title">
        <h2 id="contact-title">{t("case.contact")}</h2>
        {c.contactName || c.contactPhone || c.contactEmail || c.contactAddress ? (
          <dl className="facts">
            <dt>{t("case.contactName")}</dt>
            <dd>{c.contactName || "—"}</dd>
            <dt>{t("case.contactPhone")}</dt>
            <dd>{c.contactPhone ? <a href={`tel:${c.contactPhone}`}>{c.contactPhone}</a> : "—"}</dd>
            <dt>{t("case.contactEmail")}</dt>
            <dd>{c.contactEmail || "—"}</dd>
            <dt>{t("case.contactAddress")}</dt>
            <dd className="pre-wrap">{c.contactAddress || "—"}</dd>
            <dt>{t("case.preferredContact")}</dt>
            <dd>{t(`preferred.${c.preferredContact}`)}</dd>
          </dl>
        ) : (
          <p className="muted">{t("case.anonymous")}</p>
        )}
      </section>

      {data.attachments.length > 0 ? (
        <section className="card" aria-labelledby="files-title">
          <h2 id="files-title">{t("case.attachments")}</h2>
          <ul className="thumbs">
            {data.attachments.map((a) => {
              const href = `/staff/cases/${c.reference}/attachments/${a.id}`;
              return (
                <li key={a.id}>
                  {a.mime.startsWith("image/") ? (
                    <a href={href} target="_blank" rel="noreferrer">
                      <img src={href} alt={a.name || t("case.image")} loading="lazy" />
                    </a>
                  ) : (
                    <a href={href} download>
                      {a.name || "file.pdf"} ({Math.ceil(a.size / 1024)} KB)
                    </a>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}

      {data.rating ? <CaseRatingSection rating={data.rating} /> : null}

      <TopicsSection topics={data.topics} canEdit={data.canSetTopics} />

      {data.statusActions.length > 0 || data.canAssign || data.canReply || data.canNote ? (
        <section aria-labelledby="act-title" className="no-print">
          <h2 id="act-title">{t("case.actionsTitle")}</h2>
          <div className="actions-grid">
            {data.canAccept ? (
              <Form method="post" className="card" data-testid="form-accept">
                <CsrfField />
                <input type="hidden" name="intent" value="accept" />
                <h3>{actionLabel("accept")}</h3>
                <p className="hint">{t("case.acceptHint")}</p>
                <button type="submit" className="primary">
                  {actionLabel("accept")}
                </button>
              </Form>
            ) : null}
            {data.otherActions.length > 0 ? (
              <Form method="post" className="card" data-testid="form-status">
                <CsrfField />
                <h3>{t("case.changeStatus")}</h3>
                <div className="field">
                  <label htmlFor="f-intent">{t("case.newStatus")}</label>
                  <select id="f-intent" name="intent">
                    {data.otherActions.map((a) => (
                      <option key={a} value={a}>
                        {actionLabel(a)}
                      </option>
                    ))}
                  </select>
                </div>
                <NoteField id="f-status-note" label={t("case.statusNote")} hint={t("case.statusNoteHint")} />
                <button type="submit" className="primary">
                  {t("case.save")}
                </button>
              </Form>
            ) : null}
            {data.canAssign ? (
              <Form method="post" className="card" data-testid="form-assign">
                <CsrfField />
                <input type="hidden" name="intent" value="assign" />
                <h3>{actionLabel("assign")}</h3>
                {data.canChangeDivision ? (
                  <div className="field">
                    <label htmlFor="f-division">{t("queue.division")}</label>
                    <select id="f-division" name="divisionId" defaultValue="">
                      <option value="">{t("case.keepDivision")}</option>
                      {data.divisions.map((d) => (
                        <option key={d.id} value={d.id}>
                          {d.name}
                          {d.id === c.divisionId ? ` (${t("case.current")})` : ""}
                        </option>
                      ))}
                    </select>
                  </div>
                ) : null}
                <div className="field">
                  <label htmlFor="f-assignee">{t("queue.assignee")}</label>
                  <select id="f-assignee" name="assigneeId" defaultValue="">
                    <option value="">{t("case.keepAssignee")}</option>
                    <option value="none">{t("case.unassign")}</option>
                    {data.divisions.length > 0
                      ? data.divisions.map((d) => {
                          const members = data.people.filter((p) => p.divisionId === d.id);
                          return members.length ? (
                            <optgroup key={d.id} label={d.name}>
                              {members.map((p) => (
                                <option key={p.id} value={p.id}>
                                  {p.name}
                                </option>
                              ))}
                            </optgroup>
                          ) : null;
                        })
                      : data.people.map((p) => (
                          <option key={p.id} value={p.id}>
                            {p.name}
                          </option>
                        ))}
                  </select>
                </div>
                <NoteField id="f-assign-note" label={t("case.internalNoteOptional")} />
                <button type="submit" className="primary">
                  {t("case.save")}
                </button>
              </Form>
            ) : null}
            {data.canResolve ? (
              <Form method="post" className="card" data-testid="form-resolve">
                <CsrfField />
                <input type="hidden" name="intent" value="resolve" />
                <h3>{actionLabel("resolve")}</h3>
                <NoteField id="f-result" name="resultSummary" label={t("case.resultSummary")} hint={t("case.resultHint")} required />
                <button type="submit" className="primary">
                  {actionLabel("resolve")}
                </button>
              </Form>
            ) : null}
            {data.canForward ? (
              <Form method="post" className="card" data-testid="form-forward">
                <CsrfField />
                <input type="hidden" name="intent" value="forward" />
                <h3>{actionLabel("forward")}</h3>
                <div className="field">
                  <label htmlFor="f-forwarded">
                    {t("case.forwardedTo")}
                    <span aria-hidden="true"> *</span>
                  </label>
                  <input id="f-forwarded" type="text" name="forwardedTo" maxLength={300} required />
                </div>
                <NoteField id="f-forward-note" label={t("case.forwardNote")} hint={t("case.publicHint")} />
                <button type="submit" className="primary">
                  {actionLabel("forward")}
                </button>
              </Form>
            ) : null}
            {data.canReply ? (
              <Form method="post" className="card" data-testid="form-reply">
                <CsrfField />
                <input type="hidden" name="intent" value="reply" />
                <h3>{actionLabel("reply")}</h3>
                <NoteField id="f-reply" label={t("case.replyText")} hint={c.contactEmail ? t("case.replyHintEmail") : t("case.replyHint")} required />
                <button type="submit" className="primary">
                  {t("case.sendReply")}
                </button>
              </Form>
            ) : null}
            {data.canNote ? (
              <Form method="post" className="card" data-testid="form-note">
                <CsrfField />
                <input type="hidden" name="intent" value="note" />
                <h3>{actionLabel("note")}</h3>
                <NoteField id="f-note" label={t("case.noteText")} hint={t("case.noteHint")} required />
                <button type="submit" className="button secondary">
                  {t("case.addNote")}
                </button>
              </Form>
            ) : null}
          </div>
        </section>
      ) : (
        <p className="muted">{t("case.readOnly")}</p>
      )}

      <NoticesSection data={data} />

      <section aria-labelledby="history-title">
        <h2 id="history-title">{t("case.history")}</h2>
        <ol className="timeline" data-testid="timeline">
          {data.events.map((e) => (
            <li key={e.id} className={e.isPublic ? "event-public" : "event-internal"} data-kind={e.kind}>
              <time>{e.at}</time>
              <strong>
                {e.kind === "status" && e.to
                  ? t("history.status", { from: e.from ? t(`status.${e.from}`) : "", to: t(`status.${e.to}`) })
                  : e.kind === "assign"
                    ? t("history.assign", { division: e.division || t("case.noDivision"), person: e.assignee || t("case.unassigned") })
                    : t(`history.${e.kind}`)}
              </strong>{" "}
              {e.isPublic ? (
                <span className="badge public">{t("history.public")}</span>
              ) : (
                <span className="badge internal">{t("history.internal")}</span>
              )}
              {e.actor ? <span className="muted"> · {e.actor}</span> : null}
              {e.note ? <p className="pre-wrap">{e.note}</p> : null}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

/** The complainant's satisfaction answer, read-only (shown once the case has been rated). */
function CaseRatingSection({ rating }: { rating: { score: number; comment: string; givenAt: string; changedAt: string | null } }) {
  const { t } = useTranslation("satisfaction");
  return (
    <section className="card" aria-labelledby="rating-title" data-testid="case-rating" data-score={rating.score}>
      <h2 id="rating-title">{t("staff.case.title")}</h2>
      <p className="hint">{t("staff.case.intro")}</p>
      <dl className="facts">
        <dt>{t("staff.case.score")}</dt>
        <dd data-testid="case-rating-score">
          <strong>{t("staff.scoreOf", { score: rating.score, label: t(`scale.${rating.score}`) })}</strong>
        </dd>
        {rating.comment ? (
          <>
            <dt>{t("staff.case.comment")}</dt>
            <dd className="pre-line" data-testid="case-rating-comment">
              {rating.comment}
            </dd>
          </>
        ) : null}
        <dt>{t("staff.case.givenAt")}</dt>
        <dd data-testid="case-rating-given">{rating.givenAt}</dd>
        {rating.changedAt ? (
          <>
            <dt>{t("staff.case.changedAt")}</dt>
            <dd data-testid="case-rating-changed">{rating.changedAt}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

/** Plan topics at triage (issue 5): checkboxes for those who handle the case, a read-only list for everyone else. */
function TopicsSection({ topics, canEdit }: { topics: string[]; canEdit: boolean }) {
  const { t } = useTranslation("caselist");
  if (!canEdit) {
    return (
      <section className="card" aria-labelledby="topics-title" data-testid="topics-readonly">
        <h2 id="topics-title">{t("topicsForm.title")}</h2>
        {topics.length ? (
          <ul>
            {topics.map((x) => (
              <li key={x}>{t(`topics.${x}.name`)}</li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t("topicsForm.none")}</p>
        )}
      </section>
    );
  }
  return (
    <Form method="post" className="card no-print" data-testid="form-topics" aria-labelledby="topics-title">
      <CsrfField />
      <input type="hidden" name="intent" value="topics" />
      <h2 id="topics-title">{t("topicsForm.title")}</h2>
      <p className="hint" id="topics-intro">
        {t("topicsForm.intro")}
      </p>
      <fieldset aria-describedby="topics-intro">
        <legend>{t("topicsForm.legend")}</legend>
        {PLAN_TOPIC_CODES.map((x) => (
          <div className="choice" key={x}>
            <input type="checkbox" id={`f-topic-${x}`} name="topics" value={x} defaultChecked={topics.includes(x)} aria-describedby={`f-topic-${x}-hint`} />
            <label htmlFor={`f-topic-${x}`}>
              {t(`topics.${x}.name`)}
              <span className="hint" id={`f-topic-${x}-hint`}>
                {" "}
                — {t(`topics.${x}.hint`)}
              </span>
            </label>
          </div>
        ))}
      </fieldset>
      <button type="submit" className="button secondary">
        {t("topicsForm.save")}
      </button>
    </Form>
  );
}

function MethodField({ id, defaultMethod, hasEmail }: { id: string; defaultMethod: string; hasEmail: boolean }) {
  const tn = useTranslation("notice").t;
  return (
    <div className="field">
      <label htmlFor={id}>{tn("case.method")}</label>
      <select id={id} name="method" defaultValue={defaultMethod}>
        {hasEmail ? <option value="email">{tn("methods.email")}</option> : null}
        <option value="letter">{tn("methods.letter")}</option>
        {hasEmail ? null : <option value="track">{tn("methods.track")}</option>}
      </select>
    </div>
  );
}

function NoticesSection({ data }: { data: ReturnType<typeof useLoaderData<typeof loader>> }) {
  const tn = useTranslation("notice").t;
  const { c } = data;
  return (
    <section aria-labelledby="notices-title">
      <h2 id="notices-title">{tn("case.noticesTitle")}</h2>
      {data.notices.length === 0 ? (
        <p className="muted">{tn("case.noNotices")}</p>
      ) : (
        <ol className="timeline" data-testid="notices">
          {data.notices.map((n) => (
            <li key={n.id} data-kind={n.kind}>
              <time>{n.at}</time> <strong>{tn(`kinds.${n.kind}`)}</strong> · {tn(`methods.${n.method}`)}
              <span className="muted"> · {n.by ? tn("case.sentBy", { name: n.by }) : tn("case.system")}</span>
              {n.expectedAt ? (
                <span>
                  {" "}
                  · {tn("case.expectedLabel")} {n.expectedAt}
                </span>
              ) : null}
              <p className="pre-wrap">{n.body}</p>
              <a className="no-print" href={`/staff/cases/${c.reference}/letter/${n.id}`}>
                {tn("case.printLetter")}
              </a>
            </li>
          ))}
        </ol>
      )}
      {data.canNotify && (data.explanation || data.progress) ? (
        <div className="actions-grid no-print">
          {data.explanation ? (
            <Form method="post" className="card" data-testid="form-explanation">
              <CsrfField />
              <input type="hidden" name="intent" value="explanation" />
              <h3>{tn("case.explanationTitle")}</h3>
              <div className="field">
                <label htmlFor="f-expl-text">{tn("case.text")}</label>
                <span className="hint" id="f-expl-text-hint">
                  {tn("case.explanationHint", { expectedDate: "{{expectedDate}}" })}
                </span>
                <textarea id="f-expl-text" name="text" rows={8} maxLength={5000} required defaultValue={data.explanation.body} aria-describedby="f-expl-text-hint" />
              </div>
              <div className="field">
                <label htmlFor="f-expl-date">{tn("case.expectedAt")}</label>
                <input id="f-expl-date" type="date" name="expectedAt" required min={data.explanation.minDate} defaultValue={data.explanation.expectedDefault} />
              </div>
              <MethodField id="f-expl-method" defaultMethod={data.defaultMethod} hasEmail={Boolean(c.contactEmail)} />
              <button type="submit" className="primary">
                {tn("case.sendExplanation")}
              </button>
            </Form>
          ) : null}
          {data.progress ? (
            <Form method="post" className="card" data-testid="form-progress">
              <CsrfField />
              <input type="hidden" name="intent" value="progress" />
              <h3>{tn("case.progressTitle")}</h3>
              <div className="field">
                <label htmlFor="f-prog-text">{tn("case.text")}</label>
                <textarea id="f-prog-text" name="text" rows={6} maxLength={5000} required defaultValue={data.progress.body} />
              </div>
              <MethodField id="f-prog-method" defaultMethod={data.defaultMethod} hasEmail={Boolean(c.contactEmail)} />
              <button type="submit" className="button secondary">
                {tn("case.sendProgress")}
              </button>
            </Form>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
